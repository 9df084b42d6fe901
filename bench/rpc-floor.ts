/**
 * The ceiling, on this machine, of any recommendation design that consults
 * a Durable Object: in `wrangler dev` one workerd thread runs the Worker and
 * every object, so each request's share of that thread sets its rate. In one
 * run, round after round (each kind in turn, 16 clients each), requests/s of
 *
 *   (a)  GET /healthz of the collector
 *   (a') GET /healthz of the bench Worker (bench/rpc-floor/worker.ts)
 *   (b)  the bench Worker: constant JSON of the answer's size, no object call
 *   (c)  the bench Worker: the same JSON from one RPC to a Durable Object
 *   (d)  the bench Worker: the collector's recommendation route (query checks,
 *        site gate, rules, ack token, the answer's input across the call)
 *        whose one RPC returns that JSON
 *   (e)  GET /v1/recommendations of the collector on the recommendation
 *        bench's state, each shopper passing its settled ack token
 *
 * and each one's ratio to (a) in the same round (medians and ranges over the
 * rounds), with the CPU each workerd process spends per request.
 *
 *   npx tsx bench/rpc-floor.ts --state-dir DIR [--rounds 5] [--seconds 3] [--clients 16] [--port P]
 *
 * DIR is a state bench/recs-profile.ts loaded (5,000 products, ~100k events;
 * its shoppers.json with the ack tokens of their browsers' last batches). It
 * is copied, and the collector runs on the copy; the bench Worker gets a
 * fresh local D1 (the demo site). The constant answer is the real answers'
 * mean size, measured on the copy first.
 */
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEMO_CATALOG_SEED, generateCatalog } from '../demo-site/simulate/catalog';
import { build } from '../scripts/build.mjs';
import { freePort, ROOT, startDevServer } from '../scripts/lib/dev-server.mjs';
import { ratiosByRound, roundOrder, spread } from './lib/interleave';
import { runLoad, type LoadRequest, type LoadResult } from './lib/load';
import { option } from './lib/option';
import { cpuMs, workerdProcesses } from './lib/workerd-cpu';
import { recommendationRequests, type BenchShopper } from './recommendations';

const ADMIN_TOKEN = 'bench-admin-token';
const CATALOG_SIZE = 5000;
const FLOOR_CONFIG = path.join(ROOT, 'bench/rpc-floor/wrangler.toml');

const stateDir = path.resolve(option('state-dir', ''));
const rounds = Number(option('rounds', '5'));
const durationMs = Number(option('seconds', '3')) * 1000;
const clients = Number(option('clients', '16'));
const port = Number(option('port', '0')) || (await freePort());

if (!existsSync(path.join(stateDir, 'shoppers.json'))) {
  throw new Error(`${stateDir} holds no loaded state: load one with npx tsx bench/recs-profile.ts --state-dir ${stateDir}`);
}
const shoppers = JSON.parse(await readFile(path.join(stateDir, 'shoppers.json'), 'utf8')) as BenchShopper[];
const withToken = shoppers.filter((s) => s.ack).length;
if (withToken < shoppers.length) {
  throw new Error(`${shoppers.length - withToken} of ${shoppers.length} shoppers in ${stateDir} have no ack token: load a new state with bench/recs-profile.ts`);
}
// The collector's shard count: the tokens name it, and the bench Worker has no IngestShard to ask.
const ingestShards = /^INGEST_SHARDS = "(\d+)"/m.exec(await readFile(path.join(ROOT, 'wrangler.toml'), 'utf8'))?.[1] ?? '1';
const products = generateCatalog({ size: CATALOG_SIZE, seed: DEMO_CATALOG_SEED }).map((p) => p.product_id);

type Server = Awaited<ReturnType<typeof startDevServer>>;
interface Kind {
  label: string;
  server: Server;
  request: () => LoadRequest;
  results: LoadResult[];
  /** Per workerd process of its server (in workerdProcesses order): CPU ms over every timed round. */
  cpu: number[];
}

