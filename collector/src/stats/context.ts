/**
 * What every statistics query starts from: the site, its currency, the
 * period and the one before it, and the filters, read from the request once.
 */
import type { StatsFilters, StatsFrame } from '@trailmark/schema';
import { Params } from './sql-text';
import { previousRange, toPeriod, type Range } from './query';

export interface StatsContext {
  db: D1Database;
  writeKey: string;
  currency: string;
  range: Range;
  previous: Range;
  filters: StatsFilters;
  /** Milliseconds D1 spent executing this request's statements (its own measure, `meta.duration`). */
  spent: { dbMs: number };
}

export function statsContext(db: D1Database, writeKey: string, currency: string, range: Range, filters: StatsFilters): StatsContext {
  return { db, writeKey, currency, range, previous: previousRange(range), filters, spent: { dbMs: 0 } };
}

export function frameOf(ctx: StatsContext): StatsFrame {
  return { writeKey: ctx.writeKey, period: toPeriod(ctx.range), previousPeriod: toPeriod(ctx.previous), filters: ctx.filters, currency: ctx.currency };
}

/** A prepared statement from SQL built with `Params`. */
export function statement(db: D1Database, sql: string, params: Params): D1PreparedStatement {
  return db.prepare(sql).bind(...params.values);
}

/** Runs statements in one round trip and hands back each one's rows. */
export async function rowsOf(ctx: Pick<StatsContext, 'db' | 'spent'>, statements: D1PreparedStatement[]): Promise<Row[][]> {
  const results = await ctx.db.batch<Row>(statements);
  for (const r of results) ctx.spent.dbMs += r.meta.duration ?? 0;
  return results.map((r) => r.results);
}

export type Row = Record<string, unknown>;

/** A count or sum column: 0 for SQL's null (a SUM over no rows). */
export const num = (value: unknown): number => (typeof value === 'number' ? value : 0);
/** A text column ('' for null). */
export const text = (value: unknown): string => (typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value));
