/**
 * Reading sharded aggregates for a recommendation without calling every
 * shard each time. The ranking code (recommend/rank.ts, strategies.ts) reads
 * synchronously through an AggregateReader; over shards, it runs against
 * snapshots kept in memory for a short time:
 *
 *  1. rank with what the snapshot cache holds, noting every key it asked for
 *     and did not find (a miss answers as empty);
 *  2. fetch the misses, one call per shard that owns some (a scope's top-N
 *     from every shard, merged; a product's neighbours, totals and repurchase
 *     interval from its own shard), into the cache;
 *  3. rank again, until nothing is missing (a few passes: neighbours lead to
 *     candidates, whose totals are asked next).
 *
 * A scope's global top-N is therefore built once per scope per cache
 * lifetime, not per request. The owner of the cache drops it whenever it
 * has written to the shards, so a shopper's stored events count at once.
 * Pure: the fetch is given; tested beside.
 */
import type { LinkKind, Scored } from '../recommend/aggregate-store';

/** What the ranking reads of the aggregates (AggregateStore implements it over one SQLite). */
export interface AggregateReader {
  /** `minShoppers`: the floor of a scope narrower than the site (recommend/popularity-floor.ts). */
  top(scopeName: string, limit: number, minShoppers?: number): Scored[];
  neighbours(kind: LinkKind, productId: string, limit: number): Scored[];
  totals(productIds: readonly string[]): Map<string, { views: number; buys: number }>;
  repurchaseIntervals(productIds: readonly string[]): Map<string, number>;
}

/** Keys to read from the shards. */
export interface AggregateQuery {
  tops: { scope: string; limit: number; minShoppers?: number }[];
  neighbours: { kind: LinkKind; productId: string; limit: number }[];
  totals: string[];
  repurchase: string[];
}

export interface AggregateAnswer {
  tops: Scored[][];
  neighbours: Scored[][];
  totals: ({ views: number; buys: number } | null)[];
  repurchase: (number | null)[];
}

export const emptyQuery = (): AggregateQuery => ({ tops: [], neighbours: [], totals: [], repurchase: [] });
const isEmptyQuery = (q: AggregateQuery) => q.tops.length + q.neighbours.length + q.totals.length + q.repurchase.length === 0;

/** Answers a query from one store: what an aggregate shard does. */
export function answerQuery(store: AggregateReader, q: AggregateQuery): AggregateAnswer {
  const totals = store.totals(q.totals);
  const repurchase = store.repurchaseIntervals(q.repurchase);
  return {
    tops: q.tops.map((t) => store.top(t.scope, t.limit, t.minShoppers)),
    neighbours: q.neighbours.map((n) => store.neighbours(n.kind, n.productId, n.limit)),
    totals: q.totals.map((id) => totals.get(id) ?? null),
    repurchase: q.repurchase.map((id) => repurchase.get(id) ?? null),
  };
}

const topKey = (scope: string, limit: number, minShoppers = 0) => `t\u0000${scope}\u0000${limit}\u0000${minShoppers}`;
const neighbourKey = (kind: string, productId: string, limit: number) => `n\u0000${kind}\u0000${productId}\u0000${limit}`;
const totalKey = (productId: string) => `s\u0000${productId}`;
const repurchaseKey = (productId: string) => `r\u0000${productId}`;

/** Snapshots of aggregate reads, each kept for `ttlMs`. */
export class SnapshotCache {
  private readonly entries = new Map<string, { value: unknown; at: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    /** Entries kept at most (the oldest go first). */
    private readonly maxEntries = 50_000,
  ) {}

  has(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    if (this.now() - entry.at > this.ttlMs) {
      this.entries.delete(key);
      return false;
    }
    return true;
  }

  get<T>(key: string): T {
    return this.entries.get(key)!.value as T;
  }

