/**
 * `npx tsx bench/capacity.ts [--rate 10000] [--seconds 3] [--ingest-shards 8] [--aggregate-shards 8] [--profile-shards 8] [--recs 2000]`
 *
 * A load test of a shop at `rate` events/s that counts the work each object
 * instance would do, since this machine runs every object in one process:
 * the events go through the real routing (a browser's IngestShard), the
 * real ShopModel (profiles, identity, catalog, over sql.js), the real split
 * of aggregate rows over AggregateShards, with `--profile-shards` the real
 * identity directory and profile shards (profiles/profile-drain.ts's stages,
 * ShopState keeping the catalog and the aggregates' learning), and recommendation requests
 * through the real snapshot read path. Per instance it prints calls, events
 * and rows per second, and the CPU that work takes at the costs measured
 * here (ShopState and AggregateShard work timed in this process over
 * sql.js; the accept cost per event and per request from the workerd
 * measurement passed in, see README "Capacity").
 */
import { parseArgs } from 'node:util';
import type { StoredMessage } from '@trailmark/schema';
import { aggregateShardOf, applyUnits, splitRows, type AggregateRows } from '../collector/src/aggregates/aggregate-rows';
import { answerQuery, fetchIntoCache, rankOverSnapshots, SnapshotCache } from '../collector/src/aggregates/snapshot-reader';
import { hash53 } from '../collector/src/lib/hash';
import { migrate } from '../collector/src/lib/migrate';
import { AggregateStore } from '../collector/src/recommend/aggregate-store';
import { AGGREGATE_SHARD_MIGRATIONS } from '../collector/src/schema-steps/aggregate-shard';
import { SHOP_MIGRATIONS, ShopModel, type IngestItem } from '../collector/src/shop/shop-model';
import { DIRECTORY_MIGRATIONS, DirectoryModel } from '../collector/src/identity/directory-model';
import { PROFILE_SHARD_MIGRATIONS, ProfileShardModel, profileShardOf } from '../collector/src/profiles/profile-shard-model';
import { drainToProfileShards, type ProfileDrainObjects } from '../collector/src/profiles/profile-drain';
import { idsToLookUp, LookedUpIdentities } from '../collector/src/identity/looked-up-identities';
import { openSqlJs } from './lib/sqljs-sql';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '3' },
    'ingest-shards': { type: 'string', default: '8' },
    'aggregate-shards': { type: 'string', default: '8' },
    'profile-shards': { type: 'string', default: '0' },
    /** Share of requests that carry a login (identify with a customer id): links, and merges when a customer has two browsers. */
    'login-share': { type: 'string', default: '0.02' },
    recs: { type: 'string', default: '2000' },
    products: { type: 'string', default: '5000' },
    /** Measured in workerd (README "Capacity"): CPU µs per accepted event, and per ingest request besides. */
    'accept-us-per-event': { type: 'string', default: '25' },
    'accept-us-per-request': { type: 'string', default: '150' },
    /** Measured in workerd: the IngestShard's own share of a drain (read, hash ids, D1 and R2 calls), µs per event. */
    'drain-us-per-event': { type: 'string', default: '60' },
  },
});
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const S = Number(args['ingest-shards']);
const A = Number(args['aggregate-shards']);
const P = Number(args['profile-shards']);
const LOGIN_SHARE = Number(args['login-share']);
const RECS = Number(args.recs);
const PRODUCTS = Number(args.products);
const ACCEPT_US_EVENT = Number(args['accept-us-per-event']);
const ACCEPT_US_REQUEST = Number(args['accept-us-per-request']);
const DRAIN_US_EVENT = Number(args['drain-us-per-event']);
/** Events per tag request (the tag batches what a page sends within a moment). */
const EVENTS_PER_REQUEST = 3;
/** An IngestShard drains at most this many events at once, about once a second under load. */
const DRAIN_BATCH = 1000;

const log = (line: string) => process.stderr.write(`${line}\n`);

// --- Traffic: shoppers in sessions over a catalog with a long tail of popularity.
let seed = 12345;
const rand = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
const zipfProduct = () => `p${Math.floor(PRODUCTS * rand() ** 3)}`;
const REGIONS = [
  { country: 'DE', region: 'BY' },
  { country: 'US', region: 'TX' },
  { country: 'FR', region: 'IDF' },
  { country: 'GB', region: 'ENG' },
];
const start = Date.now();
let messageNo = 0;
function message(anonymousId: string, event: string, properties: Record<string, unknown>, atMs: number, region: (typeof REGIONS)[number]): StoredMessage {
  const iso = new Date(atMs).toISOString();
  return {
    type: 'track',
    event,
    properties,
    anonymousId,
    messageId: `cap-${messageNo++}`,
    timestamp: iso,
    receivedAt: iso,
    context: { geo: region, device: { type: 'mobile' }, bot: false },
  } as StoredMessage;
}

