import type { RecommendationResponse, Slot, StoredMessage } from '@trailmark/schema';
import { describe, expect, it } from 'vitest';
import { migrate, migrateModule } from '../lib/migrate';
import type { Sql, SqlValue } from '../lib/sql';
import { openSqlJs } from '../lib/sqljs-sql';
import { SHOP_MIGRATIONS, ShopModel, type IngestItem, type RecommendInput } from '../shop/shop-model';
import { AGGREGATE_OUTBOX_MIGRATIONS, AGGREGATE_OUTBOX_MODULE, AggregateOutbox } from './aggregate-outbox';
import { aggregateShardOf, applyUnits } from './aggregate-rows';
import { AGGREGATE_SHARD_MIGRATIONS } from '../schema-steps/aggregate-shard';
import { answerQuery, fetchIntoCache, rankOverSnapshots, SnapshotCache } from './snapshot-reader';
import { AggregateStore } from '../recommend/aggregate-store';
import { storedTrack } from '../recommend/test-fixtures';

/** A ShopState's model with its outbox, over sql.js. */
async function shop() {
  const { sql, transaction } = await openSqlJs();
  migrate(sql, SHOP_MIGRATIONS);
  migrateModule(sql, AGGREGATE_OUTBOX_MODULE, AGGREGATE_OUTBOX_MIGRATIONS);
  return { sql, transaction, model: new ShopModel(sql), outbox: new AggregateOutbox(sql) };
}

/** Aggregate shards over sql.js, applying units as the AggregateShard object does. */
async function shards(count: number) {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const { sql, transaction } = await openSqlJs();
      migrate(sql, AGGREGATE_SHARD_MIGRATIONS);
      return { sql, transaction, store: new AggregateStore(sql) };
    }),
  );
}

type Shop = Awaited<ReturnType<typeof shop>>;
type Shards = Awaited<ReturnType<typeof shards>>;

/** A shop whose aggregates go through its outbox to `count` shards. */
async function shardedShop(count: number): Promise<{ split: Shop; shards: Shards }> {
  const split = await shop();
  const all = await shards(count);
  split.outbox.setShards(count);
  split.model.aggregates.sink = (rows) => split.outbox.enqueue(rows);
  return { split, shards: all };
}

/** Delivers the outbox; `lose` drops the acknowledgement of some shards' calls (applied, then the delivery failed). */
function deliver(from: Shop, to: Shards, lose: (shard: number) => boolean = () => false): void {
  for (let pass = 0; ; pass++) {
    const waiting = from.outbox.waiting();
    if (waiting.size === 0) return;
    for (const [shard, units] of waiting) {
      const { last } = to[shard]!.transaction(() => applyUnits(to[shard]!.sql, units));
      // A lost acknowledgement: the outbox keeps the units, and the next pass sends them again.
      if (pass > 0 || !lose(shard)) from.transaction(() => from.outbox.delivered(shard, last));
    }
  }
}

const dump = (sql: Sql) => ({
  popularity: sql.exec('SELECT scope, product_id, score, shoppers FROM popularity ORDER BY scope, product_id').toArray(),
  shoppers: sql.exec('SELECT scope, product_id, CAST(shopper AS TEXT) AS shopper FROM popularity_shoppers ORDER BY scope, product_id, 3').toArray(),
  links: sql.exec('SELECT kind, a, b, score FROM links ORDER BY kind, a, b').toArray(),
  totals: sql.exec('SELECT product_id, views, buys FROM item_totals ORDER BY product_id').toArray(),
  repurchase: sql.exec('SELECT product_id, intervals, mean_ms FROM repurchase ORDER BY product_id').toArray(),
});

/** The shards' rows together, ordered as one store's would be. */
function union(all: Shards) {
  const parts = all.map((s) => dump(s.sql));
  const by = (rows: Record<string, SqlValue>[], keys: string[]) =>
    rows.sort((a, b) => {
      for (const k of keys) if (a[k] !== b[k]) return String(a[k]) < String(b[k]) ? -1 : 1;
      return 0;
    });
  return {
    popularity: by(
      parts.flatMap((p) => p.popularity),
      ['scope', 'product_id'],
    ),
    links: by(
      parts.flatMap((p) => p.links),
      ['kind', 'a', 'b'],
    ),
    totals: by(
      parts.flatMap((p) => p.totals),
      ['product_id'],
    ),
    repurchase: by(
      parts.flatMap((p) => p.repurchase),
      ['product_id'],
    ),
    shoppers: by(
      parts.flatMap((p) => p.shoppers),
      ['scope', 'product_id', 'shopper'],
    ),
  };
}