  set(key: string, value: unknown): void {
    this.entries.delete(key);
    this.entries.set(key, { value, at: this.now() });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

/** A reader over the cache that notes what it did not find. */
class RecordingReader implements AggregateReader {
  readonly missing = emptyQuery();
  private readonly asked = new Set<string>();

  constructor(private readonly cache: SnapshotCache) {}

  private miss(key: string, add: () => void): void {
    if (this.asked.has(key)) return;
    this.asked.add(key);
    add();
  }

  top(scope: string, limit: number, minShoppers?: number): Scored[] {
    const key = topKey(scope, limit, minShoppers);
    if (this.cache.has(key)) return this.cache.get<Scored[]>(key);
    this.miss(key, () => this.missing.tops.push({ scope, limit, ...(minShoppers ? { minShoppers } : {}) }));
    return [];
  }

  neighbours(kind: LinkKind, productId: string, limit: number): Scored[] {
    const key = neighbourKey(kind, productId, limit);
    if (this.cache.has(key)) return this.cache.get<Scored[]>(key);
    this.miss(key, () => this.missing.neighbours.push({ kind, productId, limit }));
    return [];
  }

  totals(productIds: readonly string[]): Map<string, { views: number; buys: number }> {
    const found = new Map<string, { views: number; buys: number }>();
    for (const id of productIds) {
      const key = totalKey(id);
      if (!this.cache.has(key)) this.miss(key, () => this.missing.totals.push(id));
      else {
        const total = this.cache.get<{ views: number; buys: number } | null>(key);
        if (total) found.set(id, total);
      }
    }
    return found;
  }

  repurchaseIntervals(productIds: readonly string[]): Map<string, number> {
    const found = new Map<string, number>();
    for (const id of productIds) {
      const key = repurchaseKey(id);
      if (!this.cache.has(key)) this.miss(key, () => this.missing.repurchase.push(id));
      else {
        const interval = this.cache.get<number | null>(key);
        if (interval !== null) found.set(id, interval);
      }
    }
    return found;
  }
}

/** The shard that owns a product, of `shards`. */
export type ShardOf = (productId: string) => number;

/**
 * Reads the query's keys from the shards, one call per shard involved, and
 * fills the cache: top-N of a scope merged over every shard.
 */
export async function fetchIntoCache(
  cache: SnapshotCache,
  q: AggregateQuery,
  shards: number,
  shardOf: ShardOf,
  read: (shard: number, q: AggregateQuery) => Promise<AggregateAnswer>,
): Promise<number> {
  const perShard = new Map<number, AggregateQuery>();
  const part = (shard: number) => {
    let p = perShard.get(shard);
    if (!p) perShard.set(shard, (p = emptyQuery()));
    return p;
  };
  if (q.tops.length > 0) for (let shard = 0; shard < shards; shard++) part(shard).tops.push(...q.tops);
  for (const n of q.neighbours) part(shardOf(n.productId)).neighbours.push(n);
  for (const id of q.totals) part(shardOf(id)).totals.push(id);
  for (const id of q.repurchase) part(shardOf(id)).repurchase.push(id);
  const answers = await Promise.all([...perShard].map(async ([shard, sq]) => [sq, await read(shard, sq)] as const));
  const tops = q.tops.map(() => [] as Scored[]);
  for (const [sq, answer] of answers) {
    sq.neighbours.forEach((n, i) => cache.set(neighbourKey(n.kind, n.productId, n.limit), answer.neighbours[i] ?? []));
    sq.totals.forEach((id, i) => cache.set(totalKey(id), answer.totals[i] ?? null));
    sq.repurchase.forEach((id, i) => cache.set(repurchaseKey(id), answer.repurchase[i] ?? null));
    // Every shard was asked the same tops, in the same order.
    answer.tops.forEach((scored, i) => tops[i]!.push(...scored));
  }
  q.tops.forEach((t, i) => cache.set(topKey(t.scope, t.limit, t.minShoppers), mergeTop(tops[i]!, t.limit)));
  return perShard.size;
}

/** The global top-N of a scope from the shards' own top-N lists (a product is in one shard only). */
export function mergeTop(scored: Scored[], limit: number): Scored[] {
  return [...scored].sort((a, b) => b.score - a.score || (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0)).slice(0, limit);
}

/**
 * Runs `rank` over the cached snapshots, fetching what it missed and ranking
 * again, at most `maxPasses` times. Returns the last ranking and the shard
 * calls it took.
 */
export async function rankOverSnapshots<T>(
  cache: SnapshotCache,
  fetch: (q: AggregateQuery) => Promise<number>,
  rank: (reader: AggregateReader) => T,
  maxPasses = 5,
): Promise<{ result: T; shardCalls: number }> {
  let shardCalls = 0;
  for (let pass = 1; ; pass++) {
    const reader = new RecordingReader(cache);
    const result = rank(reader);
    if (isEmptyQuery(reader.missing) || pass >= maxPasses) return { result, shardCalls };
    shardCalls += await fetch(reader.missing);
  }
}
