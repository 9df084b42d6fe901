/**
 * The increments of a batch to the shop-wide aggregates, as rows: what
 * AggregateStore writes to its own tables when the aggregates live in
 * ShopState, and what it hands to the aggregate shards when they live there
 * (aggregate-shard.ts). One writer, `applyRows`, serves both, so the two
 * layouts hold the same numbers.
 *
 * A row belongs to the shard of the product it is keyed on: a popularity
 * row, an item total and a repurchase interval to their product's, a link to
 * its source product's (so a product's neighbours are all in one shard). A
 * scope's decay epoch is the same in every shard (ShopState keeps it); moving
 * it scales that scope in every shard. Pure over Sql: tested beside.
 */
import { hash53 } from '../lib/hash';
import type { Sql } from '../lib/sql';
import { MAX_MIN_SHOPPERS } from '../recommend/popularity-floor';

export interface AggregateRows {
  /** Scopes whose decay epoch moved in this batch, with the factor their stored scores are scaled by; applied before the increments. */
  rebases: [scope: string, factor: number][];
  /** `shoppers`: the row's distinct-shopper count when a shop's rows move to their shards (applyRows keeps the larger). */
  popularity: [scope: string, productId: string, score: number, shoppers?: number][];
  /** Contributor keys of shoppers counted for a product in a floored scope (aggregate-store.ts hasFloor). */
  shoppers?: [scope: string, productId: string, shopper: number][];
  links: [kind: string, a: string, b: string, score: number][];
  totals: [productId: string, views: number, buys: number][];
  /** In the order they happened (a running mean). */
  repurchases: [productId: string, intervalMs: number][];
  /** Whole repurchase rows (a shop's aggregates moving to their shards): joined as weighted means. */
  repurchaseMeans?: [productId: string, intervals: number, meanMs: number][];
}

export const emptyRows = (): AggregateRows => ({ rebases: [], popularity: [], links: [], totals: [], repurchases: [] });

export const hasRows = (rows: AggregateRows): boolean =>
  rows.rebases.length + rows.popularity.length + rows.links.length + rows.totals.length + rows.repurchases.length + (rows.repurchaseMeans?.length ?? 0) + (rows.shoppers?.length ?? 0) > 0;

/** The shard of a product, of `shards`. */
export const aggregateShardOf = (productId: string, shards: number): number => hash53(productId) % shards;

/** Splits a batch's rows by shard; a rebase goes to every shard. Shards without rows get none. */
export function splitRows(rows: AggregateRows, shards: number): Map<number, AggregateRows> {
  const parts = new Map<number, AggregateRows>();
  const part = (shard: number) => {
    let p = parts.get(shard);
    if (!p) parts.set(shard, (p = emptyRows()));
    return p;
  };
  if (rows.rebases.length > 0) for (let shard = 0; shard < shards; shard++) part(shard).rebases.push(...rows.rebases);
  for (const row of rows.popularity) part(aggregateShardOf(row[1], shards)).popularity.push(row);
  for (const row of rows.shoppers ?? []) (part(aggregateShardOf(row[1], shards)).shoppers ??= []).push(row);
  for (const row of rows.links) part(aggregateShardOf(row[1], shards)).links.push(row);
  for (const row of rows.totals) part(aggregateShardOf(row[0], shards)).totals.push(row);
  for (const row of rows.repurchases) part(aggregateShardOf(row[0], shards)).repurchases.push(row);
  for (const row of rows.repurchaseMeans ?? []) (part(aggregateShardOf(row[0], shards)).repurchaseMeans ??= []).push(row);
  return parts;
}

/**
 * Adds rows to the aggregate tables (AGGREGATE_SCHEMA); call inside a
 * transaction. One statement per table, its rows as one JSON parameter: a
 * drain touches thousands of keys, and a statement per key cost more than
 * the upserts themselves.
 */
