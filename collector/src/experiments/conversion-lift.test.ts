import { describe, expect, it } from 'vitest';
import { conversionLift, newcombeInterval, pooledZTestP, wilsonInterval } from './conversion-lift';
import { conversionCoverage, printFigure, SIMULATION_TIMEOUT } from './simulation';

describe('conversionLift', () => {
  it("matches Newcombe's published intervals (Statistics in Medicine 1998, method 10)", () => {
    const [low, high] = newcombeInterval({ members: 70, converted: 56 }, { members: 80, converted: 48 });
    expect(low).toBeCloseTo(0.0524, 4);
    expect(high).toBeCloseTo(0.3339, 4);
    const [low2, high2] = newcombeInterval({ members: 10, converted: 9 }, { members: 10, converted: 3 });
    expect(low2).toBeCloseTo(0.1705, 4);
    expect(high2).toBeCloseTo(0.809, 4);
  });

  it('p-value of the pooled z-test equals the χ² test without continuity correction (SciPy)', () => {
    expect(pooledZTestP({ members: 70, converted: 56 }, { members: 80, converted: 48 })).toBeCloseTo(0.008045081368196585, 12);
  });

  it('gives absolute and relative differences with intervals', () => {
    const lift = conversionLift({ members: 1000, converted: 120 }, { members: 1000, converted: 100 });
    expect(lift.absolute).toBeCloseTo(0.02, 12);
    expect(lift.relative).toBeCloseTo(0.2, 12);
    expect(lift.ci95![0]).toBeLessThan(0.02);
    expect(lift.ci95![1]).toBeGreaterThan(0.02);
    expect(lift.relativeCi95![0]).toBeLessThan(0.2);
    expect(lift.relativeCi95![1]).toBeGreaterThan(0.2);
    expect(lift.pValue).toBeGreaterThan(0.05); // 12% vs 10% of 1,000 is not yet distinguishable
  });

  it('stays inside [−1, 1] and says nothing it cannot', () => {
    expect(wilsonInterval({ members: 5, converted: 0 })[0]).toBe(0);
    expect(wilsonInterval({ members: 5, converted: 5 })[1]).toBe(1);
    const none = conversionLift({ members: 50, converted: 0 }, { members: 50, converted: 0 });
    expect(none).toMatchObject({ absolute: 0, relative: null, relativeCi95: null, pValue: 1 });
    expect(none.ci95![0]).toBeLessThan(0);
    expect(none.ci95![1]).toBeGreaterThan(0);
    const all = conversionLift({ members: 3, converted: 3 }, { members: 3, converted: 0 });
    expect(all.ci95![1]).toBeLessThanOrEqual(1);
    expect(conversionLift({ members: 0, converted: 0 }, { members: 10, converted: 1 })).toEqual({
      absolute: null,
      relative: null,
      ci95: null,
      relativeCi95: null,
      pValue: null,
    });
  });

  it('refuses totals that cannot come from members', () => {
    expect(() => conversionLift({ members: 10, converted: 11 }, { members: 10, converted: 1 })).toThrow(RangeError);
    expect(() => conversionLift({ members: 10, converted: -1 }, { members: 10, converted: 1 })).toThrow(RangeError);
  });
});

describe('conversionLift coverage (simulated campaigns with a known difference, 2,000 runs each)', { timeout: SIMULATION_TIMEOUT }, () => {
  const scenarios = [
    { label: '200 per group, 5% → 8%', treatment: { members: 200, rate: 0.08 }, control: { members: 200, rate: 0.05 }, seed: 101 },
    { label: '1,000 per group, 10% → 12%', treatment: { members: 1000, rate: 0.12 }, control: { members: 1000, rate: 0.1 }, seed: 102 },
    { label: '2,700 vs a 300 holdout, 4% → 5%', treatment: { members: 2700, rate: 0.05 }, control: { members: 300, rate: 0.04 }, seed: 103 },
  ];
  for (const { label, seed, ...scenario } of scenarios) {
    it(`the 95% interval contains the true difference in 93–97% of runs: ${label}`, () => {
      const measured = conversionCoverage(scenario, 2000, seed);
      printFigure(`conversion lift, ${label}`, {
        'Newcombe coverage': measured.coverage,
        'Wald coverage': measured.waldCoverage,
        'p-value/interval disagree': measured.disagreement,
      });
      expect(measured.coverage).toBeGreaterThanOrEqual(0.93);
      expect(measured.coverage).toBeLessThanOrEqual(0.97);
    });
  }

  it('with only 2–4 conversions per group the interval errs on the wide side, where the textbook one is too narrow', () => {
    const measured = conversionCoverage({ treatment: { members: 100, rate: 0.04 }, control: { members: 100, rate: 0.02 } }, 2000, 104);
    printFigure('conversion lift, 100 per group, 2% → 4%', {
      'Newcombe coverage': measured.coverage,
      'Wald coverage': measured.waldCoverage,
      'p-value/interval disagree': measured.disagreement,
    });
    expect(measured.coverage).toBeGreaterThanOrEqual(0.95);
    expect(measured.coverage).toBeGreaterThan(measured.waldCoverage);
  });
});
