/**
 * The ceiling, on this machine, of any recommendation design that consults
 * a Durable Object: in `wrangler dev` one workerd thread runs the Worker and
 * every object, and wrangler's proxy and the clients share the other core,
 * so a request's CPU in those three sets its rate. In one run, round after
 * round (each kind in turn, 16 clients each), requests/s of
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
 * rounds), with the CPU each process spends per request.
 *
 *   npx tsx bench/rpc-floor.ts --state-dir DIR [--rounds 12] [--seconds 2] [--clients 16] [--port P]
 *
 * DIR is a state bench/recs-profile.ts loaded (5,000 products, ~100k events;
 * its shoppers.json with the ack tokens of their browsers' last batches). It
 * is copied, and the collector runs on the copy; the bench Worker gets a
 * fresh local D1 (the demo site). The constant answer is the real answers'
 * mean size, measured on the copy first. Figures and what they imply:
 * README, "The ceiling of one object call on this machine".
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
import { cpuMs, listenerOn, workerdProcesses } from './lib/workerd-cpu';
import { recommendationRequests, type BenchShopper } from './recommendations';

const ADMIN_TOKEN = 'bench-admin-token';
const CATALOG_SIZE = 5000;
const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
const FLOOR_CONFIG = path.join(ROOT, 'bench/rpc-floor/wrangler.toml');

const stateDir = path.resolve(option('state-dir', ''));
const rounds = Number(option('rounds', '12'));
const durationMs = Number(option('seconds', '2')) * 1000;
const clients = Number(option('clients', '16'));
const port = Number(option('port', '0')) || (await freePort());

if (!existsSync(path.join(stateDir, 'shoppers.json'))) {
  throw new Error(`${stateDir} holds no loaded state: load one with npx tsx bench/recs-profile.ts --state-dir ${stateDir}`);
}
const shoppers = JSON.parse(await readFile(path.join(stateDir, 'shoppers.json'), 'utf8')) as BenchShopper[];
const withToken = shoppers.filter((s) => s.ack).length;
if (withToken < shoppers.length) {
  throw new Error(
    `${shoppers.length - withToken} of ${shoppers.length} shoppers in ${stateDir} have no ack token: load a new state with bench/recs-profile.ts`,
  );
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
  /** CPU ms over every timed round: the server's Worker process, its proxy, and this process (the clients). */
  cpu: { worker: number; proxy: number; client: number };
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

  const kind = (label: string, server: Server, request: () => LoadRequest): Kind => ({
    label,
    server,
    request,
    results: [],
    cpu: { worker: 0, proxy: 0, client: 0 },
  });
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
  // Each server's workerd processes: wrangler's proxy listens on the server's port, the other runs the Worker and its objects.
  const processes = new Map(
    servers.map((server) => {
      const pids = workerdProcesses(server.process.pid!);
      const proxy = listenerOn(pids, Number(new URL(server.url).port));
      if (proxy === undefined) throw new Error(`none of the workerd processes ${pids.join(', ')} listens on ${server.url}`);
      return [server, { worker: pids.filter((pid) => pid !== proxy), proxy: [proxy] }];
    }),
  );
  const origin = (server: Server) => server.url.replace('localhost', '127.0.0.1');

  // Warm-up: every path once, then the recommendations until the caches behind them are warm (a few thousand answers).
  for (const k of kinds) await runLoad({ origin: origin(k.server), concurrency: 4, durationMs: 1500, request: k.request });
  await runLoad({ origin: collectorOrigin, concurrency: clients, durationMs: 6000, request: recommendations.request });
  await runLoad({ origin: origin(floor), concurrency: clients, durationMs: 2000, request: routeFloor.request });

  const started = new Date();
  for (let round = 0; round < rounds; round++) {
    for (const k of roundOrder(kinds, round)) {
      const { worker, proxy } = processes.get(k.server)!;
      const [workerBefore, proxyBefore, clientBefore] = [sum(cpuMs(worker)), sum(cpuMs(proxy)), process.cpuUsage()];
      k.results.push(await runLoad({ origin: origin(k.server), concurrency: clients, durationMs, request: k.request }));
      const client = process.cpuUsage(clientBefore);
      k.cpu.worker += sum(cpuMs(worker)) - workerBefore;
      k.cpu.proxy += sum(cpuMs(proxy)) - proxyBefore;
      k.cpu.client += (client.user + client.system) / 1000;
    }
  }
  const ended = new Date();

  const rps = (k: Kind) => k.results.map((r) => r.rps);
  const requests = (k: Kind) => k.results.reduce((n, res) => n + res.requests, 0);
  const perRequest = (k: Kind) => ({ worker: k.cpu.worker / requests(k), proxy: k.cpu.proxy / requests(k), client: k.cpu.client / requests(k) });
  const total = (k: Kind) => Object.values(perRequest(k)).reduce((a, b) => a + b, 0);
  const fmt = (n: number, digits = 2) => n.toFixed(digits);
  console.log(
    `rpc floor: ${rounds} interleaved rounds of ${durationMs / 1000} s, ${clients} clients, ${started.toISOString().slice(11, 19)}–${ended.toISOString().slice(11, 19)} UTC; ` +
      `answer ${answerBytes} B (mean of ${SAMPLES} real answers); ${shoppers.length} shoppers, every one with an ack token`,
  );
  console.log(
    `${'kind'.padEnd(44)} ${'req/s'.padStart(6)} ${'÷ (a)'.padStart(6)} ${'range'.padStart(10)}   ${'CPU ms/req: Worker proxy client'.padStart(31)}   ${'÷ (a) by CPU: all Worker'.padStart(24)} ${'p50 / p99 ms'.padStart(14)} errors`,
  );
  for (const k of kinds) {
    const ratio = spread(ratiosByRound(rps(k), rps(healthz)));
    const cpu = perRequest(k);
    console.log(
      [
        k.label.padEnd(44),
        fmt(spread(rps(k)).median, 0).padStart(6),
        fmt(ratio.median).padStart(6),
        `${fmt(ratio.min)}–${fmt(ratio.max)}`.padStart(10),
        '  ',
        [cpu.worker, cpu.proxy, cpu.client]
          .map((v) => fmt(v).padStart(6))
          .join(' ')
          .padStart(31),
        '  ',
        [total(healthz) / total(k), perRequest(healthz).worker / cpu.worker]
          .map((v) => fmt(v).padStart(6))
          .join(' ')
          .padStart(24),
        `${fmt(spread(k.results.map((res) => res.p50)).median, 1)} / ${fmt(spread(k.results.map((res) => res.p99)).median, 1)}`.padStart(14),
        String(k.results.reduce((n, res) => n + res.errors, 0)),
      ].join(' '),
    );
  }
  console.log(
    "÷ (a): requests/s over (a)'s in the same round, median and range over the rounds. CPU per request: the workerd process that runs the Worker and its objects, " +
      "wrangler's proxy (the workerd listening on the port), and this process's clients; ÷ (a) by CPU: (a)'s CPU per request over this kind's, all three processes or the Worker's alone.",
  );
  console.log(
    `per round, requests/s: ${kinds
      .map(
        (k) =>
          `${k.label.slice(0, 4).trim()} ${rps(k)
            .map((v) => v.toFixed(0))
            .join('/')}`,
      )
      .join('; ')}`,
  );
} finally {
  for (const server of servers.reverse()) await server.stop();
  await rm(work, { recursive: true, force: true });
}
