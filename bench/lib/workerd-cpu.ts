/**
 * CPU time of the `workerd` processes a `wrangler dev` started, from their
 * own counters (/proc/<pid>/stat, Linux): other work on a shared machine
 * changes CPU per event far less than it changes wall-clock rates. On this
 * machine the main workerd process runs the Worker, every Durable Object, D1
 * and R2 in one thread; the other one is wrangler's HTTP proxy.
 */
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ). */
const TICKS = 100;

/** The workerd processes below `pid` (wrangler's). */
export function workerdProcesses(pid: number): number[] {
  const descendants = (parent: number): number[] => {
    try {
      return execSync(`pgrep -P ${parent}`)
        .toString()
        .trim()
        .split('\n')
        .filter(Boolean)
        .map(Number)
        .flatMap((child) => [child, ...descendants(child)]);
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

/**
 * Which of `pids` listens on TCP `port`: wrangler's proxy listens on the
 * port `wrangler dev` was given, the Worker's own process on another one.
 */
export function listenerOn(pids: readonly number[], port: number): number | undefined {
  const local = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6'].filter((t) => existsSync(t))) {
    // Columns: sl, local address, remote address, state (0A: listening), …, inode (the tenth).
    for (const line of readFileSync(table, 'utf8').trim().split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[1]?.endsWith(local) && fields[3] === '0A') inodes.add(`socket:[${fields[9]}]`);
    }
  }
  return pids.find((pid) => {
    try {
      return readdirSync(`/proc/${pid}/fd`).some((fd) => {
        try {
          return inodes.has(readlinkSync(`/proc/${pid}/fd/${fd}`));
        } catch {
          return false;
        }
      });
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

/** Prints a burst's acceptance and each workerd process's CPU per event while accepting (c0→c1) and draining (c1→c2). */
export function printBurstCpu({
  pids,
  c0,
  c1,
  c2,
  events,
  seconds,
  drainMs,
}: {
  pids: number[];
  c0: number[];
  c1: number[];
  c2: number[];
  events: number;
  seconds: number;
  drainMs: number;
}): void {
  // The busiest process is the one running the Worker and the objects.
  const main = busiest(c0, c1);
  const perEvent = (ms: number) => `${((ms * 1000) / events).toFixed(0)} µs`;
  console.log(
    `accepted ${events} events in ${seconds.toFixed(1)} s (${(events / seconds).toFixed(0)}/s); stored ${(drainMs / 1000).toFixed(1)} s after the burst`,
  );
  pids.forEach((pid, i) => {
    const accept = c1[i]! - c0[i]!;
    const drain = c2[i]! - c1[i]!;
    console.log(
      `workerd ${pid}${i === main ? ' (Worker and objects)' : ' (proxy)'}: accept ${accept} ms = ${perEvent(accept)}/event; drain ${drain} ms = ${perEvent(drain)}/event`,
    );
  });
}
