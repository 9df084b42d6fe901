import { describe, expect, it } from 'vitest';
import { countsByDay, stageBand } from './lifecycle-bands';

const t = { activeDays: 14, atRiskDays: 30, lapsedDays: 90 };

describe('lifecycle bands', () => {
  it('place each stage in days since the last active day, as the profile does', () => {
    expect(stageBand('new', t)).toEqual({ lo: 0, hi: 14 });
    expect(stageBand('active', t)).toEqual({ lo: 0, hi: 14 });
    expect(stageBand('at-risk', t)).toEqual({ lo: 15, hi: 30 });
    expect(stageBand('sleeping', t)).toEqual({ lo: 31, hi: 90 });
    expect(stageBand('lapsed', t)).toEqual({ lo: 91, hi: null });
  });

  it('sum day-by-day changes into counts at the end of each day, changes before the first day included', () => {
    const days = countsByDay(
      [
        { day: 3, stage: 'new', delta: 1 },
        { day: 10, stage: 'new', delta: 1 },
        { day: 12, stage: 'new', delta: -1 },
        { day: 12, stage: 'active', delta: 1 },
      ],
      10,
      12,
    );
    expect(days.map((d) => [d.day, d.counts.new, d.counts.active])).toEqual([
      [10, 2, 0],
      [11, 2, 0],
      [12, 1, 1],
    ]);
  });
});
