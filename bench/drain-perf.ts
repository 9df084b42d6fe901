/**
 * Where the CPU of draining goes, including what the isolate's V8 profile
 * cannot see: `perf record` of the main `workerd` process (the Worker, every
 * Durable Object, D1 and R2 on one thread here) while a burst's backlog
 * drains, its samples grouped by what ran: SQLite (D1 and the objects'
 * storage alike), JavaScript (V8's compiled code and builtins), zlib (the
 * archive's gzip), the kernel (writes, syncs), the runtime (kj, capnp,
 * workerd). Linux with `perf` on PATH.
 *
 *   npx tsx bench/drain-perf.ts [--seconds 4]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { build } from '../scripts/build.mjs';
import { freePort, startDevServer } from '../scripts/lib/dev-server.mjs';
import { burstThenDrain } from './lib/burst';
import { option } from './lib/option';
import { printBurstCpu } from './lib/workerd-cpu';

const ADMIN_TOKEN = 'bench-admin-token';
const seconds = Number(option('seconds', '4'));

/** What a sampled symbol belongs to, by its name and the object it is in. */
function component(dso: string, symbol: string): string {
  if (dso.includes('kernel')) return 'kernel (I/O, syncs, scheduling)';
  if (/^\[?JIT\]?|^Builtins_|^v8::|^v8_|^Heap|Scavenger|MarkCompact|^cppgc/.test(symbol) || dso.startsWith('[JIT]') || dso.includes('JIT')) return 'JavaScript (V8)';
  if (/^sqlite3|^btree|^balance|^pager|^vdbe|^json|^pcache|^whereLoop|^yy|^unixRead|^walIndex|^wal[A-Z]/.test(symbol)) return 'SQLite';
  if (/deflate|longest_match|^fill_window|^compress_block|^build_tree|^send_tree|^crc32|^adler32|^inflate|^zng_|^gen_bitlen|^pqdownheap|^compress/.test(symbol)) return 'zlib (gzip)';
  if (dso.includes('libc') || dso.includes('ld-linux')) return 'libc (memcpy, malloc)';
  if (/^kj::|^capnp::|^workerd::|^edgeworker|^_ZN2kj|^_ZN5capnp|^_ZN7workerd/.test(symbol)) return 'runtime (workerd, kj, capnp)';
  if (/v8|V8|^_ZN2v8/.test(symbol)) return 'JavaScript (V8)';
  return 'other';
}

await build({ quiet: true });
const stateDir = await mkdtemp(path.join(os.tmpdir(), 'trailmark-drain-perf-'));
const perfData = path.join(stateDir, 'perf.data');
const server = await startDevServer({ port: await freePort(), stateDir, adminToken: ADMIN_TOKEN });
try {
  let perf: ChildProcess | undefined;
  const run = await burstThenDrain(server, {
    adminToken: ADMIN_TOKEN,
    seconds,
    beforeDrain: async (main) => {
      perf = spawn('perf', ['record', '-F', '999', '-p', String(main), '-o', perfData], { stdio: 'ignore' });
    },
    afterDrain: async () => {
      perf!.kill('SIGINT');
      await new Promise((resolve) => perf!.once('exit', resolve));
    },
  });
  printBurstCpu(run);

  const report = spawnSync('perf', ['report', '-i', perfData, '--stdio', '--sort', 'dso,sym', '--percent-limit', '0'], { encoding: 'utf8', maxBuffer: 1 << 28 });
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
  for (const [part, share] of [...byComponent].sort((a, b) => b[1] - a[1])) console.log(`  ${(share * drainCpuUs).toFixed(1).padStart(6)} µs  ${(share * 100).toFixed(1).padStart(5)}%  ${part}`);
  console.log('\ntop symbols:');
  for (const [name, share] of [...bySymbol].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`  ${(share * drainCpuUs).toFixed(1).padStart(6)} µs  ${name}`);
} finally {
  await server.stop();
  await rm(stateDir, { recursive: true, force: true });
}
