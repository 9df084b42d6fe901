/**
 * `npx tsx bench/cpu-per-event.ts [seconds]`: CPU time per event of
 * accepting and of draining, from the `workerd` processes' own counters
 * (/proc/<pid>/stat, Linux), so other work on the machine changes the
 * figures far less than it changes wall-clock rates.
 *
 * Starts the collector (`wrangler dev`), sends 1.5 s of 20-message batches
 * from 16 senders and waits until they are stored (warm-up), then reads the
 * CPU of every workerd process before and after a burst of `seconds`, and
 * after its drain. On this machine the main workerd process runs the
 * Worker, every Durable Object, D1 and R2 in one thread; the other one is
 * wrangler's HTTP proxy.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { waitUntilStored } from '../demo-site/simulate/admin-client';
import { freePort, startDevServer } from '../scripts/lib/dev-server.mjs';
import { runLoad } from './lib/load';
import { benchBatch } from './lib/messages';
import { cpuMs, printBurstCpu, workerdProcesses } from './lib/workerd-cpu';

const seconds = Number(process.argv[2] ?? 4);
const ADMIN_TOKEN = 'bench-admin-token';
const stateDir = await mkdtemp(path.join(os.tmpdir(), 'trailmark-cpu-'));
const server = await startDevServer({ port: await freePort(), stateDir, adminToken: ADMIN_TOKEN });
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
  const c0 = cpuMs(pids);
  const burst = await load(seconds * 1000);
  const c1 = cpuMs(pids);
  const drainMs = await waitUntilStored({ url: server.url, adminToken: ADMIN_TOKEN, intervalMs: 100 });
  const c2 = cpuMs(pids);
  const events = burst.requests * 20;
  printBurstCpu({ pids, c0, c1, c2, events, seconds: burst.seconds, drainMs });
} finally {
  await server.stop();
  await rm(stateDir, { recursive: true, force: true });
}
