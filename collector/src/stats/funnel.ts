/**
 * GET /v1/admin/stats/funnel: people, not events. A person enters the
 * funnel at their first step-1 event in the period; they reach step k when
 * they did step k after reaching step k − 1, within the window from their
 * first step (as Mixpanel, Amplitude and PostHog count ordered funnels).
 *
 * It reads stats_person_steps: per person, step and hour, the first and last
 * time of that step. The next step is taken at the first time at or after the
 * previous one; when the previous step falls inside an hour in which the next
 * step also happened before it, that hour only says it happened again by its
 * last time, which is taken instead (a later time, never an earlier one: a
 * person is never counted as converting sooner than they did).
 */
import type { FunnelStats, StatsDimension } from '@trailmark/schema';
import { frameOf, num, rowsOf, statement, text, type Row, type StatsContext } from './context';
import { progressFirstSteps, readsProgress, stepAfter } from './funnel-progress';
import { hoursOf, HOUR_MS, type Range } from './query';
import { dimensionSql, filterSql, hasFilters, Params } from './sql-text';

export interface FunnelSpec {
  steps: string[];
  windowMs: number;
  /** Walk the steps even where the kept rows answer (the two are compared in tests). */
  walk?: boolean;
}

/**
 * The CTEs f1…fN: one row per person who entered the funnel in `range`
 * (and matches the filters), with `t1` (their first step) and `t` (when they
 * did step k; null or past the window when they did not), and `d` (the
 * breakdown value of the visit of their first step) when asked. The
 * default funnel with a window of up to a day is read from the walks kept
 * per person and day (funnel-progress.ts); other funnels are walked here.
 */
export function funnelChain(ctx: StatsContext, range: Range, spec: FunnelSpec, p: Params, options: { upTo?: number; by?: StatsDimension } = {}): string {
  return !spec.walk && readsProgress(spec.steps, spec.windowMs) ? progressChain(ctx, range, spec, p, options) : walkedChain(ctx, range, spec, p, options);
}

/** The visit of the first step, for filters and breakdowns: `from` (with p, t1, sk) joined to it, with `d`. */
function visitOfFirstStep(ctx: StatsContext, from: string, columns: string, p: Params, by: StatsDimension | undefined): string {
  return `SELECT ${columns}${by ? `, ${dimensionSql(by)} AS d` : ''}
           FROM ${from} CROSS JOIN stats_sessions s ON s.write_key = ${p.add(ctx.writeKey)} AND s.session_key = ${from}.sk
           WHERE true${filterSql(ctx.filters, p)}`;
}

function progressChain(ctx: StatsContext, range: Range, spec: FunnelSpec, p: Params, options: { upTo?: number; by?: StatsDimension }): string {
  const upTo = options.upTo ?? spec.steps.length;
  const later = Array.from({ length: upTo - 1 }, (_, i) => `s1.t${i + 2}`);
  const parts = progressFirstSteps(p.add(ctx.writeKey), range, spec.steps, upTo, p);
  const visits = options.by || hasFilters(ctx.filters);
  if (visits) parts.push(`f0 AS MATERIALIZED (${visitOfFirstStep(ctx, 's1', ['s1.p', 's1.t1', ...later].join(', '), p, options.by)})`);
  const from = visits ? 'f0' : 's1';
  const d = options.by ? ', d' : '';
  for (let k = 1; k <= upTo; k++) parts.push(`f${k} AS NOT MATERIALIZED (SELECT p, t1${d}, t${k === 1 ? '1' : k} AS t FROM ${from})`);
  return `WITH ${parts.join(',\n')}`;
}

