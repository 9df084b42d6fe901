import { describe, expect, it } from 'vitest';
import { lifecycleMs, lifecycleStage } from './lifecycle';
import { newProfile } from './profile';
import { DAY, T0 } from './test-fixtures';

describe('lifecycle stage', () => {
  it('changes lifecycle stage exactly one millisecond after a threshold', () => {
    const t = { activeDays: 14, atRiskDays: 30, lapsedDays: 90 };
    const p = newProfile('p', T0);
    p.sessionCount = 2;
    expect(lifecycleStage(p, T0 + 14 * DAY, t)).toBe('active');
    expect(lifecycleStage(p, T0 + 14 * DAY + 1, t)).toBe('at-risk');
    expect(lifecycleStage(p, T0 + 90 * DAY + 1, t)).toBe('lapsed');
  });
});

describe('lifecycle stage at the edges', () => {
  const t = { activeDays: 14, atRiskDays: 30, lapsedDays: 90 };

  it('is new on the first visit within the active window, active from the second session or once it is old', () => {
    const p = newProfile('p', T0);
    p.sessionCount = 1;
    expect(lifecycleStage(p, T0 + DAY, t)).toBe('new');
    p.sessionCount = 2;
    expect(lifecycleStage(p, T0 + DAY, t)).toBe('active');
    // Seen lately, but first seen before the active window: no longer new.
    p.sessionCount = 1;
    p.lastSeen = T0 + 20 * DAY;
    expect(lifecycleStage(p, T0 + 21 * DAY, t)).toBe('active');
  });

  it('walks through at risk, sleeping and lapsed at each threshold, to the millisecond', () => {
    const p = newProfile('p', T0);
    p.sessionCount = 3;
    expect(lifecycleStage(p, T0 + 30 * DAY, t)).toBe('at-risk');
    expect(lifecycleStage(p, T0 + 30 * DAY + 1, t)).toBe('sleeping');
    expect(lifecycleStage(p, T0 + 90 * DAY, t)).toBe('sleeping');
    expect(lifecycleStage(p, T0 + 90 * DAY + 1, t)).toBe('lapsed');
  });

  it('counts a profile last seen after "now" (a clock ahead) as active, and rounds fractional days to whole ms', () => {
    const p = newProfile('p', T0 + DAY);
    p.sessionCount = 2;
    expect(lifecycleStage(p, T0, t)).toBe('active');
    expect(lifecycleMs(0.5)).toBe(DAY / 2);
    expect(lifecycleMs(1 / 3)).toBe(Math.round(DAY / 3));
    const half = { activeDays: 0.5, atRiskDays: 1, lapsedDays: 2 };
    expect(lifecycleStage(p, T0 + DAY + lifecycleMs(0.5), half)).toBe('active');
    expect(lifecycleStage(p, T0 + DAY + lifecycleMs(0.5) + 1, half)).toBe('at-risk');
  });
});
