/**
 * `npx tsx bench/cpu-per-event.ts [seconds]`: CPU time per event of
 * accepting and of draining, from the `workerd` processes' own counters
 * (/proc/<pid>/stat, Linux), so other work on the machine changes the
 * figures far less than it changes wall-clock rates.
 *
 * Starts the collector (`wrangler dev`), sends 1.5 s of 20-message batches
 * from 16 senders and waits until they are stored (warm-up), then reads the
 * CPU of every workerd process before and after `seconds` of GET /healthz
 * from the same 16 senders, before and after a burst of `seconds`, and
 * after its drain. The per-request figures next to /healthz bound the
 * ingest ratio: with the thread busy, the ratio is at most about their
 * quotient. On this machine the main workerd process runs the
 * Worker, every Durable Object, D1 and R2 in one thread; the other one is
 * wrangler's HTTP proxy.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort, startDevServer } from '../scripts/lib/dev-server.mjs';
import { BURST_BATCH_SIZE, burstThenDrain } from './lib/burst';
import { runLoad, type LoadResult } from './lib/load';
import { cpuMs, printBurstCpu, workerdProcesses } from './lib/workerd-cpu';

const seconds = Number(process.argv[2] ?? 4);
const ADMIN_TOKEN = 'bench-admin-token';
const stateDir = await mkdtemp(path.join(os.tmpdir(), 'trailmark-cpu-'));
const server = await startDevServer({ port: await freePort(), stateDir, adminToken: ADMIN_TOKEN });
try {
  const pids = workerdProcesses(server.process.pid!);
  let health: { result: LoadResult; cpu: number[] } | undefined;
  const healthRound = async () => {
    const h0 = cpuMs(pids);
    const result = await runLoad({
      origin: server.url.replace('localhost', '127.0.0.1'),
      concurrency: 16,
      durationMs: seconds * 1000,
      request: () => ({ path: '/healthz' }),
    });
    health = { result, cpu: cpuMs(pids).map((ms, i) => ms - h0[i]!) };
  };
  const run = await burstThenDrain(server, { adminToken: ADMIN_TOKEN, seconds, beforeBurst: healthRound });
  printBurstCpu(run);
  const requests = run.events / BURST_BATCH_SIZE;
  run.pids.forEach((pid, i) => {
    const batchUs = ((run.c1[i]! - run.c0[i]!) * 1000) / requests;
    const healthUs = (health!.cpu[pids.indexOf(pid)]! * 1000) / health!.result.requests;
    console.log(
      `workerd ${pid}: ${batchUs.toFixed(0)} µs per ${BURST_BATCH_SIZE}-message batch, ${healthUs.toFixed(0)} µs per /healthz (${health!.result.rps.toFixed(0)}/s); quotient ${(healthUs / batchUs).toFixed(2)}`,
    );
  });
} finally {
  await server.stop();
  await rm(stateDir, { recursive: true, force: true });
}
