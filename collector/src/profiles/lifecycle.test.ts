import { describe, expect, it } from 'vitest';
import { lifecycleStage } from './lifecycle';
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
