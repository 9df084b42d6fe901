/**
 * The replay bench with a trace: every second, how long `ingest-status`
 * took to answer, what is pending, and the `workerd` CPU, from the start
 * of acceptance to the end of the catch-up. Shows whether the collector
 * answers slowly while it drains, and how the backlog moves.
 *
 *   npx tsx bench/replay-trace.ts [--events 142825]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pendingMessages } from '../demo-site/simulate/admin-client';
import { build } from '../scripts/build.mjs';
import { freePort, startDevServer } from '../scripts/lib/dev-server.mjs';
import { option } from './lib/option';
import { cpuMs, workerdProcesses } from './lib/workerd-cpu';
import { REPLAY_EVENTS, replayBatches, sendBatches } from './replay';

const ADMIN_TOKEN = 'bench-admin-token';
const events = Number(option('events', String(REPLAY_EVENTS)));

await build({ quiet: true });
const stateDir = await mkdtemp(path.join(os.tmpdir(), 'trailmark-replay-trace-'));
const server = await startDevServer({ port: await freePort(), stateDir, adminToken: ADMIN_TOKEN });
try {
  const origin = server.url.replace('localhost', '127.0.0.1');
  const pids = workerdProcesses(server.process.pid!);
  const batches = await replayBatches('demo-write-key', events);
  let allAcknowledged = false;
  let acked = 0;
  const started = performance.now();
  const at = () => ((performance.now() - started) / 1000).toFixed(1).padStart(6);
  let done = false;
  const trace = (async () => {
    let lastCpu = cpuMs(pids);
    let lastAcked = 0;
    while (!done) {
      const t0 = performance.now();
      let pending: number | string;
      try {
        pending = await pendingMessages({
          url: origin,
          adminToken: ADMIN_TOKEN,
          fetch: (url, init) => fetch(url, { ...init, signal: AbortSignal.timeout(30_000) }),
        });
      } catch (err) {
        pending = `error ${(err as Error).message}`;
      }
      const answerMs = performance.now() - t0;
      const cpu = cpuMs(pids);
      console.log(
        `${at()} s  acked ${String(acked * 20).padStart(7)} (+${(acked - lastAcked) * 20})  pending ${String(pending).padStart(7)}  status answered in ${answerMs.toFixed(0).padStart(5)} ms  cpu ${cpu.map((c, i) => (c - lastCpu[i]!).toFixed(0)).join('/')} ms`,
      );
      lastCpu = cpu;
      lastAcked = acked;
      if (typeof pending === 'number' && pending === 0 && allAcknowledged) return;
      await new Promise((r) => setTimeout(r, Math.max(0, 1000 - answerMs)));
    }
  })();
  const { errors } = await sendBatches(origin, batches, 16, () => acked++);
  allAcknowledged = true;
  const acceptS = (performance.now() - started) / 1000;
  console.log(`${at()} s  last acknowledgement (${errors} errors)`);
  await trace;
  done = true;
  console.log(`accepted in ${acceptS.toFixed(1)} s; stored ${((performance.now() - started) / 1000 - acceptS).toFixed(1)} s after the last acknowledgement`);
} finally {
  await server.stop();
  await rm(stateDir, { recursive: true, force: true });
}