/** Close enough for sums added in another order (floating point). */
function expectSameRows(actual: ReturnType<typeof dump>, expected: ReturnType<typeof dump>) {
  for (const table of ['popularity', 'links', 'totals', 'repurchase', 'shoppers'] as const) {
    expect(actual[table].length, table).toBe(expected[table].length);
    actual[table].forEach((row, i) => {
      for (const [k, v] of Object.entries(expected[table][i]!)) {
        if (typeof v === 'number') expect(row[k] as number, `${table}.${k}`).toBeCloseTo(v, 9);
        else expect(row[k], `${table}.${k}`).toBe(v);
      }
    });
  }
}

let n = 0;
const start = Date.parse('2026-03-01T10:00:00Z');
const REGIONS = [{ country: 'DE', region: 'Bavaria' }, { country: 'US', region: 'Texas' }, { country: 'FR' }];
function track(anonymousId: string, event: string, properties: Record<string, unknown>, dayOffset = 0): StoredMessage {
  const atMs = start + dayOffset * 86_400_000 + n * 1000;
  return storedTrack({ ids: { anonymousId }, event, properties, geo: REGIONS[anonymousId.length % REGIONS.length]!, atMs, messageId: `m${n++}` });
}

/** Shoppers who view, add and order (some of them twice, weeks apart: repurchases), in batches. */
function traffic(): IngestItem[][] {
  const batches: IngestItem[][] = [];
  let rand = 7;
  const next = (k: number) => ((rand = (rand * 48271) % 2147483647), rand % k);
  for (let b = 0; b < 12; b++) {
    const batch: IngestItem[] = [];
    for (let s = 0; s < 15; s++) {
      const shopper = `shopper-${b % 6}-${s}${'x'.repeat(s % 3)}`;
      const product = (i: number) => ({ product_id: `p${(next(40) + i) % 40}`, category: `c${i % 4}`, price: 10 + i, name: `Product ${i}` });
      const seen = [product(0), product(1), product(2)];
      for (const p of seen) batch.push({ message: track(shopper, 'Product Viewed', p, b * 3), idHashes: [] });
      if (s % 2 === 0) batch.push({ message: track(shopper, 'Product Added', seen[1]!, b * 3), idHashes: [] });
      if (s % 3 === 0)
        batch.push({ message: track(shopper, 'Order Completed', { order_id: `o-${b}-${s}`, products: [seen[1], seen[2]] }, b * 3), idHashes: [] });
    }
    batches.push(batch);
  }
  return batches;
}

const slots: { slot: Slot; productId?: string; anonymousId: string }[] = [
  { slot: 'home', anonymousId: 'shopper-1-2xx' },
  { slot: 'home', anonymousId: 'someone-new' },
  { slot: 'product', productId: 'p3', anonymousId: 'shopper-2-1x' },
  { slot: 'cart', anonymousId: 'shopper-0-0' },
  { slot: 'trending', anonymousId: 'shopper-3-4x' },
  { slot: 'reorder', anonymousId: 'shopper-0-3' },
];

function request(s: (typeof slots)[number], nowMs: number): RecommendInput {
  return { writeKey: 'w', slot: s.slot, anonymousId: s.anonymousId, productId: s.productId, limit: 8, geo: REGIONS[0]!, holdoutPercent: 0, nowMs };
}
const items = (r: RecommendationResponse) => r.items.map((i) => [i.productId, i.reason, i.score === undefined ? undefined : Math.round(i.score * 1e6)]);

async function shardedRecommendation(from: Shop, to: Shards, input: RecommendInput, cache = new SnapshotCache(60_000)) {
  const count = to.length;
  return rankOverSnapshots(
    cache,
    (q) =>
      fetchIntoCache(
        cache,
        q,
        count,
        (id) => aggregateShardOf(id, count),
        async (shard, sq) => answerQuery(to[shard]!.store, sq),
      ),
    (reader) => from.model.recommend(input, undefined, reader),
  );
}

