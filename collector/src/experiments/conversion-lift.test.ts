import { describe, expect, it } from 'vitest';
import { conversionLift, newcombeInterval, pooledZTestP, relativeRateInterval, wilsonInterval } from './conversion-lift';
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

  it("matches Koopman's published score interval of the ratio (Fagerland, Lydersen and Laake: Perondi et al. 2004)", () => {
    // 7 of 34 against 1 of 34: ratio 7.0, 95% interval 1.2209 to 42.5757 (R contingencytables).
    const [low, high] = relativeRateInterval({ members: 34, converted: 7 }, { members: 34, converted: 1 })!;
    expect(low + 1).toBeCloseTo(1.2209, 4);
    expect(high + 1).toBeCloseTo(42.5757, 3);
  });

  it('gives a relative interval that agrees with the p-value and is never a point from a handful of members', () => {
    // 7 of 100 against 1 of 100: Newcombe and the z-test call it (p ≈ 0.03); the log-ratio interval read −13% to +5,544%.
    const clear = conversionLift({ members: 100, converted: 7 }, { members: 100, converted: 1 });
    expect(clear.pValue).toBeLessThan(0.05);
    expect(clear.relativeCi95![0]).toBeGreaterThan(0);
    // 3 of 3 against 2 of 2, and 20 of 20 against 20 of 20: the log-ratio interval read [0, 0].
    for (const [t, c] of [
      [3, 2],
      [20, 20],
    ] as const) {
      const [low, high] = conversionLift({ members: t, converted: t }, { members: c, converted: c }).relativeCi95!;
      expect(low).toBeLessThan(-0.05);
      expect(high).toBeGreaterThan(0.01);
    }
    // The interval excludes 0 exactly when the pooled z-test's p-value is below 5% (both are the same score test at ratio 1).
    for (let n = 5; n <= 60; n += 11)
      for (let xT = 0; xT <= n; xT++)
        for (let xC = 1; xC <= n; xC += 2) {
          const lift = conversionLift({ members: n, converted: xT }, { members: n + 7, converted: xC });
          const [low, high] = lift.relativeCi95!;
          if (Math.abs(lift.pValue! - 0.05) < 1e-6) continue;
          expect(low > 0 || high < 0, `${xT}/${n} vs ${xC}/${n + 7}`).toBe(lift.pValue! < 0.05);
        }
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
