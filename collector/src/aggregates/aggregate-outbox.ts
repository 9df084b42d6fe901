/**
 * ShopState's side of the aggregate shards: the layout (how many shards the
 * site's aggregates live in; 0 is the single-object layout, in ShopState's
 * own tables) and an outbox of units to deliver to them.
 *
 * A drained batch's aggregate rows are split by shard and written here in
 * the batch's own transaction, so they exist exactly when its profiles and
 * applied outcomes do: a retried drain gets the recorded outcomes and adds no
 * unit. Units are then delivered in order, per shard, and deleted once the
 * shard has them; a shard applies each unit id at most once (it keeps the
 * last one it applied), so a delivery repeated after a failure counts
 * nothing twice.
 *
 * Moving a shop from the single-object layout: `moveLocalRows` takes a bounded
 * chunk of ShopState's own aggregate rows out of its tables and into the
 * outbox, in one transaction, until none are left. Over Sql: tested beside.
 */
import type { Sql } from '../lib/sql';
import { emptyRows, hasRows, splitRows, type AggregateRows } from './aggregate-rows';

/** The name each object counts this module's schema steps under (lib/migrate.ts migrateModule): never renamed. */
export const AGGREGATE_OUTBOX_MODULE = 'aggregate-outbox';

/** The module's schema steps, frozen as shipped (lib/migrate.ts migrateModule, module "aggregate-outbox"). */
export { AGGREGATE_OUTBOX_MIGRATIONS } from '../schema-steps/aggregate-outbox';

export interface AggregateUnit {
  unitId: number;
  rows: AggregateRows;
}

/** Units per shard per delivery call, so one call stays bounded. */
const UNITS_PER_DELIVERY = 100;

export class AggregateOutbox {
  /**
   * The layout as last read: every recommendation asks, and only setShards
   * (this object) changes it, so it is read again only after that.
   */
  private known: number | undefined;

  constructor(private readonly sql: Sql) {}

  /** The shards the aggregates live in; 0: in this object's own tables. */
  shards(): number {
    this.known ??= this.sql.exec<{ shards: number }>('SELECT shards FROM aggregate_layout WHERE id = 1').toArray()[0]?.shards ?? 0;
    return this.known;
  }

  setShards(shards: number): void {
    this.known = undefined;
    this.sql.exec('INSERT INTO aggregate_layout (id, shards) VALUES (1, ?1) ON CONFLICT (id) DO UPDATE SET shards = ?1', shards);
  }

  /** Adds a batch's rows, split by shard; call inside the batch's transaction. */
  enqueue(rows: AggregateRows): void {
    const shards = this.shards();
    if (shards < 1) throw new Error('the aggregates of this site are kept here, not in shards');
    for (const [shard, part] of splitRows(rows, shards)) {
      this.sql.exec('INSERT INTO aggregate_outbox (shard, rows) VALUES (?, ?)', shard, JSON.stringify(part));
    }
  }

  /** The oldest waiting units of each shard, in order. */
  waiting(): Map<number, AggregateUnit[]> {
    const units = new Map<number, AggregateUnit[]>();
    const shards = this.sql.exec<{ shard: number }>('SELECT DISTINCT shard FROM aggregate_outbox').toArray();
    for (const { shard } of shards) {
      const rows = this.sql
        .exec<{ unit_id: number; rows: string }>(
          'SELECT unit_id, rows FROM aggregate_outbox WHERE shard = ? ORDER BY unit_id LIMIT ?',
          shard,
          UNITS_PER_DELIVERY,
        )
        .toArray();
      units.set(
        shard,
        rows.map((row) => ({ unitId: row.unit_id, rows: JSON.parse(row.rows) as AggregateRows })),
      );
    }
    return units;
  }

  /** The shard has applied its units up to `unitId`. */
  delivered(shard: number, unitId: number): void {
    this.sql.exec('DELETE FROM aggregate_outbox WHERE shard = ? AND unit_id <= ?', shard, unitId);
  }

  isEmpty(): boolean {
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM (SELECT 1 FROM aggregate_outbox LIMIT 1)').one().n === 0;
  }

  /** Is anything left in this object's own aggregate tables (the single-object layout)? */
  hasLocalRows(): boolean {
    return (
      this.sql
        .exec<{ n: number }>(
          `SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM popularity LIMIT 1)) + (SELECT COUNT(*) FROM (SELECT 1 FROM links LIMIT 1))
              + (SELECT COUNT(*) FROM (SELECT 1 FROM item_totals LIMIT 1)) + (SELECT COUNT(*) FROM (SELECT 1 FROM repurchase LIMIT 1)) AS n`,
        )
        .one().n > 0
    );
  }

  /**
   * Moves at most `limit` rows of this object's own aggregate tables into the
   * outbox (taken out of the tables in the same transaction); returns how
   * many. Call inside a transaction, after setShards.
   */
  moveLocalRows(limit: number): number {
    const rows = emptyRows();
    rows.repurchaseMeans = [];
    let left = limit;
    const take = <T extends Record<string, string | number>>(query: string) => {
      if (left <= 0) return [] as T[];
      const found = this.sql.exec<T>(query, left).toArray();
      left -= found.length;
      return found;
    };
    for (const r of take<{ scope: string; product_id: string; score: number; shoppers: number }>(
      'SELECT scope, product_id, score, shoppers FROM popularity LIMIT ?',
    )) {
      rows.popularity.push(r.shoppers > 0 ? [r.scope, r.product_id, r.score, r.shoppers] : [r.scope, r.product_id, r.score]);
      this.sql.exec('DELETE FROM popularity WHERE scope = ? AND product_id = ?', r.scope, r.product_id);
    }
    // After the popularity rows: a shard counts the contributors against the row it already has.
    for (const r of take<{ scope: string; product_id: string; shopper: number; hour: number }>(
      'SELECT scope, product_id, shopper, hour FROM popularity_shoppers LIMIT ?',
    )) {
      (rows.shoppers ??= []).push([r.scope, r.product_id, r.shopper, r.hour]);
      this.sql.exec('DELETE FROM popularity_shoppers WHERE scope = ? AND product_id = ? AND shopper = ?', r.scope, r.product_id, r.shopper);
    }
    for (const r of take<{ kind: string; a: string; b: string; score: number }>('SELECT kind, a, b, score FROM links LIMIT ?')) {
      rows.links.push([r.kind, r.a, r.b, r.score]);
      this.sql.exec('DELETE FROM links WHERE kind = ? AND a = ? AND b = ?', r.kind, r.a, r.b);
    }
    for (const r of take<{ product_id: string; views: number; buys: number }>('SELECT product_id, views, buys FROM item_totals LIMIT ?')) {
      rows.totals.push([r.product_id, r.views, r.buys]);
      this.sql.exec('DELETE FROM item_totals WHERE product_id = ?', r.product_id);
    }
    for (const r of take<{ product_id: string; intervals: number; mean_ms: number }>('SELECT product_id, intervals, mean_ms FROM repurchase LIMIT ?')) {
      rows.repurchaseMeans.push([r.product_id, r.intervals, r.mean_ms]);
      this.sql.exec('DELETE FROM repurchase WHERE product_id = ?', r.product_id);
    }
    if (hasRows(rows)) this.enqueue(rows);
    return limit - left;
  }
}