const work = await mkdtemp(path.join(os.tmpdir(), 'trailmark-rpc-floor-'));
const servers: Server[] = [];
try {
  await cp(stateDir, path.join(work, 'collector'), { recursive: true });
  await build({ quiet: true });
  const collector = await startDevServer({ port, stateDir: path.join(work, 'collector'), adminToken: ADMIN_TOKEN });
  servers.push(collector);
  const collectorOrigin = collector.url.replace('localhost', '127.0.0.1');

  // The real answers' size: the bench's mix, one after another (also the first warm-up of the collector's caches).
  const sample = recommendationRequests(shoppers, products);
  let bytes = 0;
  const SAMPLES = 300;
  for (let i = 0; i < SAMPLES; i++) {
    const req = sample();
    const res = await fetch(`${collectorOrigin}${req.path}`, { headers: req.headers });
    if (!res.ok) throw new Error(`${req.path} answered ${res.status}: ${await res.text()}`);
    bytes += Buffer.byteLength(await res.text());
  }
  const answerBytes = Math.round(bytes / SAMPLES);

  const floor = await startDevServer({
    port: await freePort(),
    stateDir: path.join(work, 'floor'),
    adminToken: ADMIN_TOKEN,
    config: FLOOR_CONFIG,
    vars: { ANSWER_BYTES: String(answerBytes), INGEST_SHARDS: ingestShards },
  });
  servers.push(floor);

  const kind = (label: string, server: Server, request: () => LoadRequest): Kind => ({ label, server, request, results: [], cpu: [] });
  const get = (p: string) => () => ({ path: p });
  const kinds = [
    kind('(a)  /healthz, collector', collector, get('/healthz')),
    kind("(a') /healthz, bench Worker", floor, get('/healthz')),
    kind('(b)  constant JSON, no object call', floor, get('/floor/json')),
    kind('(c)  one RPC returning it', floor, get('/floor/rpc')),
    kind('(d)  recommendation route, constant object', floor, recommendationRequests(shoppers, products)),
    kind('(e)  GET /v1/recommendations (ack settled)', collector, recommendationRequests(shoppers, products)),
  ];
  const [healthz, , , , routeFloor, recommendations] = kinds as [Kind, Kind, Kind, Kind, Kind, Kind];
  const pids = new Map(servers.map((server) => [server, workerdProcesses(server.process.pid!)]));
  const origin = (server: Server) => server.url.replace('localhost', '127.0.0.1');

  // Warm-up: every path once, then the recommendations until the caches behind them are warm (a few thousand answers).
  for (const k of kinds) await runLoad({ origin: origin(k.server), concurrency: 4, durationMs: 1500, request: k.request });
  await runLoad({ origin: collectorOrigin, concurrency: clients, durationMs: 6000, request: recommendations.request });
  await runLoad({ origin: origin(floor), concurrency: clients, durationMs: 2000, request: routeFloor.request });

  const started = new Date();
  for (let round = 0; round < rounds; round++) {
    for (const k of roundOrder(kinds, round)) {
      const processes = pids.get(k.server)!;
      const before = cpuMs(processes);
      k.results.push(await runLoad({ origin: origin(k.server), concurrency: clients, durationMs, request: k.request }));
      cpuMs(processes).forEach((ms, i) => (k.cpu[i] = (k.cpu[i] ?? 0) + ms - before[i]!));
    }
  }
  const ended = new Date();

  // Each server's busiest workerd over the whole run runs the Worker and its objects; the other is wrangler's proxy.
  const mainProcess = new Map(
    servers.map((server) => {
      const spent = kinds.filter((k) => k.server === server).reduce((sum, k) => sum.map((ms, i) => ms + k.cpu[i]!), pids.get(server)!.map(() => 0));
      return [server, spent.indexOf(Math.max(...spent))];
    }),
  );
  const rps = (k: Kind) => k.results.map((r) => r.rps);
  const reference = rps(healthz);
  const fmt = (n: number, digits = 2) => n.toFixed(digits);
  console.log(
    `rpc floor: ${rounds} interleaved rounds of ${durationMs / 1000} s, ${clients} clients, ${started.toISOString().slice(11, 19)}–${ended.toISOString().slice(11, 19)} UTC; ` +
      `answer ${answerBytes} B (mean of ${SAMPLES} real answers); ${shoppers.length} shoppers, every one with an ack token`,
  );
  console.log(`${'kind'.padEnd(46)} ${'req/s'.padStart(7)} ${'÷ (a)'.padStart(6)} ${'range'.padStart(11)} ${'ms/req'.padStart(7)} ${'p50 / p99 ms'.padStart(14)} ${'workerd CPU ms/req'.padStart(20)} errors`);
  for (const k of kinds) {
    const r = spread(rps(k));
    const ratio = spread(ratiosByRound(rps(k), reference));
    const requests = k.results.reduce((n, res) => n + res.requests, 0);
    const p50 = spread(k.results.map((res) => res.p50)).median;
    const p99 = spread(k.results.map((res) => res.p99)).median;
    const main = mainProcess.get(k.server)!;
    const cpu = [k.cpu[main]!, ...k.cpu.filter((_, i) => i !== main)].map((ms) => fmt(ms / requests)).join(' + ');
    const errors = k.results.reduce((n, res) => n + res.errors, 0);
    console.log(
      `${k.label.padEnd(46)} ${fmt(r.median, 0).padStart(7)} ${fmt(ratio.median).padStart(6)} ${`${fmt(ratio.min)}–${fmt(ratio.max)}`.padStart(11)} ${fmt(1000 / r.median, 3).padStart(7)} ${`${fmt(p50, 1)} / ${fmt(p99, 1)}`.padStart(14)} ${cpu.padStart(20)} ${errors}`,
    );
  }
  const ms = (k: Kind) => 1000 / spread(rps(k)).median;
  console.log(
    `0.8 of (a) leaves ${fmt(0.25 * ms(healthz), 3)} ms per request above (a)'s ${fmt(ms(healthz), 3)}; above (a): ` +
      kinds.slice(1).map((k) => `${k.label.slice(0, 4).trim()} ${fmt(ms(k) - ms(healthz), 3)}`).join(', ') + ' ms',
  );
  console.log('ms/req: 1000 / the median requests/s, the thread time a request takes when the clients keep it busy; CPU: Worker-and-objects process + proxy');
  console.log(`per round, requests/s: ${kinds.map((k) => `${k.label.slice(0, 4).trim()} ${rps(k).map((v) => v.toFixed(0)).join('/')}`).join('; ')}`);
} finally {
  for (const server of servers.reverse()) await server.stop();
  await rm(work, { recursive: true, force: true });
}
