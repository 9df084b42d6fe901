import { describe, expect, it } from 'vitest';
import { conversionLift } from './conversion-lift';
import { sequentialConversionLift, sequentialHalfWidth } from './sequential';
import { dailyReading, printFigure, SIMULATION_TIMEOUT } from './simulation';

describe('sequentialConversionLift', () => {
  it('is wider than the fixed-horizon interval and narrows as members arrive', () => {
    const day10 = sequentialConversionLift({ members: 400, converted: 52 }, { members: 400, converted: 40 });
    const day30 = sequentialConversionLift({ members: 1200, converted: 156 }, { members: 1200, converted: 120 });
    const fixed = conversionLift({ members: 1200, converted: 156 }, { members: 1200, converted: 120 });
    expect(day30.absolute).toBeCloseTo(0.03, 12);
    expect(day30.ci95![0]).toBeLessThan(fixed.ci95![0]);
    expect(day30.ci95![1]).toBeGreaterThan(fixed.ci95![1]);
    expect(day30.ci95![1] - day30.ci95![0]).toBeLessThan(day10.ci95![1] - day10.ci95![0]);
    expect(day30.relativeCi95![0]).toBeLessThan(fixed.relativeCi95![0]);
    expect(day30.relativeCi95![1]).toBeGreaterThan(fixed.relativeCi95![1]);
  });

  it("gives a relative interval around the relative lift, no narrower than the absolute one over control's rate, once control converts", () => {
    for (const [t, c] of [
      [52, 40],
      [40, 52],
      [140, 40],
      [41, 40],
    ] as const) {
      const lift = sequentialConversionLift({ members: 400, converted: t }, { members: 400, converted: c });
      const [low, high] = lift.relativeCi95!;
      expect(low).toBeLessThan(lift.relative!);
      expect(high).toBeGreaterThan(lift.relative!);
      expect(low).toBeGreaterThanOrEqual(-1);
      expect(low).toBeLessThanOrEqual(lift.ci95![0] / (c / 400));
      expect(high).toBeGreaterThanOrEqual(lift.ci95![1] / (c / 400));
    }
    // Control's rate could still be 0: no ratio to bound.
    expect(sequentialConversionLift({ members: 400, converted: 12 }, { members: 400, converted: 0 }).relativeCi95).toBeNull();
    expect(sequentialConversionLift({ members: 30, converted: 3 }, { members: 30, converted: 1 }).relativeCi95).toBeNull();
  });

  it('its p-value is below 5% exactly when its interval excludes zero', () => {
    for (const converted of [40, 50, 55, 58, 60, 62, 65, 70, 90]) {
      const lift = sequentialConversionLift({ members: 500, converted }, { members: 500, converted: 40 });
      const excludesZero = lift.ci95![0] > 0 || lift.ci95![1] < 0;
      expect(lift.pValue! < 0.05).toBe(excludesZero);
    }
  });

  it('with the default mixing (τ = 5 points) stays within 3.0–4.2 standard errors from 100 to 10,000 members per group', () => {
    for (const members of [100, 500, 2000, 10_000]) {
      for (const rate of [0.02, 0.1, 0.3]) {
        const v = (2 * rate * (1 - rate)) / members;
        const ratio = sequentialHalfWidth(v, 0.05) / Math.sqrt(v);
        expect(ratio).toBeGreaterThan(3.0);
        expect(ratio).toBeLessThan(4.2);
      }
    }
  });

  it('has a width even before anyone converts, and refuses a mixing spread of zero', () => {
    const first = sequentialConversionLift({ members: 20, converted: 0 }, { members: 20, converted: 0 });
    expect(first.ci95![0]).toBeLessThan(0);
    expect(first.ci95![1]).toBeGreaterThan(0);
    expect(first.pValue).toBe(1);
    expect(() => sequentialConversionLift({ members: 1, converted: 0 }, { members: 1, converted: 0 }, { mixingSd: 0 })).toThrow(RangeError);
  });
});

describe('reading a campaign every day for 30 days (2,000 simulated campaigns each)', { timeout: SIMULATION_TIMEOUT }, () => {
  it('A/A, 40 new members per group a day converting at 10%: the always-valid interval excludes 0 on some day in under 5% of campaigns; daily peeking at the fixed-horizon p-value does far more often', () => {
    const measured = dailyReading({ days: 30, membersPerDay: 40, treatmentRate: 0.1, controlRate: 0.1 }, 2000, 401);
    printFigure('A/A read daily for 30 days, 40 a day per group at 10%', {
      'always-valid interval excludes 0 on some day': measured.sequentialMiss,
      'fixed p < 5% on some day (peeking)': measured.peekingSignificant,
      'fixed interval excludes 0 on day 30 only': measured.lastDayMiss,
    });
    expect(measured.sequentialMiss).toBeLessThan(0.05);
    expect(measured.peekingSignificant).toBeGreaterThan(0.15);
    expect(measured.lastDayMiss).toBeLessThan(0.07);
  });

  it('A/A in a small shop, 10 new members per group a day converting at 5%: still under 5%', () => {
    const measured = dailyReading({ days: 30, membersPerDay: 10, treatmentRate: 0.05, controlRate: 0.05 }, 2000, 402);
    printFigure('A/A read daily for 30 days, 10 a day per group at 5%', {
      'always-valid interval excludes 0 on some day': measured.sequentialMiss,
      'fixed p < 5% on some day (peeking)': measured.peekingSignificant,
    });
    expect(measured.sequentialMiss).toBeLessThan(0.05);
    expect(measured.peekingSignificant).toBeGreaterThan(0.1);
  });

  it('with a real 3-point effect the always-valid interval misses the truth on some day in under 5% of campaigns, and finds the effect', () => {
    const measured = dailyReading({ days: 30, membersPerDay: 40, treatmentRate: 0.13, controlRate: 0.1 }, 2000, 403);
    printFigure('10% → 13% read daily for 30 days, 40 a day per group', {
      'always-valid interval misses the truth on some day': measured.sequentialMiss,
      'fixed interval misses the truth on some day (peeking)': measured.peekingMiss,
      'always-valid interval detects the effect within 30 days': measured.sequentialDetected,
    });
    console.log(
      `[measured] median day of detection: ${measured.medianDetectionDay}; always-valid / fixed width on day 30: ${measured.lastDayWidthRatio.toFixed(2)}`,
    );
    printFigure('10% → 13% read daily for 30 days, relative lift (30%)', {
      'always-valid relative interval misses the truth on some day': measured.sequentialRelativeMiss,
    });
    expect(measured.sequentialMiss).toBeLessThan(0.05);
    expect(measured.sequentialRelativeMiss).toBeLessThan(0.05);
    expect(measured.peekingMiss).toBeGreaterThan(0.1);
    expect(measured.sequentialDetected).toBeGreaterThan(0.25);
  });
});
