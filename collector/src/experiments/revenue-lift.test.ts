import { describe, expect, it } from 'vitest';
import { revenueLift, welchTest } from './revenue-lift';
import { printFigure, revenueCoverage, SIMULATION_TIMEOUT } from './simulation';
import { moments } from './totals';

const totalsOf = (ys: number[]) => ({ members: ys.length, revenue: ys.reduce((a, b) => a + b, 0), revenueSquares: ys.reduce((a, b) => a + b * b, 0) });

describe('revenueLift', () => {
  it("matches SciPy's Welch test (ttest_ind, equal_var=False) from totals alone", () => {
    const treatment = totalsOf([0, 0, 0, 12.5, 0, 40, 0, 0, 7.25, 0, 0, 99, 0, 0, 0, 3]);
    const control = totalsOf([0, 5, 0, 0, 0, 0, 20, 0, 0, 0, 0, 0]);
    const lift = revenueLift(treatment, control);
    expect(lift.absolute).toBeCloseTo(8.026041666666666, 10);
    expect(lift.pValue).toBeCloseTo(0.24501567655314602, 8);
    expect(lift.ci95![0]).toBeCloseTo(-6.03610784968383, 8);
    expect(lift.ci95![1]).toBeCloseTo(22.088191183017162, 8);
    expect(welchTest(moments(16, treatment.revenue, treatment.revenueSquares), moments(12, control.revenue, control.revenueSquares))!.df).toBeCloseTo(
      16.999692537759568,
      8,
    );
    expect(lift.relative).toBeCloseTo(10.109375 / (25 / 12) - 1, 10);
  });

  it('has no interval while a group has one member or nobody spent anything', () => {
    expect(revenueLift(totalsOf([5]), totalsOf([1, 2, 3]))).toMatchObject({ absolute: 3, ci95: null, pValue: null });
    expect(revenueLift(totalsOf([0, 0, 0]), totalsOf([0, 0]))).toMatchObject({ absolute: 0, relative: null, ci95: null, pValue: null });
    expect(revenueLift(totalsOf([]), totalsOf([1, 2]))).toMatchObject({ absolute: null, ci95: null });
  });
});

describe('revenueLift coverage (members convert, baskets log-normal; 2,000 runs each)', { timeout: SIMULATION_TIMEOUT }, () => {
  const scenarios = [
    {
      label: '500 per group, 10% → 12% converting, baskets of 50 (σ 0.8)',
      members: 500,
      treatment: { rate: 0.12, basket: 50 },
      control: { rate: 0.1, basket: 50 },
      basketSigma: 0.8,
      seed: 201,
    },
    {
      label: '2,000 per group, 10% → 12% converting, baskets 50 → 55 (σ 0.8)',
      members: 2000,
      treatment: { rate: 0.12, basket: 55 },
      control: { rate: 0.1, basket: 50 },
      basketSigma: 0.8,
      seed: 202,
    },
    {
      label: '200 per group, 5% → 8% converting, baskets of 50 (σ 1)',
      members: 200,
      treatment: { rate: 0.08, basket: 50 },
      control: { rate: 0.05, basket: 50 },
      basketSigma: 1,
      seed: 203,
    },
  ];
  for (const { label, seed, ...scenario } of scenarios) {
    it(`the 95% Welch interval contains the true difference in 93–97% of runs: ${label}`, () => {
      const measured = revenueCoverage(scenario, 2000, seed);
      printFigure(`revenue lift, ${label}`, { 'Welch coverage': measured.coverage });
      expect(measured.coverage).toBeGreaterThanOrEqual(0.93);
      expect(measured.coverage).toBeLessThanOrEqual(0.97);
    });
  }

  it('stays near 95% with heavy-tailed baskets and about a dozen buyers per group, where Welch is weakest', () => {
    const measured = revenueCoverage({ members: 200, treatment: { rate: 0.08, basket: 50 }, control: { rate: 0.05, basket: 50 }, basketSigma: 1.5 }, 2000, 204);
    printFigure('revenue lift, 200 per group, 5% → 8% converting, baskets of 50 (σ 1.5)', { 'Welch coverage': measured.coverage });
    expect(measured.coverage).toBeGreaterThanOrEqual(0.92);
  });
});
