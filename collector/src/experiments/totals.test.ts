import { describe, expect, it } from 'vitest';
import { addTotals, EMPTY_TOTALS, memberTotals, moments } from './totals';

describe('totals', () => {
  it('adds members one by one into the sums every method reads', () => {
    const members = [
      { converted: true, revenue: 30, spendBefore: 10 },
      { converted: false, revenue: 0 },
      { converted: true, revenue: 12.5, spendBefore: 4 },
      // A goal other than an order: converted without spending.
      { converted: true, revenue: 0 },
    ];
    const totals = members.map(memberTotals).reduce(addTotals, { ...EMPTY_TOTALS });
    expect(totals).toEqual({
      members: 4,
      converted: 3,
      revenue: 42.5,
      revenueSquares: 900 + 156.25,
      buyers: 2,
      spendBefore: 14,
      spendBeforeSquares: 116,
      spendBeforeTimesRevenue: 300 + 50,
    });
  });

  it('mean and sample variance from n, Σy and Σy²', () => {
    const ys = [3, 7, 7, 19];
    const m = moments(
      ys.length,
      ys.reduce((a, b) => a + b),
      ys.reduce((a, b) => a + b * b, 0),
    );
    expect(m.mean).toBe(9);
    expect(m.variance).toBeCloseTo(48, 12); // Σ(y − 9)² / 3 = (36 + 4 + 4 + 100) / 3
    expect(moments(1, 5, 25)).toEqual({ n: 1, mean: 5, variance: 0 });
    expect(moments(0, 0, 0)).toEqual({ n: 0, mean: 0, variance: 0 });
    // Identical values: rounding never makes the variance negative.
    expect(moments(3, 0.3, 0.030000000000000006).variance).toBeGreaterThanOrEqual(0);
  });
});
