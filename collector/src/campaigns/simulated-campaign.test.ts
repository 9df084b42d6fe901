import { describe, expect, it } from 'vitest';
import { simulateCampaign } from './simulated-campaign';

describe('a simulated campaign through the store', () => {
  it('counts exactly the generated conversions and revenue, and its interval covers the planted lift', async () => {
    const { report, trueLift, counted } = await simulateCampaign({ members: 4000, baseRate: 0.1, lift: 0.04, orderValue: 60, seed: 1 });
    expect(report.groups.treatment.converted).toBe(counted.treatment);
    expect(report.groups.control.converted).toBe(counted.control);
    expect(report.groups.treatment.revenue).toBeCloseTo(counted.revenueTreatment, 6);
    expect(report.groups.control.revenue).toBeCloseTo(counted.revenueControl, 6);
    expect(report.groups.treatment.members + report.groups.control.members).toBe(4000);
    const [low, high] = report.lift.conversionRate.ci95!;
    expect(low).toBeLessThanOrEqual(trueLift);
    expect(high).toBeGreaterThanOrEqual(trueLift);
    expect(report.verdict.conversionRate.status).toBe('better');
    // The always-valid interval is wider and still holds the truth.
    const [sLow, sHigh] = report.sequential.conversionRate.ci95!;
    expect(sLow).toBeLessThanOrEqual(low);
    expect(sHigh).toBeGreaterThanOrEqual(high);
    expect(sLow).toBeLessThanOrEqual(trueLift);
    // Spend before predicts revenue after, a little (most members buy nothing in 3 days): CUPED narrows the revenue interval.
    expect(report.cuped.revenuePerMember.varianceReduction!).toBeGreaterThan(0.01);
    expect(report.matured).toEqual({ treatment: report.groups.treatment.members, control: report.groups.control.members });
  }, 30_000);

  it('covers the planted lift in about 95% of campaigns', async () => {
    let covered = 0;
    const runs = 100;
    for (let seed = 100; seed < 100 + runs; seed++) {
      const { report, trueLift } = await simulateCampaign({ members: 400, baseRate: 0.12, lift: 0.03, orderValue: 40, seed });
      const [low, high] = report.lift.conversionRate.ci95!;
      if (low <= trueLift && trueLift <= high) covered++;
    }
    // 100 runs: at 95% coverage, fewer than 89 happens with probability 0.3%; more than 99, 0.6%.
    expect(covered).toBeGreaterThanOrEqual(89);
    expect(covered).toBeLessThanOrEqual(99);
  }, 60_000);

  it('finds nothing in an A/A campaign', async () => {
    const { report } = await simulateCampaign({ members: 3000, baseRate: 0.1, lift: 0, orderValue: 60, seed: 5 });
    expect(report.sequential.conversionRate.ci95![0]).toBeLessThan(0);
    expect(report.sequential.conversionRate.ci95![1]).toBeGreaterThan(0);
  }, 30_000);
});