/** One request's events: a shopper's next steps. */
function nextRequest(t: number): { anonymousId: string; events: StoredMessage[] } {
  const shopper = Math.floor(rand() * RATE * 30);
  const anonymousId = `shopper-${shopper}`;
  const region = REGIONS[shopper % REGIONS.length]!;
  const events: StoredMessage[] = [];
  if (rand() < LOGIN_SHARE) {
    // A login: the customer id of one of fewer customers than browsers, so some customers use two browsers (a merge).
    const iso = new Date(t).toISOString();
    events.push({
      type: 'identify',
      anonymousId,
      userId: `customer-${shopper % (RATE * 10)}`,
      messageId: `cap-${messageNo++}`,
      timestamp: iso,
      receivedAt: iso,
      traits: {},
      context: { geo: region, device: { type: 'mobile' }, bot: false },
    } as unknown as StoredMessage);
  }
  for (let i = events.length; i < EVENTS_PER_REQUEST; i++) {
    const r = rand();
    const p = zipfProduct();
    const facts = { product_id: p, name: `Product ${p}`, category: `c${hash53(p) % 40}`, price: 10 + (hash53(p) % 90) };
    if (r < 0.8) events.push(message(anonymousId, 'Product Viewed', facts, t, region));
    else if (r < 0.95) events.push(message(anonymousId, 'Product Added', { ...facts, quantity: 1 }, t, region));
    else
      events.push(
        message(
          anonymousId,
          'Order Completed',
          {
            order_id: `o${messageNo}`,
            products: [
              { ...facts, quantity: 1 },
              { product_id: zipfProduct(), quantity: 1 },
            ],
          },
          t,
          region,
        ),
      );
  }
  return { anonymousId, events };
}

// --- Objects, counted.
interface Work {
  calls: number;
  events: number;
  rows: number;
  cpuUs: number;
}
const work = () => ({ calls: 0, events: 0, rows: 0, cpuUs: 0 }) as Work;
const ingestShards = Array.from({ length: S }, work);
const shopState = work();
const aggregateShards = Array.from({ length: A }, work);
const directoryWork = work();
const profileShardWork = Array.from({ length: P }, work);
const directory =
  P > 0
    ? await (async () => {
        const db = await openSqlJs();
        migrate(db.sql, DIRECTORY_MIGRATIONS);
        return { ...db, model: new DirectoryModel(db.sql) };
      })()
    : undefined;
const profileShards = await Promise.all(
  Array.from({ length: P }, async () => {
    const db = await openSqlJs();
    migrate(db.sql, PROFILE_SHARD_MIGRATIONS);
    return { ...db, model: new ProfileShardModel(db.sql) };
  }),
);
let merges = 0;

const shop = await openSqlJs();
migrate(shop.sql, SHOP_MIGRATIONS);
const model = new ShopModel(shop.sql);
const shards = await Promise.all(
  Array.from({ length: A }, async () => {
    const db = await openSqlJs();
    migrate(db.sql, AGGREGATE_SHARD_MIGRATIONS);
    return { ...db, store: new AggregateStore(db.sql), unit: 0 };
  }),
);
let unitId = 0;
let pendingRows: AggregateRows[] = [];
// With --aggregate-shards 0 the aggregates stay in ShopState (the single-object layout): its own cost then includes them.
if (A > 0) model.aggregates.sink = (rows) => pendingRows.push(rows);

const cpu = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

const total = RATE * SECONDS;
const requests = Math.ceil(total / EVENTS_PER_REQUEST);
log(
  `Simulating ${total.toLocaleString('en-US')} events (${RATE.toLocaleString('en-US')}/s for ${SECONDS} s) in ${requests.toLocaleString('en-US')} requests; ${S} ingest shards, ${A} aggregate shards…`,
);
const buffers: IngestItem[][] = Array.from({ length: S }, () => []);
let snapshotsDropped = 0;
const cache = new SnapshotCache(2000);

async function drain(shard: number): Promise<void> {
  const batch = buffers[shard]!.splice(0, DRAIN_BATCH);
  if (batch.length === 0) return;
  // ShopState: one call per drain, the batch applied in one transaction; its aggregate rows to the outbox.
  if (P > 0) await drainThroughProfileShards(batch);
  else {
    const c0 = cpu();
    shop.transaction(() => model.ingest(batch));
    const c1 = cpu();
    shopState.calls++;
    shopState.events += batch.length;
    shopState.cpuUs += c1 - c0;
  }
  // Delivery: one call per aggregate shard with rows.
  const rows = pendingRows;
  pendingRows = [];
  for (const r of rows) {
    for (const [index, part] of splitRows(r, A)) {
      const s = shards[index]!;
      const t0 = cpu();
      s.transaction(() => applyUnits(s.sql, [{ unitId: ++unitId, rows: part }]));
      const t1 = cpu();
      const w = aggregateShards[index]!;
      w.calls++;
      w.rows += part.popularity.length + part.links.length + part.totals.length + part.repurchases.length;
      w.cpuUs += t1 - t0;
    }
  }
  cache.clear();
  snapshotsDropped++;
}

