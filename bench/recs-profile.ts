/**
 * Where the time of a recommendation request goes: the collector under
 * `wrangler dev` with the recommendation bench's data (5,000 products,
 * ~100k simulated events), one client sending the bench's mix of slots and
 * shoppers, and the V8 CPU profiler of the Worker's isolate (the Worker and
 * its Durable Objects run there) attached through the inspector meanwhile.
 *
 *   npx tsx bench/recs-profile.ts [--state-dir DIR] [--requests N] [--port P]
 *
 * The first run loads the data into DIR (about two minutes) and keeps it;
 * later runs start from it, so two versions of the code can be compared on
 * the same data. Prints the recommendation bench's serving figures (one
 * client's p50/p99, 16 clients next to /healthz), the server's CPU per
 * request (its processes' CPU time over 16 clients' requests, for /healthz
 * and the mix), then, per request, the isolate's busy time, by stage of the
 * request (inclusive CPU of the functions that make each stage) and by
 * function, for the mix and for /healthz.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Pool } from 'undici';
import { DEMO_CATALOG_SEED, generateCatalog } from '../demo-site/simulate/catalog';
import { seedDemoData } from '../demo-site/simulate/seed';
import { build } from '../scripts/build.mjs';
import { freePort, startDevServer } from '../scripts/lib/dev-server.mjs';
import { frameLabel, inspector, isolateTarget, walkSamples, type CpuProfile } from './lib/inspector';
import { runLoad } from './lib/load';
import { option } from './lib/option';
import { cpuDuring } from './lib/process-cpu';
import { measureServing, recommendationRequests, withAcks, type BenchShopper } from './recommendations';

const ADMIN_TOKEN = 'bench-admin-token';
const CATALOG_SIZE = 5000;
const EVENTS = 100_000;

const stateDir = path.resolve(option('state-dir', '/tmp/trailmark-recs-profile'));
const requests = Number(option('requests', '400'));
const port = Number(option('port', '0')) || (await freePort());
/** Where to keep the raw profiles and the bundle they were taken of (for a closer look at callers), if anywhere. */
const saveDir = option('save', '');
const inspectorPort = await freePort();

/**
 * Stages of a request, each the functions whose inclusive time it is (a
 * sample counts for the innermost stage on its stack). Names as the bundle
 * keeps them.
 */
const STAGES: [stage: string, functions: string[]][] = [
  ['route: parse, site, rules, hash check', ['findSite', 'siteRules', 'userHashValid', 'geoFromRequest', 'takeToken', 'excludeParam', 'idParam']],
  ['IngestShard: pending events', ['pendingEvents', 'eventsOf', 'pendingEventsOf', 'pendingAfter']],
  ['ShopState: ids hashed for pending', ['hashIds']],
  ['ShopModel: profile (as if stored)', ['profileAsIfStored', 'asIfStored', 'profileIdOf']],
  ['rank: session neighbours', ['sessionNeighbours']],
  ['rank: co-views / bought together', ['linked']],
  ['rank: popularity', ['popular', 'bestSellers', 'interestPicks']],
  ['rank: other (blend, fallbacks)', ['rankCandidates']],
  ['merchandising + catalog (toItems)', ['merchandise', 'toItems', 'rulesFor']],
  ['ShopState: recommend (rest)', ['recommend', 'recommendJson']],
  ['route: serve (rest)', ['serveRecommendation', 'serveRecommendationJson', 'recommendInput']],
  ['JSON / response', ['json', 'stringify']],
];

