/**
 * Where the time of accepting and of draining goes: the collector under
 * `wrangler dev`, a burst of 20-message batches from 16 senders (the burst
 * rule holds the drain back, so the backlog is drained afterwards, alone),
 * with the V8 CPU profiler of the Worker's isolate (the Worker and its
 * Durable Objects run there) during the burst and again while the backlog
 * drains, next to the CPU of the `workerd` processes: what the isolate does
 * not account for is D1, R2 and the runtime. Sampling slows the isolate
 * down; compare the shares, not the rates.
 *
 *   npx tsx bench/ingest-profile.ts [--seconds 4]
 *
 * With KEEP_STATE=1 the state directory is kept (its path is printed), for a
 * look at the D1 file and the objects' SQLite afterwards (sqlite3 on a copy).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { waitUntilStored } from '../demo-site/simulate/admin-client';
import { build } from '../scripts/build.mjs';
import { freePort, startDevServer } from '../scripts/lib/dev-server.mjs';
import { batchRounds } from './lib/load';
import { option } from './lib/option';
import { cpuMs, printBurstCpu, workerdProcesses } from './lib/workerd-cpu';
import { frameLabel, inspector, isolateTarget, walkSamples, type CpuProfile } from './lib/inspector';

const ADMIN_TOKEN = 'bench-admin-token';
const seconds = Number(option('seconds', '4'));

function analyse(title: string, profile: CpuProfile, events: number) {
  console.log(`\n## ${title}`);
  const selfMs = new Map<string, number>();
  const inclusiveMs = new Map<string, number>();
  const { idle, total } = walkSamples(profile, (ms, stack) => {
    selfMs.set(frameLabel(stack[0]!), (selfMs.get(frameLabel(stack[0]!)) ?? 0) + ms);
    // A recursive function counts once per sample.
    for (const name of new Set(stack.map(frameLabel))) inclusiveMs.set(name, (inclusiveMs.get(name) ?? 0) + ms);
  });
  const per = (ms: number) => ((ms * 1000) / events).toFixed(1);
  console.log(`isolate busy ${per(total - idle)} µs per event (idle ${per(idle)} µs of ${per(total)} µs wall)`);
  console.log('\ntop functions by inclusive time (µs per event):');
  for (const [fn, ms] of [...inclusiveMs].sort((a, b) => b[1] - a[1]).slice(0, 45)) console.log(`  ${per(ms).padStart(7)}  ${fn}`);
  console.log('\ntop functions by self time (µs per event):');
  for (const [fn, ms] of [...selfMs].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`  ${per(ms).padStart(7)}  ${fn}`);
}

await build({ quiet: true });
const stateDir = await mkdtemp(path.join(os.tmpdir(), 'trailmark-ingest-profile-'));
const inspectorPort = await freePort();
const server = await startDevServer({ port: await freePort(), stateDir, adminToken: ADMIN_TOKEN, inspectorPort });
try {
  const origin = server.url.replace('localhost', '127.0.0.1');
  const batches = batchRounds({ origin, concurrency: 16, batchSize: 20 });
  const load = (durationMs: number) => batches('demo-write-key', durationMs);
  await load(1500);
  await waitUntilStored({ url: server.url, adminToken: ADMIN_TOKEN });
  const pids = workerdProcesses(server.process.pid!);
  const cdp = await inspector(await isolateTarget(inspectorPort));
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  const c0 = cpuMs(pids);
  await cdp.send('Profiler.start');
  const burst = await load(seconds * 1000);
  const { profile: accepting } = await cdp.send<{ profile: CpuProfile }>('Profiler.stop');
  const c1 = cpuMs(pids);
  await cdp.send('Profiler.start');
  const drainMs = await waitUntilStored({ url: server.url, adminToken: ADMIN_TOKEN, intervalMs: 100 });
  const { profile: draining } = await cdp.send<{ profile: CpuProfile }>('Profiler.stop');
  const c2 = cpuMs(pids);
  cdp.close();
  const events = burst.requests * 20;
  printBurstCpu({ pids, c0, c1, c2, events, seconds: burst.seconds, drainMs });
  analyse('accepting (the burst)', accepting, events);
  analyse('draining (after the burst)', draining, events);
} finally {
  await server.stop();
  if (process.env.KEEP_STATE) console.log(`state kept in ${stateDir}`);
  else await rm(stateDir, { recursive: true, force: true });
}
