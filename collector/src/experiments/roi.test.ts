import { describe, expect, it } from 'vitest';
import type { ExperimentLift } from '@trailmark/schema';
import { NO_LIFT } from './lift';
import { returnOnInvestment } from './roi';

const lift = (absolute: number, ci95: [number, number]): ExperimentLift => ({ absolute, relative: null, ci95, relativeCi95: null, pValue: 0.01 });

describe('returnOnInvestment', () => {
  it('incremental revenue over treatment members, cost over those reached', () => {
    const roi = returnOnInvestment({ revenuePerMember: lift(2, [0.5, 3.5]), treatmentMembers: 1000, reached: 800, costPerContact: 0.5 });
    expect(roi.incrementalRevenue).toBe(2000);
    expect(roi.cost).toBe(400);
    expect(roi.roi).toBe(4); // (2000 − 400) / 400
    expect(roi.incrementalRevenueCi95).toEqual([500, 3500]);
    expect(roi.roiCi95).toEqual([0.25, 7.75]);
  });

  it('has no ratio without a cost, and nothing before there is a lift', () => {
    expect(returnOnInvestment({ revenuePerMember: lift(2, [0.5, 3.5]), treatmentMembers: 1000, reached: 800 })).toEqual({
      incrementalRevenue: 2000,
      cost: 0,
      roi: null,
      incrementalRevenueCi95: [500, 3500],
      roiCi95: null,
    });
    expect(returnOnInvestment({ revenuePerMember: { ...NO_LIFT }, treatmentMembers: 0, reached: 0, costPerContact: 1 })).toEqual({
      incrementalRevenue: null,
      cost: 0,
      roi: null,
      incrementalRevenueCi95: null,
      roiCi95: null,
    });
  });

  it('a campaign that lost money has a negative ROI', () => {
    expect(returnOnInvestment({ revenuePerMember: lift(-0.1, [-1, 0.8]), treatmentMembers: 100, reached: 100, costPerContact: 0.2 }).roi).toBeCloseTo(-1.5, 12);
  });

  it('refuses a negative cost', () => {
    expect(() => returnOnInvestment({ revenuePerMember: lift(1, [0, 2]), treatmentMembers: 1, reached: 1, costPerContact: -1 })).toThrow(RangeError);
  });
});
