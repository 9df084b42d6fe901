/**
 * Shop-wide aggregates behind the recommendations, kept up to date event by
 * event in ShopState's SQLite: popularity per scope (everything, a region, a
 * category; long-term, trending and sales), item-to-item links (viewed in
 * the same session, weighted by how close; bought together), item totals for
 * normalisation, and typical repurchase intervals.
 *
 * Reads are bounded: top-N by an index, never a scan of history.
 */
import { DAY_MS, decayedWeight, LEGACY_EPOCH_MS, needsRebase, rebaseFactor } from '../lib/decay';
import { applyRows, hasRows, type AggregateRows } from '../aggregates/aggregate-rows';
import { hash53 } from '../lib/hash';
import { FLOOR_SCAN, hasFloor, HOUR_MS, MAX_MIN_SHOPPERS } from './popularity-floor';
import { first, type Sql } from '../lib/sql';

export const HALF_LIFE = {
  popular: 7 * DAY_MS,
  trending: 1 * DAY_MS,
  sold: 30 * DAY_MS,
} as const;

/** Scope names: a region is "country/region". */
export const scope = {
  all: 'all',
  region: (region: string) => `r:${region}`,
  category: (category: string) => `cat:${category}`,
  trendingAll: 't:all',
  trendingRegion: (region: string) => `t:r:${region}`,
  soldAll: 's:all',
  soldRegion: (region: string) => `s:r:${region}`,
};

export type LinkKind = 'v' | 'b';

export interface Scored {
  productId: string;
  score: number;
}

/**
 * Increments are summed in memory while a batch is applied and written once
 * per key by `flush()`: a drain of a thousand events touches the same
 * popular products and pairs many times, and one upsert is far cheaper than
 * many. Reads see only flushed values, which is what a request sees anyway.
 *
 * Popularity scores of a scope share one decay epoch, so ranking a scope
 * compares like with like. When an event is more than MAX_EXPONENT
 * half-lives past it, the scope is rebased: its stored rows are scaled
 * once (one UPDATE over the scope's primary-key range, inside the batch's
 * transaction; once in 512 days for trending, ten years for popularity).
 */
export class AggregateStore {
  /** scope → product → summed decayed weight, relative to the scope's epoch. */
  private popularity = new Map<string, Map<string, number>>();
  /** Epochs read (or moved) during this batch. */
  private epochs = new Map<string, number>();
  private links = new Map<string, number>();
  /** `scope\0product\0contributor key` → the latest hour it counted in this batch, for floored scopes. */
  private shoppers = new Map<string, number>();
  private totals_ = new Map<string, [number, number]>();
  private rebases: AggregateRows['rebases'] = [];
  private repurchases: AggregateRows['repurchases'] = [];
  /**
   * Where flush() sends the batch's rows when the aggregates live in their
   * own objects (aggregates/): ShopState's outbox. Unset, they are written
   * to this store's tables.
   */
  sink: ((rows: AggregateRows) => void) | undefined;
  /** Told the rows flush() wrote to this store's tables, once they are written (the read cache forgets their keys). */
  written: ((rows: AggregateRows) => void) | undefined;

  constructor(private readonly sql: Sql) {}

  /** Starts a batch: forgets whatever a batch that failed before flush() left in memory. */
  begin(): void {
    this.popularity = new Map();
    this.epochs = new Map();
    this.links = new Map();
    this.shoppers = new Map();
    this.totals_ = new Map();
    this.rebases = [];
    this.repurchases = [];
  }

  bumpPopularity(scopeName: string, productId: string, weight: number, atMs: number, halfLifeMs: number): void {
    let epoch = this.epochOf(scopeName);
    if (needsRebase(atMs, halfLifeMs, epoch)) epoch = this.rebase(scopeName, epoch, atMs, halfLifeMs);
    let sums = this.popularity.get(scopeName);
    if (!sums) this.popularity.set(scopeName, (sums = new Map()));
    sums.set(productId, (sums.get(productId) ?? 0) + decayedWeight(weight, atMs, halfLifeMs, epoch));
  }

  /** The decay epoch of a scope's scores. */
  epochOf(scopeName: string): number {
    let epoch = this.epochs.get(scopeName);
    if (epoch === undefined) {
      epoch = first<{ epoch_ms: number }>(this.sql, 'SELECT epoch_ms FROM decay_epochs WHERE scope = ?', scopeName)?.epoch_ms ?? LEGACY_EPOCH_MS;
      this.epochs.set(scopeName, epoch);
    }
    return epoch;
  }

  /** Moves a scope's epoch forward: stored and pending scores are scaled to it. */
  private rebase(scopeName: string, fromEpoch: number, toEpoch: number, halfLifeMs: number): number {
    const factor = rebaseFactor(fromEpoch, toEpoch, halfLifeMs);
    // The stored scores are scaled when the batch is flushed, before its increments (aggregate-rows.ts).
    this.rebases.push([scopeName, factor]);
    this.sql.exec('INSERT INTO decay_epochs (scope, epoch_ms) VALUES (?1, ?2) ON CONFLICT (scope) DO UPDATE SET epoch_ms = ?2', scopeName, toEpoch);
    const sums = this.popularity.get(scopeName);
    if (sums) for (const [productId, score] of sums) sums.set(productId, score * factor);
    this.epochs.set(scopeName, toEpoch);
    return toEpoch;
  }

