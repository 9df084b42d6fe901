import { describe, expect, it } from 'vitest';
import { conversionLift } from './conversion-lift';
import { measureCampaign } from './measure-campaign';
import { revenueLift } from './revenue-lift';
import { EMPTY_TOTALS } from './totals';

const treatment = {
  members: 1000,
  converted: 140,
  revenue: 9100,
  revenueSquares: 1_400_000,
  buyers: 140,
  spendBefore: 30_000,
  spendBeforeSquares: 4_000_000,
  spendBeforeTimesRevenue: 600_000,
};
const control = {
  members: 1000,
  converted: 100,
  revenue: 6500,
  revenueSquares: 1_000_000,
  buyers: 100,
  spendBefore: 29_000,
  spendBeforeSquares: 3_900_000,
  spendBeforeTimesRevenue: 420_000,
};
const L = ['absolute', 'relative', 'ci95', 'relativeCi95', 'pValue'];

describe('measureCampaign', () => {
  it('gives every statistical part of the contract report', () => {
    const m = measureCampaign({ treatment, control, reached: 900, costPerContact: 0.5 });
    expect(m.groups).toEqual({
      treatment: { members: 1000, reached: 900, converted: 140, conversionRate: 0.14, revenue: 9100, revenuePerMember: 9.1 },
      control: { members: 1000, reached: 0, converted: 100, conversionRate: 0.1, revenue: 6500, revenuePerMember: 6.5 },
    });
    for (const l of [m.lift.conversionRate, m.lift.revenuePerMember, m.cuped.revenuePerMember, m.sequential.conversionRate])
      expect(Object.keys(l)).toEqual(expect.arrayContaining(L));
    expect(m.lift.conversionRate).toEqual(conversionLift(treatment, control));
    expect(m.lift.revenuePerMember.absolute).toBeCloseTo(2.6, 12);
    expect(m.roi.cost).toBe(450);
    expect(m.roi.roi).toBeCloseTo((2600 - 450) / 450, 9);
    expect(m.roi.incrementalRevenue).toBeCloseTo(2600, 9);
    expect(m.sequential.conversionRate.ci95![1] - m.sequential.conversionRate.ci95![0]).toBeGreaterThan(
      m.lift.conversionRate.ci95![1] - m.lift.conversionRate.ci95![0],
    );
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

  it('calls no revenue difference significant while a group has too few buyers, and says so', () => {
    // 400 treated members, 40 of whom spent 50; 13 control members who all spent 0. Welch alone reads the
    // control as noiseless and the lift as certain.
    const t = { ...EMPTY_TOTALS, members: 400, converted: 40, revenue: 2000, revenueSquares: 40 * 2500, buyers: 40 };
    const c = { ...EMPTY_TOTALS, members: 13 };
    const m = measureCampaign({ treatment: t, control: c, reached: 400 });
    expect(m.revenueNotYet).toBe('0 of 13 control group members bought: revenue is judged once each group has 10 buyers');
    expect(m.membersNeeded.revenuePerMember!.control).toBeGreaterThan(13);
    const welchAlone = revenueLift(t, c);
    expect(welchAlone.ci95![0]).toBeGreaterThan(0);
    expect(m.lift.revenuePerMember.absolute).toBeCloseTo(welchAlone.absolute!, 12);
    expect(m.lift.revenuePerMember.ci95![1] - m.lift.revenuePerMember.ci95![0]).toBeGreaterThan(welchAlone.ci95![1] - welchAlone.ci95![0]);
    // With buyers enough in both groups the floor sits near the observed variance: the interval barely moves.
    const plenty = measureCampaign({ treatment, control, reached: 900 });
    expect(plenty.revenueNotYet).toBeNull();
    const welch = revenueLift(treatment, control);
    expect(plenty.lift.revenuePerMember.ci95![0]).toBeCloseTo(welch.ci95![0], 1);
    expect(plenty.lift.revenuePerMember.ci95![1]).toBeCloseTo(welch.ci95![1], 1);
  });

  it('says the mixing parameter it used', () => {
    expect(measureCampaign({ treatment, control, reached: 0, mixingSd: 0.02 }).methods.sequential).toContain('about 2 points');
  });
});
