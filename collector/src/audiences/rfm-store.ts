/**
 * A host's customers' RFM inputs, kept as they change, so the site's
 * boundaries can be refreshed at any time without reading profiles:
 *
 * - `audience_rfm`: per customer (a profile with orders) its order count,
 *   revenue and latest order time, indexed by each, so when a boundary
 *   moves the customers it re-scores are found by range, not by a scan;
 * - `audience_rfm_bins`: how many customers fall in each sketch bin
 *   (rfm.ts) of frequency and monetary, and in each hour of their latest
 *   order for recency, so a summary reads a few hundred rows, whatever the
 *   number of customers.
 *
 * `track` runs in the profile-apply transaction whenever a profile's orders
 * may have changed (an order, a merge), `drop` when a profile goes.
 */
import { DAY_MS } from '../lib/decay';
import { first, type Sql } from '../lib/sql';
import { addBinToSketch, addToSketch, emptyRfmSummary, sketchBin, type BoundaryShift, type RfmSummary } from './rfm';

const HOUR_MS = 3_600_000;
/** The bin of values ≤ 0 (a free order's revenue). */
const ZERO_BIN = -2_147_483_648;

export interface RfmInputs {
  orders: number;
  revenue: number;
  lastOrderAt: number | undefined;
}

type Row = { orders: number; revenue: number; last_order_at: number };

const binsOf = (row: Row) =>
  [
    ['frequency', sketchBin(row.orders) ?? ZERO_BIN],
    ['monetary', sketchBin(row.revenue) ?? ZERO_BIN],
    ['recency', Math.floor(row.last_order_at / HOUR_MS)],
  ] as const;

export class RfmStore {
  constructor(private readonly sql: Sql) {}

  /** A profile's inputs now; a profile without orders is no customer. */
  track(profileId: string, inputs: RfmInputs): void {
    const old = first<Row>(this.sql, 'SELECT orders, revenue, last_order_at FROM audience_rfm WHERE profile_id = ?', profileId);
    const next: Row | undefined =
      inputs.orders > 0 && inputs.lastOrderAt !== undefined ? { orders: inputs.orders, revenue: inputs.revenue, last_order_at: inputs.lastOrderAt } : undefined;
    if (old && next && old.orders === next.orders && old.revenue === next.revenue && old.last_order_at === next.last_order_at) return;
    if (old) this.count(old, -1);
    if (!next) {
      if (old) this.sql.exec('DELETE FROM audience_rfm WHERE profile_id = ?', profileId);
      return;
    }
    this.count(next, 1);
    this.sql.exec(
      `INSERT INTO audience_rfm (profile_id, orders, revenue, last_order_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (profile_id) DO UPDATE SET orders = excluded.orders, revenue = excluded.revenue, last_order_at = excluded.last_order_at`,
      profileId,
      next.orders,
      next.revenue,
      next.last_order_at,
    );
  }

  drop(profileId: string): void {
    this.track(profileId, { orders: 0, revenue: 0, lastOrderAt: undefined });
  }

  private count(row: Row, delta: number): void {
    for (const [metric, bin] of binsOf(row)) {
      this.sql.exec(
        'INSERT INTO audience_rfm_bins (metric, bin, n) VALUES (?, ?, ?) ON CONFLICT (metric, bin) DO UPDATE SET n = n + excluded.n',
        metric,
        bin,
        delta,
      );
    }
    if (delta < 0) this.sql.exec('DELETE FROM audience_rfm_bins WHERE n <= 0');
  }

  /** The mergeable summary of this host's customers at `now` (rfm.ts); reads the bins only. */
  summary(now: number): RfmSummary {
    const summary = emptyRfmSummary(now);
    for (const row of this.sql.exec<{ metric: string; bin: number; n: number }>('SELECT metric, bin, n FROM audience_rfm_bins WHERE n > 0')) {
      if (row.metric === 'recency') {
        // Days since the latest order, from the middle of its hour: at most half an hour off.
        addToSketch(summary.recency, Math.max(0, Math.floor((now - (row.bin * HOUR_MS + HOUR_MS / 2)) / DAY_MS)), row.n);
      } else {
        addBinToSketch(row.metric === 'frequency' ? summary.frequency : summary.monetary, row.bin === ZERO_BIN ? null : row.bin, row.n);
      }
    }
    return summary;
  }

  customers(): number {
    return first<{ n: number }>(this.sql, "SELECT COALESCE(SUM(n), 0) AS n FROM audience_rfm_bins WHERE metric = 'frequency'")?.n ?? 0;
  }

  /**
   * The customers new boundaries re-score now, as an SQL selection of
   * profile ids (for INSERT … SELECT into a queue: nothing is loaded here),
   * limited to the metrics some audience reads.
   */
  rescored(shift: BoundaryShift, metrics: ReadonlySet<string>, now: number): { where: string; bindings: number[] } {
    const parts: string[] = [];
    const bindings: number[] = [];
    const range = (column: string, [low, high]: [number, number]) => {
      const clauses: string[] = [];
      if (Number.isFinite(low)) {
        clauses.push(`${column} >= ?`);
        bindings.push(low);
      }
      if (Number.isFinite(high)) {
        clauses.push(`${column} < ?`);
        bindings.push(high);
      }
      parts.push(clauses.length ? `(${clauses.join(' AND ')})` : '1');
    };
    if (metrics.has('rfm.frequency')) shift.frequency.forEach((r) => range('orders', r));
    if (metrics.has('rfm.monetary')) shift.monetary.forEach((r) => range('revenue', r));
    // Days since [low, high) → latest order times, a day wider on each side: an extra evaluation costs little, a missed one is wrong.
    if (metrics.has('rfm.recency')) {
      shift.recency.forEach(([low, high]) =>
        range('last_order_at', [
          Number.isFinite(high) ? now - (Math.ceil(high) + 1) * DAY_MS : -Infinity,
          Number.isFinite(low) ? now - (Math.floor(low) - 1) * DAY_MS : Infinity,
        ]),
      );
    }
    return { where: parts.length ? parts.join(' OR ') : '0', bindings };
  }

  /**
   * Recency cuts that came earlier: customers who have not reached one yet
   * reach it sooner than their due time says; brings their due times
   * forward (never back), in one statement, loading nothing.
   */
  advanceDueTimes(earlierCuts: readonly number[], now: number): void {
    for (const cut of earlierCuts) {
      this.sql.exec(
        `INSERT INTO audience_due (profile_id, due_at) SELECT profile_id, last_order_at + ? FROM audience_rfm WHERE last_order_at > ?
         ON CONFLICT (profile_id) DO UPDATE SET due_at = MIN(due_at, excluded.due_at)`,
        Math.ceil(cut) * DAY_MS,
        now - Math.ceil(cut) * DAY_MS,
      );
    }
  }
}