// sql.js databases for a shop and its shards take a while to open on a busy machine.
describe('aggregates in shards', { timeout: 60_000 }, () => {
  it('hold exactly the rows one object would, and rank the same', async () => {
    const single = await shop();
    const { split, shards: three } = await shardedShop(3);
    for (const batch of traffic()) {
      single.transaction(() => single.model.ingest(batch));
      split.transaction(() => split.model.ingest(batch));
      deliver(split, three);
    }
    expectSameRows(union(three), dump(single.sql));
    // Nothing of the aggregates stays in the sharded shop's own tables.
    expect(dump(split.sql)).toEqual({ popularity: [], links: [], totals: [], repurchase: [], shoppers: [] });
    // Regions reach the floor for some products and not for others, so the comparison covers both.
    const counts = union(three)
      .popularity.filter((r) => String(r.scope).startsWith('r:'))
      .map((r) => r.shoppers as number);
    expect(Math.max(...counts)).toBeGreaterThanOrEqual(5);
    expect(Math.min(...counts)).toBeLessThan(5);
    expect(three.every((s) => dump(s.sql).popularity.length > 0)).toBe(true);

    const nowMs = start + 40 * 86_400_000;
    for (const s of slots) {
      const { result } = await shardedRecommendation(split, three, request(s, nowMs));
      expect(items(result), s.slot).toEqual(items(single.model.recommend(request(s, nowMs))));
    }
  });

  it('one shard works like one object', async () => {
    const single = await shop();
    const { split, shards: one } = await shardedShop(1);
    for (const batch of traffic().slice(0, 4)) {
      single.transaction(() => single.model.ingest(batch));
      split.transaction(() => split.model.ingest(batch));
      deliver(split, one);
    }
    expectSameRows(union(one), dump(single.sql));
  });

  it('counts each unit once when a delivery is repeated, and a retried batch adds nothing', async () => {
    const single = await shop();
    const { split, shards: three } = await shardedShop(3);
    let lost = 0;
    for (const batch of traffic()) {
      single.transaction(() => single.model.ingest(batch));
      split.transaction(() => split.model.ingest(batch));
      // Shard 1 applies but its acknowledgements get lost twice: the units are delivered again.
      deliver(split, three, (shard) => shard === 1 && lost++ < 2);
      // The drain failed after the profiles: the batch comes again, and has its recorded outcomes.
      split.transaction(() => split.model.ingest(batch));
      deliver(split, three);
    }
    expect(lost).toBeGreaterThanOrEqual(2);
    expectSameRows(union(three), dump(single.sql));
  });

  it('moves a shop from one object to shards without losing a row, in bounded steps', async () => {
    const legacy = await shop();
    const reference = await shop();
    for (const batch of traffic()) {
      legacy.transaction(() => legacy.model.ingest(batch));
      reference.transaction(() => reference.model.ingest(batch));
    }
    const before = dump(legacy.sql);
    expect(legacy.outbox.hasLocalRows()).toBe(true);
    const two = await shards(2);
    legacy.transaction(() => legacy.outbox.setShards(2));
    let steps = 0;
    for (;;) {
      const moved = legacy.transaction(() => legacy.outbox.moveLocalRows(100));
      // A delivery cut short halfway through the move: repeated later, counted once.
      deliver(legacy, two, () => steps === 3);
      steps++;
      if (moved === 0) break;
    }
    deliver(legacy, two);
    expect(steps).toBeGreaterThan(5);
    expect(legacy.outbox.hasLocalRows()).toBe(false);
    expect(legacy.outbox.isEmpty()).toBe(true);
    expectSameRows(union(two), before);

    // Ranked over the shards, the shop recommends what it did before the move; new batches keep adding up.
    const nowMs = start + 40 * 86_400_000;
    for (const s of slots) {
      const { result } = await shardedRecommendation(legacy, two, request(s, nowMs));
      expect(items(result), s.slot).toEqual(items(reference.model.recommend(request(s, nowMs))));
    }
    legacy.model.aggregates.sink = (rows) => legacy.outbox.enqueue(rows);
    const more = traffic()[0]!.map((item) => ({ ...item, message: { ...item.message, messageId: `${item.message.messageId}-later` } }));
    legacy.transaction(() => legacy.model.ingest(more));
    reference.transaction(() => reference.model.ingest(more));
    deliver(legacy, two);
    expectSameRows(union(two), dump(reference.sql));
  });

  it('reads a shard at most once per pass, and a cached snapshot not at all', async () => {
    const { split, shards: three } = await shardedShop(3);
    for (const batch of traffic()) {
      split.transaction(() => split.model.ingest(batch));
      deliver(split, three);
    }
    const cache = new SnapshotCache(60_000);
    const input = request(slots[0]!, start + 40 * 86_400_000);
    const first = await shardedRecommendation(split, three, input, cache);
    expect(first.shardCalls).toBeGreaterThan(0);
    expect(first.shardCalls).toBeLessThanOrEqual(3 * 4);
    const again = await shardedRecommendation(split, three, input, cache);
    expect(again.shardCalls).toBe(0);
    expect(items(again.result)).toEqual(items(first.result));
  });
});

describe('SnapshotCache', () => {
  it('forgets entries after their time and keeps a bounded number', () => {
    let now = 0;
    const cache = new SnapshotCache(1000, () => now, 3);
    cache.set('a', 1);
    now = 999;
    expect(cache.has('a')).toBe(true);
    now = 1001;
    expect(cache.has('a')).toBe(false);
    for (const key of ['b', 'c', 'd', 'e']) cache.set(key, key);
    expect(cache.size).toBe(3);
    expect(cache.has('b')).toBe(false);
    expect(cache.get('e')).toBe('e');
  });
});