// s1 reads the step's index by name: grouping by person matches the table's own key order, which would
// otherwise tempt SQLite into reading every step of the site to skip a sort.
function walkedChain(ctx: StatsContext, range: Range, spec: FunnelSpec, p: Params, options: { upTo?: number; by?: StatsDimension }): string {
  const upTo = options.upTo ?? spec.steps.length;
  const hours = hoursOf(range);
  const wk = p.add(ctx.writeKey);
  const window = p.add(spec.windowMs);
  const d = options.by ? ', d' : '';
  const parts = [
    `s1 AS MATERIALIZED (
       SELECT ps.profile_id AS p, MIN(ps.first_ms) AS t1, ps.session_key AS sk
       FROM stats_person_steps ps INDEXED BY stats_person_steps_by_step
       WHERE ps.write_key = ${wk} AND ps.step = ${p.add(spec.steps[0])} AND ps.hour >= ${p.add(hours.from)} AND ps.hour < ${p.add(hours.to)}
       GROUP BY ps.profile_id)`,
    options.by || hasFilters(ctx.filters)
      ? `f1 AS MATERIALIZED (${visitOfFirstStep(ctx, 's1', 's1.p, s1.t1, s1.t1 AS t', p, options.by)})`
      : 'f1 AS MATERIALIZED (SELECT s1.p, s1.t1, s1.t1 AS t FROM s1)',
  ];
  for (let k = 2; k <= upTo; k++) {
    parts.push(`f${k} AS MATERIALIZED (
       SELECT f.p, f.t1${d}, ${stepAfter(wk, p.add(spec.steps[k - 1]), 'f.p', 'f.t', 'f.t1', window)} AS t
       FROM f${k - 1} f WHERE f.t <= f.t1 + ${window})`);
  }
  return `WITH ${parts.join(',\n')}`;
}

/** `reached(k)`: the rows of fk who did step k in time. */
export const reached = (k: number, window: string) => `f${k} WHERE t <= t1 + ${window}`;

export async function funnelStats(ctx: StatsContext, spec: FunnelSpec, by?: StatsDimension): Promise<FunnelStats> {
  const n = spec.steps.length;
  // With a breakdown, one statement walks the funnel once for both the totals and the rows per value.
  const statements = [
    by ? breakdownStatement(ctx, spec, by) : countsStatement(ctx, ctx.range, spec, true),
    countsStatement(ctx, ctx.previous, spec, false),
    availableStatement(ctx),
  ];
  const [walked, previous, available] = await rowsOf(ctx, statements);
  const current = by ? walked!.filter((r) => num(r.total) === 1).map((r) => JSON.parse(text(r.totals)) as Row) : walked!;
  const breakdown = by ? walked!.filter((r) => num(r.total) === 0) : undefined;
  const result: FunnelStats = {
    ...frameOf(ctx),
    steps: stepFigures(spec, current![0] ?? {}),
    windowHours: spec.windowMs / HOUR_MS,
    previous: spec.steps.map((step, i) => ({ step, people: num(previous![0]?.[`n${i + 1}`]) })),
    available: [...new Set(['$page', '$identify', ...spec.steps, ...available!.map((r) => text(r.event))])].sort(byName),
  };
  if (by && breakdown) {
    const values = new Map<string, number[]>();
    for (const r of breakdown) {
      const counts = values.get(text(r.d)) ?? new Array<number>(n).fill(0);
      counts[num(r.k) - 1] = num(r.people);
      values.set(text(r.d), counts);
    }
    result.breakdown = {
      by,
      rows: [...values]
        .map(([value, counts]) => ({ value, people: counts }))
        .sort((a, b) => b.people[0]! - a.people[0]! || a.value.localeCompare(b.value))
        .slice(0, 20),
    };
  }
  return result;
}

/**
 * The people at each step of the period and no more: what the summary
 * (GET /v1/admin/stats) shows. It walks the funnel once, where funnelStats
 * walks it again for the period before and reads the steps on offer.
 */
export async function funnelSteps(ctx: StatsContext, spec: FunnelSpec): Promise<FunnelStats['steps']> {
  const [rows] = await rowsOf(ctx, [countsStatement(ctx, ctx.range, spec, false)]);
  return stepFigures(spec, rows![0] ?? {});
}

