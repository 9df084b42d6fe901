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
import { build } from '../scripts/build.mjs';
import { freePort, startDevServer } from '../scripts/lib/dev-server.mjs';
import { burstThenDrain } from './lib/burst';
import { option } from './lib/option';
import { printBurstCpu } from './lib/workerd-cpu';
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
  const cdp = await inspector(await isolateTarget(inspectorPort));
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  const profiles: CpuProfile[] = [];
  const stop = async () => {
    profiles.push((await cdp.send<{ profile: CpuProfile }>('Profiler.stop')).profile);
  };
  const run = await burstThenDrain(server, {
    adminToken: ADMIN_TOKEN,
    seconds,
    beforeBurst: () => cdp.send('Profiler.start'),
    beforeDrain: async () => {
      await stop();
      await cdp.send('Profiler.start');
    },
    afterDrain: stop,
  });
  cdp.close();
  printBurstCpu(run);
  analyse('accepting (the burst)', profiles[0]!, run.events);
  analyse('draining (after the burst)', profiles[1]!, run.events);
} finally {
  await server.stop();
  if (process.env.KEEP_STATE) console.log(`state kept in ${stateDir}`);
  else await rm(stateDir, { recursive: true, force: true });
}
