/**
 * CPU time of a process and its descendants (Linux /proc), per process name:
 * the server's own work per request, whatever else the machine runs meanwhile
 * (requests per second move with every other process; CPU seconds do not).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The process and every process under it, by pid. */
function processTree(root: number): number[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid='])
    .toString()
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const tree = [root];
  for (let i = 0; i < tree.length; i++) for (const [pid, parent] of rows) if (parent === tree[i]) tree.push(pid);
  return tree;
}

/** User + system CPU milliseconds of one process so far (0 once it is gone). */
function cpuMs(pid: number): number {
  try {
    // Fields after the command name: utime and stime are the 12th and 13th, in clock ticks (100 a second).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** Runs `work` and returns the CPU milliseconds each process of the tree (by name) spent meanwhile. */
export async function cpuDuring<T>(root: number, work: () => Promise<T>): Promise<{ result: T; cpuMs: Map<string, number> }> {
  const pids = processTree(root);
  const names = new Map(pids.map((pid) => [pid, readFileSync(`/proc/${pid}/comm`, 'utf8').trim()]));
  const before = new Map(pids.map((pid) => [pid, cpuMs(pid)]));
  const result = await work();
  const spent = new Map<string, number>();
  for (const pid of pids) {
    const name = names.get(pid)!;
    spent.set(name, (spent.get(name) ?? 0) + cpuMs(pid) - before.get(pid)!);
  }
  return { result, cpuMs: spent };
}
