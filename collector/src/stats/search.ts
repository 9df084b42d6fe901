/**
 * GET /v1/admin/stats/search: what shoppers searched for, how often a search
 * led to a product view (click-through), and which searches found nothing
 * (`Products Searched` with `properties.result_count` = 0).
 */
import type { SearchStats, SearchTerm } from '@trailmark/schema';
import { frameOf, num, rowsOf, statement, text, type Row, type StatsContext } from './context';
import type { Range } from './query';
import { filterSql, Params } from './sql-text';

const TERMS = 50;

/** Searches of the range, with the visit they were made in (for filters and conversion). */
function searchesIn(ctx: StatsContext, range: Range, p: Params): string {
  return `stats_searches q JOIN stats_sessions s ON s.write_key = q.write_key AND s.session_key = q.session_key
    WHERE q.write_key = ${p.add(ctx.writeKey)} AND q.at_ms >= ${p.add(range.fromMs)} AND q.at_ms < ${p.add(range.toMs)}${filterSql(ctx.filters, p)}`;
}

const TERM_COLUMNS = `q.query, COUNT(*) AS searches, COUNT(DISTINCT q.profile_id) AS people, SUM(q.clicked) AS clicked,
  SUM(q.result_count = 0) AS no_results, COUNT(q.result_count) AS with_count, AVG(q.result_count) AS average_results`;

export async function searchStats(ctx: StatsContext): Promise<SearchStats> {
  const statements = [
    (p: Params) =>
      `SELECT COUNT(*) AS searches, COUNT(DISTINCT q.profile_id) AS people, SUM(q.clicked) AS clicked, SUM(q.result_count = 0) AS no_results,
              COUNT(q.result_count) AS with_count, SUM(s.orders > 0) AS converting FROM ${searchesIn(ctx, ctx.range, p)}`,
    (p: Params) => `SELECT COUNT(*) AS searches, SUM(q.clicked) AS clicked, SUM(q.result_count = 0) AS no_results FROM ${searchesIn(ctx, ctx.previous, p)}`,
    (p: Params) => `SELECT ${TERM_COLUMNS} FROM ${searchesIn(ctx, ctx.range, p)} GROUP BY q.query ORDER BY searches DESC, q.query LIMIT ${TERMS}`,
    (p: Params) =>
      `SELECT ${TERM_COLUMNS} FROM ${searchesIn(ctx, ctx.range, p)} AND q.result_count = 0 GROUP BY q.query ORDER BY searches DESC, q.query LIMIT ${TERMS}`,
  ].map((build) => {
    const p = new Params();
    return statement(ctx.db, build(p), p);
  });
  const [totals, previous, terms, empty] = await rowsOf(ctx, statements);
  const t = totals![0] ?? {};
  const pt = previous![0] ?? {};
  return {
    ...frameOf(ctx),
    totals: {
      searches: num(t.searches),
      people: num(t.people),
      clickedThrough: num(t.clicked),
      withResultCount: num(t.with_count),
      noResults: num(t.no_results),
      inConvertingSessions: num(t.converting),
    },
    previousTotals: { searches: num(pt.searches), noResults: num(pt.no_results), clickedThrough: num(pt.clicked) },
    terms: terms!.map(term),
    noResultTerms: empty!.map(term),
  };
}

function term(r: Row): SearchTerm {
  return {
    query: text(r.query),
    searches: num(r.searches),
    people: num(r.people),
    clickedThrough: num(r.clicked),
    noResults: num(r.no_results),
    withResultCount: num(r.with_count),
    averageResults: typeof r.average_results === 'number' ? Math.round(r.average_results * 10) / 10 : null,
  };
}