/** profiles/profile-drain.ts's pipeline over the same models the objects run, each object's calls and CPU counted apart. */
async function drainThroughProfileShards(batch: IngestItem[]): Promise<void> {
  const counted = <T>(w: Work, events: number, fn: () => T): T => {
    const c0 = cpu();
    const out = fn();
    w.cpuUs += cpu() - c0;
    w.calls++;
    w.events += events;
    return out;
  };
  const objects: ProfileDrainObjects = {
    directory: { resolve: (items) => counted(directoryWork, items.length, () => directory!.transaction(() => directory!.model.resolve(items, Date.now()))) },
    shard: (index) => {
      const s = profileShards[index]!;
      const w = profileShardWork[index]!;
      return {
        apply: (items, currency) => counted(w, items.length, () => s.transaction(() => s.model.apply(items, currency, Date.now()))),
        mergeOut: (mergeId, from, into) => {
          merges++;
          return counted(w, 0, () => s.transaction(() => ({ campaigns: {}, ...s.model.mergeOut(mergeId, from, into, Date.now()) })));
        },
        mergeIn: (mergeId, _from, into, payload, userId, currency) =>
          void counted(w, 0, () => s.transaction(() => s.model.mergeIn(mergeId, into, payload.doc, userId, currency, Date.now()))),
        mergeAcked: (mergeId) => counted(w, 0, () => s.transaction(() => s.model.mergeAcked(mergeId))),
      };
    },
    shop: { learnEffects: (items) => counted(shopState, items.length, () => shop.transaction(() => model.learnEffects(items))) },
  };
  await drainToProfileShards(objects, { shards: P, currency: 'USD', identityVerification: 'off' }, batch);
}

for (let i = 0; i < requests; i++) {
  const t = start + (i / requests) * SECONDS * 1000;
  const { anonymousId, events } = nextRequest(t);
  const index = hash53(anonymousId) % S;
  const w = ingestShards[index]!;
  w.calls++;
  w.events += events.length;
  buffers[index]!.push(...events.map((message) => ({ message, idHashes: [] })));
  if (buffers[index]!.length >= DRAIN_BATCH) await drain(index);
}
for (let shard = 0; shard < S; shard++) while (buffers[shard]!.length > 0) await drain(shard);

// --- Recommendations: each request one ShopState call; shard reads only for what the snapshots lack.
log(`Serving ${RECS.toLocaleString('en-US')} recommendation requests${A > 0 ? ' over the snapshots (dropped at every delivery)' : ''}…`);
const slots = ['home', 'product', 'cart', 'trending'] as const;
let shardCalls = 0;
let rankUs = 0;
const readsPerShard = new Array<number>(Math.max(1, A)).fill(0);
for (let i = 0; i < RECS; i++) {
  // Drains deliver about once a second per ingest shard: the snapshots are dropped that often.
  if (i % Math.max(1, Math.round(RECS / SECONDS / S)) === 0) cache.clear();
  const slot = slots[i % slots.length]!;
  const input = {
    writeKey: 'w',
    slot,
    anonymousId: `shopper-${Math.floor(rand() * RATE * 30)}`,
    productId: slot === 'product' ? zipfProduct() : undefined,
    limit: 8,
    geo: REGIONS[i % REGIONS.length]!,
    holdoutPercent: 10,
    nowMs: start + SECONDS * 1000,
  };
  const c0 = cpu();
  // Profiles in shards: the directory's links and the document, as ShopState reads them (two calls).
  const people =
    P > 0
      ? (() => {
          const identities = new LookedUpIdentities(directory!.model.lookup(idsToLookUp(input, [])));
          const docs = new Map(
            identities.profileIds().flatMap((id) => {
              const doc = profileShards[profileShardOf(id, P)]!.model.find(id);
              return doc ? [[id, doc] as const] : [];
            }),
          );
          return { identities, findProfile: (id: string) => docs.get(id) };
        })()
      : undefined;
  const { shardCalls: calls } =
    A > 0
      ? await rankOverSnapshots(
          cache,
          (q) =>
            fetchIntoCache(
              cache,
              q,
              A,
              (id) => aggregateShardOf(id, A),
              async (shard, sq) => {
                readsPerShard[shard]!++;
                return answerQuery(shards[shard]!.store, sq);
              },
            ),
          (reader) => model.recommend(input, undefined, reader, people),
        )
      : { shardCalls: (model.recommend(input, undefined, undefined, people), 0) };
  rankUs += cpu() - c0;
  shardCalls += calls;
}