export function applyRows(sql: Sql, rows: AggregateRows): void {
  for (const [scope, factor] of rows.rebases) {
    sql.exec('UPDATE popularity SET score = score * ? WHERE scope = ?', factor, scope);
    // Scores that decayed below the smallest double carry nothing.
    sql.exec('DELETE FROM popularity WHERE scope = ? AND score = 0', scope);
  }
  if (rows.popularity.length > 0) {
    sql.exec(
      `INSERT INTO popularity (scope, product_id, score, shoppers)
       SELECT r.value ->> 0, r.value ->> 1, r.value ->> 2, coalesce(r.value ->> 3, 0) FROM json_each(?) AS r WHERE true
       ON CONFLICT (scope, product_id) DO UPDATE SET score = score + excluded.score, shoppers = max(shoppers, excluded.shoppers)`,
      JSON.stringify(rows.popularity),
    );
  }
  if (rows.shoppers?.length) countShoppers(sql, rows.shoppers);
  if (rows.links.length > 0) {
    sql.exec(
      `INSERT INTO links (kind, a, b, score)
       SELECT r.value ->> 0, r.value ->> 1, r.value ->> 2, r.value ->> 3 FROM json_each(?) AS r WHERE true
       ON CONFLICT (kind, a, b) DO UPDATE SET score = score + excluded.score`,
      JSON.stringify(rows.links),
    );
  }
  if (rows.totals.length > 0) {
    sql.exec(
      `INSERT INTO item_totals (product_id, views, buys)
       SELECT r.value ->> 0, r.value ->> 1, r.value ->> 2 FROM json_each(?) AS r WHERE true
       ON CONFLICT (product_id) DO UPDATE SET views = views + excluded.views, buys = buys + excluded.buys`,
      JSON.stringify(rows.totals),
    );
  }
  for (const [productId, intervals, meanMs] of rows.repurchaseMeans ?? []) {
    sql.exec(
      `INSERT INTO repurchase (product_id, intervals, mean_ms) VALUES (?1, ?2, ?3)
       ON CONFLICT (product_id) DO UPDATE SET mean_ms = (mean_ms * intervals + ?3 * ?2) / (intervals + ?2), intervals = intervals + ?2`,
      productId,
      intervals,
      meanMs,
    );
  }
  for (const [productId, intervalMs] of rows.repurchases) {
    sql.exec(
      `INSERT INTO repurchase (product_id, intervals, mean_ms) VALUES (?1, 1, ?2)
       ON CONFLICT (product_id) DO UPDATE SET mean_ms = (mean_ms * intervals + ?2) / (intervals + 1), intervals = intervals + 1`,
      productId,
      intervalMs,
    );
  }
}

/**
 * Distinct shoppers per (floored scope, product), after the batch's
 * popularity rows: new contributor keys are kept while the product has fewer
 * than MAX_MIN_SHOPPERS, the count is what they number, and once it reaches
 * MAX_MIN_SHOPPERS the count stays and the keys go.
 */
function countShoppers(sql: Sql, shoppers: NonNullable<AggregateRows['shoppers']>): void {
  const rows = JSON.stringify(shoppers);
  const touched = 'SELECT DISTINCT r.value ->> 0, r.value ->> 1 FROM json_each(?1) AS r';
  sql.exec(
    `INSERT OR IGNORE INTO popularity_shoppers (scope, product_id, shopper)
     SELECT r.value ->> 0, r.value ->> 1, r.value ->> 2 FROM json_each(?1) AS r
     WHERE coalesce((SELECT p.shoppers FROM popularity AS p WHERE p.scope = r.value ->> 0 AND p.product_id = r.value ->> 1), 0) < ?2`,
    rows,
    MAX_MIN_SHOPPERS,
  );
  sql.exec(
    `UPDATE popularity SET shoppers = min(?2, (SELECT count(*) FROM popularity_shoppers AS s WHERE s.scope = popularity.scope AND s.product_id = popularity.product_id))
     WHERE shoppers < ?2 AND (scope, product_id) IN (${touched})`,
    rows,
    MAX_MIN_SHOPPERS,
  );
  sql.exec(
    `DELETE FROM popularity_shoppers WHERE (scope, product_id) IN (SELECT scope, product_id FROM popularity WHERE shoppers >= ?2 AND (scope, product_id) IN (${touched}))`,
    rows,
    MAX_MIN_SHOPPERS,
  );
}

/** The tables of an aggregate shard: the aggregates, and the last unit applied. */
export const AGGREGATE_SHARD_TABLES = `
CREATE TABLE IF NOT EXISTS applied_units (
  id        INTEGER PRIMARY KEY CHECK (id = 1),
  last_unit INTEGER NOT NULL
);`;

/**
 * Applies units in order, each at most once (a unit id at or below the last
 * applied one is a repeat); returns the last unit id applied. Call inside a
 * transaction.
 */
export function applyUnits(sql: Sql, units: readonly { unitId: number; rows: AggregateRows }[]): { last: number; applied: number; repeats: number } {
  let last = sql.exec<{ last_unit: number }>('SELECT last_unit FROM applied_units WHERE id = 1').toArray()[0]?.last_unit ?? 0;
  let applied = 0;
  for (const unit of units) {
    if (unit.unitId <= last) continue;
    applyRows(sql, unit.rows);
    last = unit.unitId;
    applied++;
  }
  sql.exec('INSERT INTO applied_units (id, last_unit) VALUES (1, ?1) ON CONFLICT (id) DO UPDATE SET last_unit = ?1', last);
  return { last, applied, repeats: units.length - applied };
}
