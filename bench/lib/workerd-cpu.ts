/**
 * CPU time of the `workerd` processes a `wrangler dev` started, from their
 * own counters (/proc/<pid>/stat, Linux): other work on a shared machine
 * changes CPU per event far less than it changes wall-clock rates. On this
 * machine the main workerd process runs the Worker, every Durable Object, D1
 * and R2 in one thread; the other one is wrangler's HTTP proxy.
 */
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ). */
const TICKS = 100;

/** The workerd processes below `pid` (wrangler's). */
export function workerdProcesses(pid: number): number[] {
  const descendants = (parent: number): number[] => {
    try {
      return execSync(`pgrep -P ${parent}`).toString().trim().split('\n').filter(Boolean).map(Number).flatMap((child) => [child, ...descendants(child)]);
    } catch {
      return [];
    }
  };
  return descendants(pid).filter((child) => {
    try {
      return readFileSync(`/proc/${child}/comm`, 'utf8').trim() === 'workerd';
    } catch {
      return false;
    }
  });
}

/** CPU milliseconds (user + system) each process has used so far. */
export function cpuMs(pids: readonly number[]): number[] {
  return pids.map((pid) => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS;
  });
}

/** The index of the process that used the most between two readings: the one running the Worker and the objects. */
export function busiest(before: readonly number[], after: readonly number[]): number {
  return after.map((v, i) => v - before[i]!).reduce((best, v, i, all) => (v > all[best]! ? i : best), 0);
}

/**
 * Resolves once the processes have been idle (at most one tick of CPU in
 * `windowMs`), or after `timeoutMs`: work the objects do after the last
 * event is stored (alarms) is counted with the round that caused it.
 */
export async function untilIdle(pids: readonly number[], { windowMs = 300, timeoutMs = 10_000 } = {}): Promise<void> {
  const started = Date.now();
  let last = cpuMs(pids).reduce((a, b) => a + b, 0);
  while (Date.now() - started < timeoutMs) {
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const now = cpuMs(pids).reduce((a, b) => a + b, 0);
    if (now - last <= 1000 / TICKS) return;
    last = now;
  }
}