// --- Report.
const perSecond = (n: number) => n / SECONDS;
const acceptCpu = (w: Work) => w.events * ACCEPT_US_EVENT + w.calls * ACCEPT_US_REQUEST + w.events * DRAIN_US_EVENT;
for (const w of ingestShards) w.cpuUs = acceptCpu(w);
const max = (ws: Work[], key: keyof Work) => Math.max(...ws.map((w) => w[key]));
const pct = (cpuUsPerS: number) => `${((cpuUsPerS / 1_000_000) * 100).toFixed(0)}%`;
const shopApplyUsPerEvent = shopState.cpuUs / shopState.events;
const rowsPerEvent = aggregateShards.reduce((s, w) => s + w.rows, 0) / total;
const aggUsPerRow =
  aggregateShards.reduce((s, w) => s + w.cpuUs, 0) /
  Math.max(
    1,
    aggregateShards.reduce((s, w) => s + w.rows, 0),
  );
const rankUsPerRequest = rankUs / RECS;
const lines = [
  `## Capacity load test: ${RATE.toLocaleString('en-US')} events/s, ${S} ingest shards, ${P} profile shards, ${A} aggregate shards (${SECONDS} s simulated, ${PRODUCTS} products)`,
  'object (instances)            busiest instance: calls/s   events/s   rows/s   CPU/s (busy)',
  `Worker (any number)           requests ${perSecond(requests).toFixed(0)}/s in all, spread over isolates`,
  `IngestShard (${S})               ${perSecond(max(ingestShards, 'calls')).toFixed(0).padStart(8)} ${perSecond(max(ingestShards, 'events')).toFixed(0).padStart(10)} ${'–'.padStart(8)}   ${pct(perSecond(max(ingestShards, 'cpuUs')))}`,
  `ShopState (1)                 ${perSecond(shopState.calls).toFixed(0).padStart(8)} ${perSecond(shopState.events).toFixed(0).padStart(10)} ${'–'.padStart(8)}   ${pct(perSecond(shopState.cpuUs))}`,
  ...(P > 0
    ? [
        `IdentityDirectory (1)         ${perSecond(directoryWork.calls).toFixed(0).padStart(8)} ${perSecond(directoryWork.events).toFixed(0).padStart(10)} ${'–'.padStart(8)}   ${pct(perSecond(directoryWork.cpuUs))}`,
        `ProfileShard (${P})              ${perSecond(max(profileShardWork, 'calls')).toFixed(0).padStart(8)} ${perSecond(max(profileShardWork, 'events')).toFixed(0).padStart(10)} ${'–'.padStart(8)}   ${pct(perSecond(max(profileShardWork, 'cpuUs')))}`,
      ]
    : []),
  A > 0
    ? `AggregateShard (${A})            ${perSecond(max(aggregateShards, 'calls')).toFixed(0).padStart(8)} ${'–'.padStart(10)} ${perSecond(max(aggregateShards, 'rows')).toFixed(0).padStart(8)}   ${pct(perSecond(max(aggregateShards, 'cpuUs')))}`
    : 'AggregateShard (0)            none: the aggregates are in ShopState',
  '',
  ...(P > 0
    ? [
        `measured here: directory ${(directoryWork.cpuUs / directoryWork.events).toFixed(0)} µs/event; profile shards ${(profileShardWork.reduce((s, w) => s + w.cpuUs, 0) / total).toFixed(0)} µs/event; ${merges} merges`,
      ]
    : []),
  `measured here: ShopState ${P > 0 ? 'learning (catalog, aggregates, sessions)' : 'apply'} ${shopApplyUsPerEvent.toFixed(0)} µs/event ${A > 0 ? 'without' : 'with'} the aggregates; ${rowsPerEvent.toFixed(1)} aggregate rows/event at ${aggUsPerRow.toFixed(1)} µs/row; ranking ${rankUsPerRequest.toFixed(0)} µs/request`,
  `recommendations: ${(shardCalls / RECS).toFixed(2)} aggregate-shard calls per request (snapshots dropped ${snapshotsDropped} times by deliveries); busiest shard ${Math.max(...readsPerShard)} reads for ${RECS} requests`,
  `ShopState ceiling at these costs: ~${Math.round(1_000_000 / shopApplyUsPerEvent).toLocaleString('en-US')} events/s (one thread), less the recommendation reads it serves (${rankUsPerRequest.toFixed(0)} µs each)`,
];
console.log(lines.join('\n'));
