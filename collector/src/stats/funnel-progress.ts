/**
 * The default funnel read from stats_funnel_days (migration 0051): per
 * person and UTC day, the walk of funnel.ts taken ahead of time from the
 * day's first Product Viewed, with a window of one day.
 *
 * A person enters a period's funnel at their first step-1 in it. That is the
 * first of its day, kept in the day's row, for every day but the one the
 * period starts in when the period starts within it: a person whose first
 * step-1 of that day came before the period's start is walked from their
 * first step-1 after it, as before (few people: at most one day's worth),
 * or, with none that day, enters at their next day's row. A row is the
 * person's first of the period when their previous day (`prev_day`) came
 * before it, so the period is one range of rows and no grouping.
 *
 * The rows answer any prefix of the default steps and any window up to a
 * day: a step taken within a shorter window is taken at the same time by
 * the walk with the longer one (later hours only hold later times), so the
 * people reached and their times are the same.
 */
import { DAY_MS, DEFAULT_FUNNEL, HOUR_MS, hoursOf, type Range } from './query';
import type { Params } from './sql-text';

/** The steps and window migration 0051 keeps: a window of one day. */
export const PROGRESS_WINDOW_MS = DAY_MS;

/** Whether the rows answer this funnel: a prefix of the default steps, a window of at most a day. */
export function readsProgress(steps: readonly string[], windowMs: number): boolean {
  return windowMs <= PROGRESS_WINDOW_MS && steps.length <= DEFAULT_FUNNEL.length && steps.every((step, i) => step === DEFAULT_FUNNEL[i]);
}

/**
 * When the person `p` took `step` after `from`, within the window from
 * `t1`: the first time at or after `from` in the hours it reaches (or the
 * last time of an hour that also held it earlier). The walk of funnel.ts.
 */
export function stepAfter(wk: string, step: string, p: string, from: string, t1: string, window: string): string {
  return `(SELECT MIN(CASE WHEN x.first_ms >= ${from} THEN x.first_ms ELSE x.last_ms END) FROM stats_person_steps x
          WHERE x.write_key = ${wk} AND x.profile_id = ${p} AND x.step = ${step}
            AND x.hour >= ${from} / ${HOUR_MS} AND x.hour <= (${t1} + ${window}) / ${HOUR_MS} AND x.last_ms >= ${from})`;
}

/**
 * CTEs ending in `s1`: one row per person who entered the funnel in
 * `range`, with `p`, `t1`, `sk` (the visit of t1) and `t2`…`t{upTo}` (when
 * they took each step; past the window or null when they did not).
 */
export function progressFirstSteps(wk: string, range: Range, steps: readonly string[], upTo: number, p: Params): string[] {
  const hours = hoursOf(range);
  const dayFrom = Math.floor(hours.from / 24);
  const dayTo = Math.ceil(hours.to / 24);
  const fromMs = p.add(hours.from * HOUR_MS);
  const toMs = p.add(hours.to * HOUR_MS);
  const first = p.add(steps[0]);
  const window = p.add(PROGRESS_WINDOW_MS);
  const later = Array.from({ length: upTo - 1 }, (_, i) => `t${i + 2}`);
  const cols = (alias: string) => later.map((t) => `, ${alias}.${t}`).join('');
  const parts = [
    // People whose first step-1 of the period's first day came before the period: their next day with one, if any.
    `cut AS MATERIALIZED (
       SELECT c.profile_id AS p,
         (SELECT MIN(n.hour) / 24 FROM stats_person_steps n
          WHERE n.write_key = ${wk} AND n.profile_id = c.profile_id AND n.step = ${first} AND n.hour >= ${p.add((dayFrom + 1) * 24)} AND n.hour < ${p.add(hours.to)}) AS next_day
       FROM stats_funnel_days c
       WHERE c.write_key = ${wk} AND c.day = ${p.add(dayFrom)} AND c.t1 < ${fromMs})`,
    // Their first step-1 in the rest of that day, walked (CROSS JOIN: from these few people, never from every step of the site).
    `e1 AS MATERIALIZED (
       SELECT s.profile_id AS p, MIN(s.first_ms) AS t1, s.session_key AS sk
       FROM cut CROSS JOIN stats_person_steps s
         ON s.write_key = ${wk} AND s.profile_id = cut.p AND s.step = ${first} AND s.hour >= ${p.add(hours.from)} AND s.hour < ${p.add(Math.min(hours.to, (dayFrom + 1) * 24))}
       WHERE true GROUP BY s.profile_id)`,
  ];
  for (let k = 2; k <= upTo; k++) {
    const prev = k === 2 ? 'e.t1' : `e.t${k - 1}`;
    const walk = stepAfter(wk, p.add(steps[k - 1]), 'e.p', prev, 'e.t1', window);
    const t = k === 2 ? walk : `CASE WHEN ${prev} <= e.t1 + ${window} THEN ${walk} END`;
    parts.push(
      `e${k} AS MATERIALIZED (SELECT e.p, e.t1, e.sk${later
        .slice(0, k - 2)
        .map((c) => `, e.${c}`)
        .join('')}, ${t} AS t${k} FROM e${k - 1} e)`,
    );
  }
  parts.push(`s1 AS MATERIALIZED (
       SELECT d.profile_id AS p, d.t1, d.session_key AS sk${cols('d')} FROM stats_funnel_days d
       WHERE d.write_key = ${wk} AND d.day >= ${p.add(dayFrom)} AND d.day < ${p.add(dayTo)} AND d.t1 >= ${fromMs} AND d.t1 < ${toMs}
         AND (d.prev_day IS NULL OR d.prev_day < ${p.add(dayFrom)})
       UNION ALL
       SELECT n.profile_id, n.t1, n.session_key${cols('n')} FROM cut JOIN stats_funnel_days n ON n.write_key = ${wk} AND n.day = cut.next_day AND n.profile_id = cut.p
       WHERE cut.p NOT IN (SELECT p FROM e1)
       UNION ALL
       SELECT e.p, e.t1, e.sk${cols('e')} FROM e${upTo} e)`);
  return parts;
}
