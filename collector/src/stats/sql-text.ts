/**
 * Builds statistics queries with numbered parameters, and the SQL of the
 * visit dimensions (breakdowns and filters) over `stats_sessions s`. Values
 * always travel as parameters, never inside the SQL text. Pure.
 */
import type { StatsDimension, StatsFilters } from '@trailmark/schema';

export class Params {
  readonly values: unknown[] = [];

  /** `?N` for the value, added once per call. */
  add(value: unknown): string {
    this.values.push(value);
    return `?${this.values.length}`;
  }
}

/** Whether the visit `s` is the person's first: it starts when they were first seen. */
export const IS_FIRST_VISIT = `(s.started_ms <= (SELECT p.first_ms FROM stats_people p WHERE p.write_key = s.write_key AND p.profile_id = s.profile_id))`;

/** The SQL value of a dimension of the visit `s`. */
export function dimensionSql(dimension: StatsDimension): string {
  switch (dimension) {
    case 'landing':
      return 's.landing_path';
    case 'visitor':
      return `CASE WHEN ${IS_FIRST_VISIT} THEN 'new' ELSE 'returning' END`;
    case 'variant':
      return `CASE s.variant WHEN '' THEN 'none' ELSE s.variant END`;
    default:
      return `s.${dimension}`;
  }
}

/** `AND …` conditions on the visit `s` for the filters (empty when none). */
export function filterSql(filters: StatsFilters, params: Params): string {
  let sql = '';
  for (const [dimension, value] of Object.entries(filters) as [StatsDimension, string][]) {
    if (dimension === 'visitor') sql += value === 'new' ? ` AND ${IS_FIRST_VISIT}` : ` AND NOT ${IS_FIRST_VISIT}`;
    else sql += ` AND ${dimensionSql(dimension)} = ${params.add(value)}`;
  }
  return sql;
}

export const hasFilters = (filters: StatsFilters) => Object.keys(filters).length > 0;
