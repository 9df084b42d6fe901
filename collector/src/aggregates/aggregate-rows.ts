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
import { floorWindowHours, MAX_MIN_SHOPPERS } from '../recommend/popularity-floor';

export interface AggregateRows {
  /** Scopes whose decay epoch moved in this batch, with the factor their stored scores are scaled by; applied before the increments. */
  rebases: [scope: string, factor: number][];
  /** `shoppers`: the row's distinct-shopper count when a shop's rows move to their shards (applyRows keeps the larger). */
  popularity: [scope: string, productId: string, score: number, shoppers?: number][];
  /** Contributor keys of shoppers counted for a product in a floored scope, with the hour they counted (popularity-floor.ts); units written before hours were kept have none (hour 0). */
  shoppers?: [scope: string, productId: string, shopper: number, hour?: number][];
  links: [kind: string, a: string, b: string, score: number][];
  totals: [productId: string, views: number, buys: number][];
  /** In the order they happened (a running mean). */
  repurchases: [productId: string, intervalMs: number][];
  /** Whole repurchase rows (a shop's aggregates moving to their shards): joined as weighted means. */
  repurchaseMeans?: [productId: string, intervals: number, meanMs: number][];
}

export const emptyRows = (): AggregateRows => ({ rebases: [], popularity: [], links: [], totals: [], repurchases: [] });

export const hasRows = (rows: AggregateRows): boolean =>
  rows.rebases.length +
    rows.popularity.length +
    rows.links.length +
    rows.totals.length +
    rows.repurchases.length +
    (rows.repurchaseMeans?.length ?? 0) +
    (rows.shoppers?.length ?? 0) >
  0;

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
 * Adds rows to the aggregate tables (schema-steps/shop-state.ts, aggregate-shard.ts); call inside a
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
 * popularity rows (popularity-floor.ts): the batch's contributor keys are
 * kept with the latest hour each counted; then, for each (scope, product)
 * the batch touched, only the MAX_MIN_SHOPPERS newest keys within the
 * scope's window of the newest stay (enough to decide any floor up to it:
 * a key that goes is older than every one kept), and the count is what
 * they number.
 * A contribution replayed late, older than the window, counts for nothing.
 */
function countShoppers(sql: Sql, shoppers: NonNullable<AggregateRows['shoppers']>): void {
  const touched = new Map<string, [scope: string, productId: string, windowHours: number]>();
  for (const [scopeName, productId] of shoppers) {
    const windowHours = floorWindowHours(scopeName);
    if (windowHours !== undefined) touched.set(`${scopeName}\u0000${productId}`, [scopeName, productId, windowHours]);
  }
  const touchedJson = JSON.stringify([...touched.values()]);
  sql.exec(
    `INSERT INTO popularity_shoppers (scope, product_id, shopper, hour)
     SELECT r.value ->> 0, r.value ->> 1, r.value ->> 2, coalesce(r.value ->> 3, 0) FROM json_each(?) AS r WHERE true
     ON CONFLICT (scope, product_id, shopper) DO UPDATE SET hour = max(hour, excluded.hour)`,
    JSON.stringify(shoppers),
  );
  // Most (scope, product) pairs keep every key: the window functions run only for those with too many or too old.
  sql.exec(
    `WITH pruned AS (
       SELECT t.value ->> 0 AS scope, t.value ->> 1 AS product_id, t.value ->> 2 AS window_hours
       FROM json_each(?1) AS t JOIN popularity_shoppers AS s ON s.scope = t.value ->> 0 AND s.product_id = t.value ->> 1
       GROUP BY 1, 2 HAVING count(*) > ?2 OR min(s.hour) < max(s.hour) - window_hours
     )
     DELETE FROM popularity_shoppers WHERE (scope, product_id, shopper) IN (
       SELECT scope, product_id, shopper FROM (
         SELECT s.scope, s.product_id, s.shopper, s.hour, p.window_hours,
                row_number() OVER (PARTITION BY s.scope, s.product_id ORDER BY s.hour DESC, s.shopper) AS nth,
                max(s.hour) OVER (PARTITION BY s.scope, s.product_id) AS newest
         FROM pruned AS p JOIN popularity_shoppers AS s ON s.scope = p.scope AND s.product_id = p.product_id
       ) WHERE nth > ?2 OR hour < newest - window_hours
     )`,
    touchedJson,
    MAX_MIN_SHOPPERS,
  );
  sql.exec(
    `UPDATE popularity SET shoppers = (SELECT count(*) FROM popularity_shoppers AS s WHERE s.scope = popularity.scope AND s.product_id = popularity.product_id)
     WHERE (scope, product_id) IN (SELECT t.value ->> 0, t.value ->> 1 FROM json_each(?1) AS t)`,
    touchedJson,
  );
}

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
