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
import { freePort, startDevServer } from '../scripts/lib/dev-server.mjs';
import { burstThenDrain } from './lib/burst';
import { printBurstCpu } from './lib/workerd-cpu';

const seconds = Number(process.argv[2] ?? 4);
const ADMIN_TOKEN = 'bench-admin-token';
const stateDir = await mkdtemp(path.join(os.tmpdir(), 'trailmark-cpu-'));
const server = await startDevServer({ port: await freePort(), stateDir, adminToken: ADMIN_TOKEN });
try {
  printBurstCpu(await burstThenDrain(server, { adminToken: ADMIN_TOKEN, seconds }));
} finally {
  await server.stop();
  await rm(stateDir, { recursive: true, force: true });
}
