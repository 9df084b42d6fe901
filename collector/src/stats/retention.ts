/**
 * GET /v1/admin/stats/retention: weekly cohorts (people by the week of their
 * first visit, Monday to Sunday, UTC) and how many of them were active in
 * each week after; and repeat purchase: of the people who ordered in the
 * period, how many have ordered more than once, and how long the second
 * order takes. Filters select people by their first visit.
 */
import type { RetentionStats } from '@trailmark/schema';
import { frameOf, num, rowsOf, statement, type StatsContext } from './context';
import { DAY_MS } from './query';
import { filterSql, Params } from './sql-text';
import { joinVisit } from './overview';

/** Weeks since 1970 start on Mondays: 1970-01-01 was a Thursday, three days after one. */
const weekOfDay = (day: number) => Math.floor((day + 3) / 7);
const mondayOf = (week: number) => new Date((week * 7 - 3) * DAY_MS).toISOString().slice(0, 10);

export async function retentionStats(ctx: StatsContext, weeks: number): Promise<RetentionStats> {
  const lastWeek = weekOfDay(Math.floor((ctx.range.toMs - 1) / DAY_MS));
  const firstWeek = lastWeek - weeks + 1;
  const cohorts = new Params();
  const repeat = new Params();
  const gaps = new Params();
  const [cells, customers, median] = await rowsOf(ctx, [
    statement(
      ctx.db,
      `SELECT (pe.first_ms / 86400000 + 3) / 7 AS cohort, (d.day + 3) / 7 AS week, COUNT(DISTINCT d.profile_id) AS people
       FROM stats_people pe JOIN stats_person_days d ON d.write_key = pe.write_key AND d.profile_id = pe.profile_id
       WHERE pe.write_key = ${cohorts.add(ctx.writeKey)} AND pe.first_ms >= ${cohorts.add((firstWeek * 7 - 3) * DAY_MS)} AND pe.first_ms < ${cohorts.add((lastWeek * 7 + 4) * DAY_MS)}
         AND d.day < ${cohorts.add(lastWeek * 7 + 4)}${firstVisitFilter(ctx, cohorts)}
       GROUP BY cohort, week`,
      cohorts,
    ),
    statement(
      ctx.db,
      `SELECT COUNT(*) AS customers, SUM(n > 1) AS repeaters FROM (
         SELECT o.profile_id, (SELECT COUNT(*) FROM stats_orders a WHERE a.write_key = o.write_key AND a.profile_id = o.profile_id) AS n
         FROM stats_orders o ${joinVisit(ctx)}
         WHERE o.write_key = ${repeat.add(ctx.writeKey)} AND o.at_ms >= ${repeat.add(ctx.range.fromMs)} AND o.at_ms < ${repeat.add(ctx.range.toMs)}${filterSql(ctx.filters, repeat)}
         GROUP BY o.profile_id)`,
      repeat,
    ),
    statement(
      ctx.db,
      `WITH g AS MATERIALIZED (
         SELECT second_ms - first_ms AS gap FROM (
           SELECT a.profile_id, MIN(a.at_ms) AS first_ms,
                  (SELECT b.at_ms FROM stats_orders b WHERE b.write_key = a.write_key AND b.profile_id = a.profile_id ORDER BY b.at_ms LIMIT 1 OFFSET 1) AS second_ms
           FROM stats_orders a WHERE a.write_key = ${gaps.add(ctx.writeKey)} GROUP BY a.profile_id)
         WHERE second_ms IS NOT NULL)
       SELECT (SELECT gap FROM g ORDER BY gap LIMIT 1 OFFSET (SELECT (COUNT(*) - 1) / 2 FROM g)) AS median`,
      gaps,
    ),
  ]);
  const byCohort = new Map<number, Map<number, number>>();
  for (const r of cells!) {
    const weeksOf = byCohort.get(num(r.cohort)) ?? new Map<number, number>();
    weeksOf.set(num(r.week), num(r.people));
    byCohort.set(num(r.cohort), weeksOf);
  }
  const c = customers![0] ?? {};
  const medianMs = median![0]?.median;
  return {
    ...frameOf(ctx),
    cohorts: Array.from({ length: weeks }, (_, i) => {
      const week = firstWeek + i;
      const active = byCohort.get(week) ?? new Map<number, number>();
      return { week: mondayOf(week), people: active.get(week) ?? 0, active: Array.from({ length: lastWeek - week + 1 }, (_, k) => active.get(week + k) ?? 0) };
    }),
    repeatPurchase: {
      customers: num(c.customers),
      repeatCustomers: num(c.repeaters),
      rate: num(c.customers) > 0 ? num(c.repeaters) / num(c.customers) : null,
      medianDaysToSecondOrder: typeof medianMs === 'number' ? Math.round((medianMs / DAY_MS) * 10) / 10 : null,
    },
  };
}

/** People whose first visit matches the filters. */
function firstVisitFilter(ctx: StatsContext, p: Params): string {
  const conditions = filterSql(ctx.filters, p);
  return conditions
    ? // Named, or SQLite walks every visit of the site by its key for each person (seconds with a million events; see 0017).
      ` AND EXISTS (SELECT 1 FROM stats_sessions s INDEXED BY stats_sessions_by_profile WHERE s.write_key = pe.write_key AND s.profile_id = pe.profile_id AND s.started_ms = pe.first_ms${conditions})`
    : '';
}
