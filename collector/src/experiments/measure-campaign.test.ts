import { describe, expect, it } from 'vitest';
import { conversionLift } from './conversion-lift';
import { measureCampaign } from './measure-campaign';
import { EMPTY_TOTALS } from './totals';

const treatment = { members: 1000, converted: 140, revenue: 9100, revenueSquares: 1_400_000, spendBefore: 30_000, spendBeforeSquares: 4_000_000, spendBeforeTimesRevenue: 600_000 };
const control = { members: 1000, converted: 100, revenue: 6500, revenueSquares: 1_000_000, spendBefore: 29_000, spendBeforeSquares: 3_900_000, spendBeforeTimesRevenue: 420_000 };
const L = ['absolute', 'relative', 'ci95', 'relativeCi95', 'pValue'];

describe('measureCampaign', () => {
  it('gives every statistical part of the contract report', () => {
    const m = measureCampaign({ treatment, control, reached: 900, costPerContact: 0.5 });
    expect(m.groups).toEqual({
      treatment: { members: 1000, reached: 900, converted: 140, conversionRate: 0.14, revenue: 9100, revenuePerMember: 9.1 },
      control: { members: 1000, reached: 0, converted: 100, conversionRate: 0.1, revenue: 6500, revenuePerMember: 6.5 },
    });
    for (const l of [m.lift.conversionRate, m.lift.revenuePerMember, m.cuped.revenuePerMember, m.sequential.conversionRate]) expect(Object.keys(l)).toEqual(expect.arrayContaining(L));
    expect(m.lift.conversionRate).toEqual(conversionLift(treatment, control));
    expect(m.lift.revenuePerMember.absolute).toBeCloseTo(2.6, 12);
    expect(m.roi.cost).toBe(450);
    expect(m.roi.roi).toBeCloseTo((2600 - 450) / 450, 9);
    expect(m.roi.incrementalRevenue).toBeCloseTo(2600, 9);
    expect(m.sequential.conversionRate.ci95![1] - m.sequential.conversionRate.ci95![0]).toBeGreaterThan(m.lift.conversionRate.ci95![1] - m.lift.conversionRate.ci95![0]);
    expect(Object.values(m.methods).every((text) => text.length > 40)).toBe(true);
  });

  it('answers for a campaign with nobody in it yet, in plain JSON (no NaN, no Infinity)', () => {
    const m = measureCampaign({ treatment: { ...EMPTY_TOTALS }, control: { ...EMPTY_TOTALS }, reached: 0, costPerContact: 1 });
    expect(JSON.parse(JSON.stringify(m))).toEqual(m);
    expect(m.lift.conversionRate.absolute).toBeNull();
    expect(m.groups.treatment.conversionRate).toBeNull();
    expect(m.roi.roi).toBeNull();
    expect(m.membersNeeded).toEqual({ conversionRate: null, revenuePerMember: null, sequentialConversionRate: null });
  });

  it('says the mixing parameter it used', () => {
    expect(measureCampaign({ treatment, control, reached: 0, mixingSd: 0.02 }).methods.sequential).toContain('about 2 points');
  });
});
