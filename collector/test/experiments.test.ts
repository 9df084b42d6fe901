/**
 * The statistics library runs inside the Workers runtime as it does in Node:
 * its distributions come from npm packages, which must bundle without Node
 * built-ins. The statistics themselves are tested beside their modules.
 */
import { describe, expect, it } from 'vitest';
import { conversionVerdict, measureCampaign, studentTQuantile } from '../src/experiments';

describe('experiments in the Workers runtime', () => {
  it('measures a campaign from its totals', () => {
    const treatment = {
      members: 600,
      converted: 90,
      revenue: 5400,
      revenueSquares: 700_000,
      buyers: 90,
      spendBefore: 9000,
      spendBeforeSquares: 1_200_000,
      spendBeforeTimesRevenue: 260_000,
    };
    const control = {
      members: 600,
      converted: 60,
      revenue: 3600,
      revenueSquares: 480_000,
      buyers: 60,
      spendBefore: 8800,
      spendBeforeSquares: 1_150_000,
      spendBeforeTimesRevenue: 150_000,
    };
    const m = measureCampaign({ treatment, control, reached: 580, costPerContact: 0.3 });
    expect(m.lift.conversionRate.absolute).toBeCloseTo(0.05, 12);
    expect(m.lift.conversionRate.pValue).toBeLessThan(0.05);
    expect(m.lift.revenuePerMember.ci95).not.toBeNull();
    expect(m.cuped.revenuePerMember.varianceReduction).toBeGreaterThan(0);
    expect(studentTQuantile(0.975, 3.7)).toBeCloseTo(2.8675207071911895, 10);
    expect(conversionVerdict(m.lift.conversionRate, { roi: m.roi }).text).toMatch(
      /^treatment converts 5\.0 points better \(95% interval [\d.]+ to [\d.]+\); significant; ROI [+−]?[\d,]+% \(95% interval [+−]?[\d,]+% to [+−]?[\d,]+%; 0% is break-even\)$/,
    );
  });
});
