/**
 * Lifecycle stages as bands of days since a person's last active day, the
 * same thresholds as the profile's stage (profiles/lifecycle.ts), counted in
 * whole UTC days: new or active up to activeDays, at risk up to atRiskDays,
 * sleeping up to lapsedDays, lapsed beyond; "new" while no later day
 * followed the first. Pure.
 */
import type { LifecycleStage, LifecycleThresholds } from '@trailmark/schema';

export function stageBand(stage: LifecycleStage, t: LifecycleThresholds): { lo: number; hi: number | null } {
  switch (stage) {
    case 'new':
    case 'active':
      return { lo: 0, hi: t.activeDays };
    case 'at-risk':
      return { lo: t.activeDays + 1, hi: t.atRiskDays };
    case 'sleeping':
      return { lo: t.atRiskDays + 1, hi: t.lapsedDays };
    case 'lapsed':
      return { lo: t.lapsedDays + 1, hi: null };
  }
}

export const emptyCounts = (): Record<LifecycleStage, number> => ({ new: 0, active: 0, 'at-risk': 0, sleeping: 0, lapsed: 0 });

/**
 * Counts per stage at the end of each day from `fromDay` to `toDay`
 * (inclusive), from the day-by-day changes (+1 when a person enters a stage,
 * −1 when they leave it), ordered by day.
 */
export function countsByDay(
  deltas: { day: number; stage: LifecycleStage; delta: number }[],
  fromDay: number,
  toDay: number,
): { day: number; counts: Record<LifecycleStage, number> }[] {
  const running = emptyCounts();
  const out: { day: number; counts: Record<LifecycleStage, number> }[] = [];
  let i = 0;
  const sorted = [...deltas].sort((a, b) => a.day - b.day);
  for (let day = fromDay; day <= toDay; day++) {
    while (i < sorted.length && sorted[i]!.day <= day) {
      const { stage, delta } = sorted[i++]!;
      if (stage in running) running[stage] += delta;
    }
    if (day >= fromDay) out.push({ day, counts: { ...running } });
  }
  return out;
}
