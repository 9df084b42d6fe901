/**
 * Where the CPU of draining goes, including what the isolate's V8 profile
 * cannot see: `perf record` of the main `workerd` process (the Worker, every
 * Durable Object, D1 and R2 on one thread here) while a burst's backlog
 * drains, its samples grouped by what ran: SQLite (D1 and the objects'
 * storage alike), JavaScript (V8's compiled code and builtins), zlib (the
 * archive's gzip), the kernel (writes, syncs), the runtime (kj, capnp,
 * workerd). Linux with `perf` on PATH.
 *
 * `--syscalls`: instead of sampling, count the drain's system calls with
 * `strace -c -f` (every thread of the process; strace slows each call, so
 * the CPU figures of such a run are not comparable, the counts are): which
 * calls the kernel time is made of, per event drained.
 *
 *   npx tsx bench/drain-perf.ts [--seconds 4] [--syscalls]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { build } from '../scripts/build.mjs';
import { freePort, startDevServer } from '../scripts/lib/dev-server.mjs';
import { burstThenDrain, type BurstRun } from './lib/burst';
import { option } from './lib/option';
import { printBurstCpu } from './lib/workerd-cpu';

const ADMIN_TOKEN = 'bench-admin-token';
const seconds = Number(option('seconds', '4'));
const syscalls = process.argv.includes('--syscalls');

/** What a sampled symbol belongs to, by its name and the object it is in. */
function component(dso: string, symbol: string): string {
  if (dso.includes('kernel')) return 'kernel (I/O, syncs, scheduling)';
  if (/^\[?JIT\]?|^Builtins_|^v8::|^v8_|^Heap|Scavenger|MarkCompact|^cppgc/.test(symbol) || dso.startsWith('[JIT]') || dso.includes('JIT'))
    return 'JavaScript (V8)';
  if (/^sqlite3|^btree|^balance|^pager|^vdbe|^json|^pcache|^whereLoop|^yy|^unixRead|^walIndex|^wal[A-Z]/.test(symbol)) return 'SQLite';
  if (/deflate|longest_match|^fill_window|^compress_block|^build_tree|^send_tree|^crc32|^adler32|^inflate|^zng_|^gen_bitlen|^pqdownheap|^compress/.test(symbol))
    return 'zlib (gzip)';
  if (dso.includes('libc') || dso.includes('ld-linux')) return 'libc (memcpy, malloc)';
  if (/^kj::|^capnp::|^workerd::|^edgeworker|^_ZN2kj|^_ZN5capnp|^_ZN7workerd/.test(symbol)) return 'runtime (workerd, kj, capnp)';
  if (/v8|V8|^_ZN2v8/.test(symbol)) return 'JavaScript (V8)';
  return 'other';
}

/** strace -c's table, each call's count and time per event drained. */
function printSyscalls(table: string, events: number): void {
  console.log(`\nsystem calls of the main workerd process while draining, per event drained (strace -c -f):`);
  console.log('  calls/event   µs/event (strace)   errors   call');
  for (const line of table.split('\n')) {
    const match = /^\s*[\d.]+\s+([\d.]+)\s+\d+\s+(\d+)\s+(\d+)?\s*(\w+)$/.exec(line);
    if (!match || match[4] === 'total') continue;
    const [seconds, calls, errors, name] = [Number(match[1]), Number(match[2]), Number(match[3] ?? 0), match[4]!];
    console.log(
      `  ${(calls / events).toFixed(2).padStart(11)}   ${((seconds * 1e6) / events).toFixed(1).padStart(17)}   ${String(errors).padStart(6)}   ${name}`,
    );
  }
}

await build({ quiet: true });
const stateDir = await mkdtemp(path.join(os.tmpdir(), 'trailmark-drain-perf-'));
const perfData = path.join(stateDir, 'perf.data');
const straceOut = path.join(stateDir, 'strace.txt');
const server = await startDevServer({ port: await freePort(), stateDir, adminToken: ADMIN_TOKEN });
try {
  let perf: ChildProcess | undefined;
  const run = await burstThenDrain(server, {
    adminToken: ADMIN_TOKEN,
    seconds,
    beforeDrain: async (main) => {
      perf = syscalls
        ? spawn('strace', ['-c', '-f', '-p', String(main), '-o', straceOut], { stdio: 'ignore' })
        : spawn('perf', ['record', '-F', '999', '-p', String(main), '-o', perfData], { stdio: 'ignore' });
    },
    afterDrain: async () => {
      perf!.kill('SIGINT');
      await new Promise((resolve) => perf!.once('exit', resolve));
    },
  });
  printBurstCpu(run);
  if (syscalls) printSyscalls(readFileSync(straceOut, 'utf8'), run.events);
  else printProfile(run);
} finally {
  await server.stop();
  await rm(stateDir, { recursive: true, force: true });
}

/** perf's samples grouped by component and symbol, in µs per event drained. */
function printProfile(run: BurstRun): void {
  const report = spawnSync('perf', ['report', '-i', perfData, '--stdio', '--sort', 'dso,sym', '--percent-limit', '0'], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const { pids, main, c1, c2, events } = run;
  const drainCpuUs = ((c2[pids.indexOf(main)]! - c1[pids.indexOf(main)]!) * 1000) / events;
  const byComponent = new Map<string, number>();
  const bySymbol = new Map<string, number>();
  for (const line of report.stdout.split('\n')) {
    const match = /^\s+([\d.]+)%\s+(\S+(?: tid \d+)?)\s+\[[.k]\]\s+(.*)$/.exec(line);
    if (!match) continue;
    const share = Number(match[1]) / 100;
    const [dso, symbol] = [match[2]!, match[3]!.trim()];
    const part = component(dso, symbol);
    byComponent.set(part, (byComponent.get(part) ?? 0) + share);
    bySymbol.set(`${part}: ${symbol.slice(0, 90)}`, (bySymbol.get(`${part}: ${symbol.slice(0, 90)}`) ?? 0) + share);
  }
  console.log(`\nmain workerd process while draining: ${drainCpuUs.toFixed(0)} µs of CPU per event drained, by component:`);
  for (const [part, share] of [...byComponent].sort((a, b) => b[1] - a[1]))
    console.log(`  ${(share * drainCpuUs).toFixed(1).padStart(6)} µs  ${(share * 100).toFixed(1).padStart(5)}%  ${part}`);
  console.log('\ntop symbols:');
  for (const [name, share] of [...bySymbol].sort((a, b) => b[1] - a[1]).slice(0, 40))
    console.log(`  ${(share * drainCpuUs).toFixed(1).padStart(6)} µs  ${name}`);
}
