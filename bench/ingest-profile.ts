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
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { waitUntilStored } from '../demo-site/simulate/admin-client';
import { build } from '../scripts/build.mjs';
import { freePort, startDevServer } from '../scripts/lib/dev-server.mjs';
import { runLoad } from './lib/load';
import { benchBatch } from './lib/messages';
import { option } from './lib/option';
import { busiest, cpuMs, workerdProcesses } from './lib/workerd-cpu';
import { inspector, isolateTarget, type CpuProfile } from './lib/inspector';

const ADMIN_TOKEN = 'bench-admin-token';
const seconds = Number(option('seconds', '4'));

function analyse(title: string, profile: CpuProfile, events: number) {
  console.log(`\n## ${title}`);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfMs = new Map<string, number>();
  const inclusiveMs = new Map<string, number>();
  let idle = 0;
  let total = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    total += ms;
    const leaf = byId.get(id)!;
    const leafName = leaf.callFrame.functionName || '(anonymous)';
    if (leafName === '(idle)') {
      idle += ms;
      return;
    }
    const label = (n: (typeof profile.nodes)[number]) =>
      n.callFrame.url ? `${n.callFrame.functionName || '(anonymous)'} ${path.basename(n.callFrame.url)}:${n.callFrame.lineNumber + 1}` : n.callFrame.functionName;
    selfMs.set(label(leaf), (selfMs.get(label(leaf)) ?? 0) + ms);
    const seen = new Set<string>();
    for (let node: number | undefined = id; node !== undefined; node = parent.get(node)) {
      const name = label(byId.get(node)!);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusiveMs.set(name, (inclusiveMs.get(name) ?? 0) + ms);
    }
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
  let sequence = 0;
  const load = (durationMs: number) =>
    runLoad({
      origin,
      concurrency: 16,
      durationMs,
      request: (sender, n) => ({ method: 'POST', path: '/v1/batch', headers: { 'content-type': 'text/plain' }, body: benchBatch('demo-write-key', sender, sequence++ * 1000 + n, 20) }),
    });
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
  const main = busiest(c0, c1);
  const perEvent = (ms: number) => `${((ms * 1000) / events).toFixed(0)} µs`;
  console.log(`accepted ${events} events in ${burst.seconds.toFixed(1)} s (${(events / burst.seconds).toFixed(0)}/s); stored ${(drainMs / 1000).toFixed(1)} s after the burst`);
  pids.forEach((pid, i) => {
    const accept = c1[i]! - c0[i]!;
    const drain = c2[i]! - c1[i]!;
    console.log(`workerd ${pid}${i === main ? ' (Worker and objects)' : ' (proxy)'}: accept ${accept} ms = ${perEvent(accept)}/event; drain ${drain} ms = ${perEvent(drain)}/event`);
  });
  analyse('accepting (the burst)', accepting, events);
  analyse('draining (after the burst)', draining, events);
} finally {
  await server.stop();
  await rm(stateDir, { recursive: true, force: true });
}
