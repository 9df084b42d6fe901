/**
 * A profile's lifecycle stage by recency and frequency, against a site's
 * thresholds: new (first seen within the active window, on their first
 * visit), active (seen within activeDays), at risk (idle up to atRiskDays),
 * sleeping (idle up to lapsedDays), lapsed (longer).
 */
import type { LifecycleStage, LifecycleThresholds } from '@trailmark/schema';
import { DAY_MS } from '../lib/decay';
import type { Profile } from './profile';

/** A lifecycle threshold in whole milliseconds. */
export const lifecycleMs = (days: number) => Math.round(days * DAY_MS);

export function lifecycleStage(profile: Profile, nowMs: number, t: LifecycleThresholds): LifecycleStage {
  // In whole milliseconds, so the moment a stage changes is exact (audiences wake up at it).
  const idleMs = nowMs - profile.lastSeen;
  const active = lifecycleMs(t.activeDays);
  if (idleMs <= active) {
    const firstVisit = nowMs - profile.firstSeen <= active && profile.sessionCount <= 1;
    return firstVisit ? 'new' : 'active';
  }
  if (idleMs <= lifecycleMs(t.atRiskDays)) return 'at-risk';
  if (idleMs <= lifecycleMs(t.lapsedDays)) return 'sleeping';
  return 'lapsed';
}
