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
import { Pool } from 'undici';
import { pendingMessages } from '../demo-site/simulate/admin-client';
import { build } from '../scripts/build.mjs';
import { freePort, startDevServer } from '../scripts/lib/dev-server.mjs';
import { option } from './lib/option';
import { cpuMs, workerdProcesses } from './lib/workerd-cpu';
import { REPLAY_EVENTS, replayBatches } from './replay';

const ADMIN_TOKEN = 'bench-admin-token';
const events = Number(option('events', String(REPLAY_EVENTS)));

await build({ quiet: true });
const stateDir = await mkdtemp(path.join(os.tmpdir(), 'trailmark-replay-trace-'));
const server = await startDevServer({ port: await freePort(), stateDir, adminToken: ADMIN_TOKEN });
try {
  const origin = server.url.replace('localhost', '127.0.0.1');
  const pids = workerdProcesses(server.process.pid!);
  const batches = await replayBatches('demo-write-key', events);
  const pool = new Pool(origin, { connections: 16, pipelining: 1 });
  let next = 0;
  let acked = 0;
  let errors = 0;
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
        pending = await pendingMessages({ url: origin, adminToken: ADMIN_TOKEN, fetch: (url, init) => fetch(url, { ...init, signal: AbortSignal.timeout(30_000) }) });
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
      if (typeof pending === 'number' && pending === 0 && next >= batches.length) return;
      await new Promise((r) => setTimeout(r, Math.max(0, 1000 - answerMs)));
    }
  })();
  async function sender() {
    for (let i = next++; i < batches.length; i = next++) {
      for (;;) {
        try {
          const res = await pool.request({ method: 'POST', path: '/v1/batch', headers: { 'content-type': 'text/plain;charset=UTF-8' }, body: batches[i] });
          await res.body.text();
          if (res.statusCode === 200) break;
        } catch {}
        errors++;
        await new Promise((r) => setTimeout(r, 100));
      }
      acked++;
    }
  }
  await Promise.all(Array.from({ length: 16 }, () => sender()));
  const acceptS = (performance.now() - started) / 1000;
  console.log(`${at()} s  last acknowledgement (${errors} errors)`);
  await pool.close();
  await trace;
  done = true;
  console.log(`accepted in ${acceptS.toFixed(1)} s; stored ${((performance.now() - started) / 1000 - acceptS).toFixed(1)} s after the last acknowledgement`);
} finally {
  await server.stop();
  await rm(stateDir, { recursive: true, force: true });
}