/** Each step's figures from a row of countsStatement: people (n1…nN) and, when there, medians (m2…mN). */
function stepFigures(spec: FunnelSpec, row: Row): FunnelStats['steps'] {
  const people = spec.steps.map((_, i) => num(row[`n${i + 1}`]));
  return spec.steps.map((step, i) => ({
    step,
    people: people[i]!,
    fromPrevious: i === 0 ? null : ratio(people[i]!, people[i - 1]!),
    fromFirst: i === 0 ? null : ratio(people[i]!, people[0]!),
    dropped: i === 0 ? 0 : people[i - 1]! - people[i]!,
    medianSecondsFromFirst: i === 0 || row[`m${i + 1}`] == null ? null : Math.round(num(row[`m${i + 1}`]) / 1000),
  }));
}

/** People at each step (n1…nN) and the median milliseconds from the first step (m2…mN). */
function countsStatement(ctx: StatsContext, range: Range, spec: FunnelSpec, medians: boolean): D1PreparedStatement {
  const p = new Params();
  const chain = funnelChain(ctx, range, spec, p);
  const window = p.add(spec.windowMs);
  const columns = spec.steps.map((_, i) => {
    const k = i + 1;
    const count = `(SELECT COUNT(*) FROM ${reached(k, window)}) AS n${k}`;
    if (!medians || k === 1) return count;
    const median = `(SELECT t - t1 FROM ${reached(k, window)} ORDER BY t - t1 LIMIT 1 OFFSET (SELECT (COUNT(*) - 1) / 2 FROM ${reached(k, window)})) AS m${k}`;
    return `${count}, ${median}`;
  });
  return statement(ctx.db, `${chain}\nSELECT ${columns.join(', ')}`, p);
}

/**
 * People at each step per breakdown value (rows with total 0: k, d,
 * people), and in the same walk the totals and medians of countsStatement
 * (one row with total 1, its figures in `totals`).
 */
function breakdownStatement(ctx: StatsContext, spec: FunnelSpec, by: StatsDimension): D1PreparedStatement {
  const p = new Params();
  const chain = funnelChain(ctx, ctx.range, spec, p, { by });
  const window = p.add(spec.windowMs);
  const unions = spec.steps.map((_, i) => `SELECT 0 AS total, ${i + 1} AS k, d, COUNT(*) AS people, NULL AS totals FROM ${reached(i + 1, window)} GROUP BY d`);
  const totals = spec.steps.map((_, i) => {
    const k = i + 1;
    const count = `'n${k}', (SELECT COUNT(*) FROM ${reached(k, window)})`;
    if (k === 1) return count;
    return `${count}, 'm${k}', (SELECT t - t1 FROM ${reached(k, window)} ORDER BY t - t1 LIMIT 1 OFFSET (SELECT (COUNT(*) - 1) / 2 FROM ${reached(k, window)}))`;
  });
  unions.push(`SELECT 1, NULL, NULL, NULL, json_object(${totals.join(', ')})`);
  return statement(ctx.db, `${chain}\n${unions.join('\nUNION ALL ')}`, p);
}

/** Track events seen in the period (the hourly counts of 0005), for the step picker. */
function availableStatement(ctx: StatsContext): D1PreparedStatement {
  const p = new Params();
  const from = new Date(Math.floor(ctx.range.fromMs / HOUR_MS) * HOUR_MS).toISOString().slice(0, 13);
  const to = new Date(Math.ceil(ctx.range.toMs / HOUR_MS) * HOUR_MS).toISOString().slice(0, 13);
  return statement(
    ctx.db,
    `SELECT DISTINCT event FROM stats_hourly
     WHERE write_key = ${p.add(ctx.writeKey)} AND hour >= ${p.add(from)} AND hour < ${p.add(to)} AND type = 'track' AND event NOT IN ('', 'Web Vitals') AND count > 0`,
    p,
  );
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
/** `$page` and `$identify` first, then event names. */
const byName = (a: string, b: string) => Number(b.startsWith('$')) - Number(a.startsWith('$')) || a.localeCompare(b);