function analyse(profile: CpuProfile, count: number) {
  const stageOf = new Map<string, string>();
  for (const [stage, fns] of STAGES) for (const fn of fns) stageOf.set(fn, stage);

  const stageMs = new Map<string, number>();
  const selfMs = new Map<string, number>();
  const { idle, total } = walkSamples(profile, (ms, stack) => {
    const leafName = stack[0]!.callFrame.functionName || '(anonymous)';
    const self = frameLabel(stack[0]!);
    selfMs.set(self, (selfMs.get(self) ?? 0) + ms);
    const stage = stack.map((node) => stageOf.get(node.callFrame.functionName)).find((s) => s !== undefined);
    const key = stage ?? (leafName.startsWith('(') ? `runtime ${leafName}` : 'other JavaScript (router, framework, RPC glue)');
    stageMs.set(key, (stageMs.get(key) ?? 0) + ms);
  });
  const per = (ms: number) => (ms / count).toFixed(3);
  const busy = total - idle;
  console.log(`\nisolate busy ${per(busy)} ms per request (of ${per(total)} ms wall in the profile; idle ${per(idle)})`);
  console.log('\nby stage (ms per request, share of busy):');
  for (const [stage, ms] of [...stageMs].sort((a, b) => b[1] - a[1])) {
    console.log(`  ${stage.padEnd(48)} ${per(ms).padStart(7)}  ${((100 * ms) / busy).toFixed(1).padStart(5)}%`);
  }
  console.log('\ntop functions by self time (ms per request):');
  for (const [fn, ms] of [...selfMs].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${per(ms).padStart(7)}  ${fn}`);
}

/** Writes the profiles and a copy of the bundle `wrangler dev` is running (their line numbers are its). */
async function save(dir: string, profiles: Record<string, CpuProfile>) {
  await mkdir(dir, { recursive: true });
  for (const [name, p] of Object.entries(profiles)) await writeFile(path.join(dir, name), JSON.stringify(p));
  const tmp = path.resolve('.wrangler/tmp');
  const builds = await Promise.all((await readdir(tmp)).map(async (d) => ({ d, at: (await stat(path.join(tmp, d))).mtimeMs })));
  const newest = builds.sort((a, b) => b.at - a.at)[0];
  if (newest && existsSync(path.join(tmp, newest.d, 'index.js'))) await copyFile(path.join(tmp, newest.d, 'index.js'), path.join(dir, 'index.js'));
  console.log(`profiles and bundle saved in ${dir}`);
}

await build({ quiet: true });
const seeded = existsSync(path.join(stateDir, 'shoppers.json'));
const server = await startDevServer({ port, stateDir, adminToken: ADMIN_TOKEN, inspectorPort });
try {
  const origin = server.url.replace('localhost', '127.0.0.1');
  // With each browser's newest ack token (a state loaded before tokens has none: those requests ask the shard too).
  let shoppers: BenchShopper[];
  if (!seeded) {
    console.error(`Loading ${CATALOG_SIZE} products and ~${EVENTS} events into ${stateDir}…`);
    const result = await seedDemoData({ url: origin, adminToken: ADMIN_TOKEN, catalogSize: CATALOG_SIZE, maxEvents: EVENTS, concurrency: 8 });
    shoppers = withAcks(result.truth.shoppers, result.send.acks);
    await writeFile(path.join(stateDir, 'shoppers.json'), JSON.stringify(shoppers));
  } else {
    shoppers = JSON.parse(await readFile(path.join(stateDir, 'shoppers.json'), 'utf8')) as typeof shoppers;
  }
  const products = generateCatalog({ size: CATALOG_SIZE, seed: DEMO_CATALOG_SEED }).map((p) => p.product_id);
  const request = recommendationRequests(shoppers, products);
  // The bench's figures first, without the profiler (sampling slows the isolate down).
  const { unloaded, loaded } = await measureServing(origin, request);
  console.log(
    `one client: p50 ${unloaded.p50.toFixed(2)} ms, p99 ${unloaded.p99.toFixed(2)} ms (${unloaded.requests} requests); /healthz p50 ${unloaded.healthzP50.toFixed(2)} ms, p99 ${unloaded.healthzP99.toFixed(2)} ms`,
  );
  console.log(
    `${loaded.concurrency} clients: ${loaded.rps.toFixed(0)} requests/s, /healthz ${loaded.healthzRps.toFixed(0)}: ratio ${loaded.ratio.toFixed(2)}; p50 ${loaded.p50.toFixed(1)} ms, p99 ${loaded.p99.toFixed(1)} ms, ${loaded.errors} errors`,
  );

  // The server's CPU per request (all its processes: wrangler's proxy, workerd), 16 clients: steadier than requests/s on a shared machine.
  for (const [name, next] of [
    ['/healthz', () => ({ path: '/healthz' })],
    ['recommendations', request],
  ] as const) {
    const { result, cpuMs } = await cpuDuring(server.process.pid!, () => runLoad({ origin, concurrency: 16, durationMs: 4000, request: next }));
    const per = [...cpuMs].filter(([, ms]) => ms > 0).map(([process, ms]) => `${process} ${(ms / result.requests).toFixed(2)}`);
    console.log(`server CPU per request, ${name}: ${per.join(', ')} ms (${result.requests} requests at 16 clients)`);
  }

  const cdp = await inspector(await isolateTarget(inspectorPort));
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 50 });
  /** The isolate's profile over `requests` requests sent one after another. */
  async function profiled(next: () => { path: string; headers?: Record<string, string> }): Promise<CpuProfile> {
    await cdp.send('Profiler.start');
    const pool = new Pool(origin, { connections: 1 });
    for (let i = 0; i < requests; i++) {
      const req = next();
      const res = await pool.request({ method: 'GET', path: req.path, headers: req.headers });
      await res.body.text();
      if (res.statusCode !== 200) throw new Error(`${req.path} answered ${res.statusCode}`);
    }
    await pool.close();
    return (await cdp.send<{ profile: CpuProfile }>('Profiler.stop')).profile;
  }
  // The same isolate's work for a bare GET /healthz first: what every request pays, whatever it asks.
  const baseline = await profiled(() => ({ path: '/healthz' }));
  const profile = await profiled(request);
  cdp.close();
  if (saveDir) await save(saveDir, { 'mix.cpuprofile': profile, 'healthz.cpuprofile': baseline });
  console.log(`profiled ${requests} requests (sampling every 50 µs)`);
  analyse(profile, requests);
  console.log(`\nbaseline: ${requests} GET /healthz, the same way`);
  analyse(baseline, requests);
} finally {
  await server.stop();
}
