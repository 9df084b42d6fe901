/**
 * GET /v1/admin/stats/lifecycle: people by lifecycle stage at the end of
 * each day of the period and today, summed from the day-by-day changes the
 * triggers of migration 0016 keep (a few rows per day, whatever the number
 * of people). When the site's thresholds differ from the ones the changes
 * were built with, they are rebuilt once from the people's active days.
 */
import type { LifecycleStage, LifecycleStats, LifecycleThresholds } from '@trailmark/schema';
import { frameOf, num, rowsOf, text, type Row, type StatsContext } from './context';
import { countsByDay, emptyCounts } from './lifecycle-bands';
import { DAY_MS } from './query';

export async function lifecycleStats(ctx: StatsContext, thresholds: LifecycleThresholds, nowMs: number): Promise<LifecycleStats> {
  await ensureThresholds(ctx.db, ctx.writeKey, thresholds);
  const today = Math.floor(nowMs / DAY_MS);
  const fromDay = Math.floor(ctx.range.fromMs / DAY_MS);
  const toDay = Math.min(today, Math.ceil(ctx.range.toMs / DAY_MS) - 1);
  const [results] = (await rowsOf(ctx, [
    ctx.db
      .prepare('SELECT day, stage, delta FROM stats_lifecycle_deltas WHERE write_key = ?1 AND day <= ?2 AND delta <> 0')
      .bind(ctx.writeKey, Math.max(today, toDay)),
  ])) as [Row[]];
  const deltas = results.map((r) => ({ day: num(r.day), stage: text(r.stage) as LifecycleStage, delta: num(r.delta) }));
  const days = countsByDay(deltas, Math.min(fromDay, today), today);
  const byDay = new Map(days.map((d) => [d.day, d.counts]));
  return {
    ...frameOf(ctx),
    thresholds,
    now: byDay.get(today) ?? emptyCounts(),
    overTime: days
      .filter((d) => d.day >= fromDay && d.day <= toDay)
      .map((d) => ({ day: new Date(d.day * DAY_MS).toISOString().slice(0, 10), counts: d.counts })),
  };
}

/** Rebuilds the day-by-day changes when the site's thresholds are not the ones they were built with. */
export async function ensureThresholds(db: D1Database, writeKey: string, t: LifecycleThresholds): Promise<void> {
  const basis = await db
    .prepare('SELECT active_days, at_risk_days, lapsed_days FROM stats_lifecycle_basis WHERE write_key = ?')
    .bind(writeKey)
    .first<{ active_days: number; at_risk_days: number; lapsed_days: number }>();
  if (basis && basis.active_days === t.activeDays && basis.at_risk_days === t.atRiskDays && basis.lapsed_days === t.lapsedDays) return;
  await db.batch([
    db.prepare('DELETE FROM stats_lifecycle_deltas WHERE write_key = ?').bind(writeKey),
    db
      .prepare(
        `INSERT INTO stats_lifecycle_basis (write_key, active_days, at_risk_days, lapsed_days) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (write_key) DO UPDATE SET active_days = ?2, at_risk_days = ?3, lapsed_days = ?4`,
      )
      .bind(writeKey, t.activeDays, t.atRiskDays, t.lapsedDays),
    // Every stretch from one active day to the next, again, through the trigger that turns stretches into changes.
    db
      .prepare(
        `INSERT INTO stats_lifecycle_ops (write_key, a, b, first, sign)
         SELECT write_key, day, LEAD(day) OVER (PARTITION BY profile_id ORDER BY day),
                ROW_NUMBER() OVER (PARTITION BY profile_id ORDER BY day) = 1, 1
         FROM stats_person_days WHERE write_key = ?1`,
      )
      .bind(writeKey),
  ]);
}