  /**
   * A shopper counted for a product in a floored scope (see hasFloor) at
   * `atMs`: a contributor key with its hour (popularity-floor.ts).
   */
  noteShopper(scopeName: string, productId: string, profileId: string, atMs: number): void {
    if (!hasFloor(scopeName)) return;
    const key = `${scopeName}\u0000${productId}\u0000${hash53(`${profileId}\n${scopeName}\n${productId}`)}`;
    const hour = Math.floor(atMs / HOUR_MS);
    if (hour > (this.shoppers.get(key) ?? -Infinity)) this.shoppers.set(key, hour);
  }

  bumpLink(kind: LinkKind, a: string, b: string, weight: number): void {
    const key = `${kind}\u0000${a}\u0000${b}`;
    this.links.set(key, (this.links.get(key) ?? 0) + weight);
  }

  bumpTotals(productId: string, views: number, buys: number): void {
    const current = this.totals_.get(productId);
    if (current) {
      current[0] += views;
      current[1] += buys;
    } else {
      this.totals_.set(productId, [views, buys]);
    }
  }

  /** Writes the batch's summed increments (or hands them to the sink); call inside the batch's transaction. */
  flush(): void {
    const rows: AggregateRows = { rebases: this.rebases, popularity: [], links: [], totals: [], repurchases: this.repurchases };
    if (this.shoppers.size > 0) {
      rows.shoppers = [...this.shoppers].map(([key, hour]) => {
        const [scopeName, productId, shopper] = key.split('\u0000') as [string, string, string];
        return [scopeName, productId, Number(shopper), hour];
      });
    }
    for (const [scopeName, sums] of this.popularity) for (const [productId, score] of sums) rows.popularity.push([scopeName, productId, score]);
    for (const [key, score] of this.links) {
      const [kind, a, b] = key.split('\u0000') as [string, string, string];
      rows.links.push([kind, a, b, score]);
    }
    for (const [productId, [views, buys]] of this.totals_) rows.totals.push([productId, views, buys]);
    if (this.sink) {
      if (hasRows(rows)) this.sink(rows);
    } else {
      applyRows(this.sql, rows);
      this.written?.(rows);
    }
    this.begin();
  }

  recordRepurchase(productId: string, intervalMs: number): void {
    this.repurchases.push([productId, intervalMs]);
  }

  /**
   * A scope's best products. `minShoppers` (> 1, a floored scope): only
   * products that many distinct shoppers counted for, among the scope's
   * FLOOR_SCAN × limit best.
   */
  top(scopeName: string, limit: number, minShoppers = 0): Scored[] {
    const floored = minShoppers > 1 && hasFloor(scopeName);
    return this.sql
      .exec<{ product_id: string; score: number }>(
        floored
          ? `SELECT product_id, score FROM (SELECT product_id, score, shoppers FROM popularity WHERE scope = ?1 ORDER BY score DESC LIMIT ?2 * ${FLOOR_SCAN})
             WHERE shoppers >= ?3 ORDER BY score DESC LIMIT ?2`
          : 'SELECT product_id, score FROM popularity WHERE scope = ?1 ORDER BY score DESC LIMIT ?2',
        scopeName,
        limit,
        ...(floored ? [Math.min(minShoppers, MAX_MIN_SHOPPERS)] : []),
      )
      .toArray()
      .map((row) => ({ productId: row.product_id, score: row.score }));
  }

  neighbours(kind: LinkKind, productId: string, limit: number): Scored[] {
    return this.sql
      .exec<{ b: string; score: number }>('SELECT b, score FROM links WHERE kind = ? AND a = ? ORDER BY score DESC LIMIT ?', kind, productId, limit)
      .toArray()
      .map((row) => ({ productId: row.b, score: row.score }));
  }

  totals(productIds: readonly string[]): Map<string, { views: number; buys: number }> {
    const found = new Map<string, { views: number; buys: number }>();
    if (productIds.length === 0) return found;
    for (const row of this.sql.exec<{ product_id: string; views: number; buys: number }>(
      'SELECT product_id, views, buys FROM item_totals WHERE product_id IN (SELECT value FROM json_each(?))',
      JSON.stringify(productIds),
    )) {
      found.set(row.product_id, { views: row.views, buys: row.buys });
    }
    return found;
  }

  repurchaseIntervals(productIds: readonly string[]): Map<string, number> {
    const found = new Map<string, number>();
    if (productIds.length === 0) return found;
    for (const row of this.sql.exec<{ product_id: string; mean_ms: number }>(
      'SELECT product_id, mean_ms FROM repurchase WHERE product_id IN (SELECT value FROM json_each(?))',
      JSON.stringify(productIds),
    )) {
      found.set(row.product_id, row.mean_ms);
    }
    return found;
  }
}
