import { describe, expect, it } from 'vitest';
import type { ExperimentLift } from '@trailmark/schema';
import { NO_LIFT } from './lift';
import { returnOnInvestment } from './roi';
import { conversionVerdict, revenueVerdict } from './verdict';

const lift = (absolute: number, ci95: [number, number], pValue: number): ExperimentLift => ({ absolute, relative: null, ci95, relativeCi95: null, pValue });

describe('conversionVerdict', () => {
  it('a significant lift, with its ROI and how sure that is', () => {
    const roi = returnOnInvestment({ revenuePerMember: lift(0.84, [0.2, 1.5], 0.01), treatmentMembers: 1000, reached: 1000, costPerContact: 0.2 });
    expect(conversionVerdict(lift(0.041, [0.012, 0.07], 0.004), { roi })).toEqual({
      status: 'better',
      text: 'treatment converts 4.1 points better (95% interval 1.2 to 7.0); significant; ROI +320% (95% interval 0% to +650%; 0% is break-even)',
    });
  });

  it('says a large ROI with thousands separators and a loss with a minus sign', () => {
    const big = returnOnInvestment({ revenuePerMember: lift(30, [10, 50], 0.01), treatmentMembers: 1000, reached: 1000, costPerContact: 0.01 });
    expect(conversionVerdict(lift(0.041, [0.012, 0.07], 0.004), { roi: big }).text).toBe(
      'treatment converts 4.1 points better (95% interval 1.2 to 7.0); significant; ROI +299,900% (95% interval +99,900% to +499,900%; 0% is break-even)',
    );
    const loss = returnOnInvestment({ revenuePerMember: lift(-0.1, [-1, 0.8], 0.5), treatmentMembers: 100, reached: 100, costPerContact: 0.2 });
    expect(conversionVerdict(lift(0.041, [0.012, 0.07], 0.004), { roi: { ...loss, roiCi95: null } }).text).toMatch(/; ROI −150% \(0% is break-even\)$/);
  });

  it('a significant loss', () => {
    expect(conversionVerdict(lift(-0.02, [-0.035, -0.005], 0.01))).toEqual({
      status: 'worse',
      text: 'treatment converts 2.0 points worse (95% interval −3.5 to −0.5); significant',
    });
  });

  it('not yet distinguishable, with how many more shoppers are needed', () => {
    const text = conversionVerdict(lift(0.008, [-0.019, 0.035], 0.5), { needed: { treatment: 1873, control: 1873, total: 3746 } }).text;
    expect(text).toBe('not yet distinguishable: treatment converts 0.8 points better (95% interval −1.9 to 3.5); about 1,900 more shoppers per group needed');
  });

  it('names the holdout when the split is uneven', () => {
    const verdict = conversionVerdict(lift(-0.012, [-0.03, 0.006], 0.2), {
      needed: { treatment: 17_130, control: 1903, total: 19_033 },
      treatmentName: 'personalised',
      controlName: 'holdout',
    });
    expect(verdict).toEqual({
      status: 'unclear',
      text: 'not yet distinguishable: personalised converts 1.2 points worse (95% interval −3.0 to 0.6); about 19,000 more shoppers needed, 1,900 of them in the holdout',
    });
  });

  it('calls nothing significant when the interval and the p-value disagree', () => {
    expect(conversionVerdict(lift(0.02, [0.001, 0.04], 0.06)).status).toBe('unclear');
    expect(conversionVerdict(lift(0.02, [-0.001, 0.04], 0.04)).status).toBe('unclear');
  });

  it('no difference at all, and no data', () => {
    expect(conversionVerdict(lift(0, [-0.02, 0.02], 1)).text).toBe('not yet distinguishable: no difference seen (95% interval −2.0 to 2.0)');
    expect(conversionVerdict({ ...NO_LIFT })).toEqual({ status: 'unknown', text: 'not enough data yet' });
  });
});

describe('revenueVerdict', () => {
  it('says the amount per member in the currency', () => {
    expect(revenueVerdict(lift(1.2, [0.3, 2.1], 0.01), 'EUR')).toEqual({
      status: 'better',
      text: 'treatment brings 1.20 EUR more per shopper (95% interval 0.30 to 2.10); significant',
    });
    expect(revenueVerdict(lift(-1234.5, [-2500, 31], 0.09), 'JPY', { noun: 'members', needed: { treatment: 420, control: 400, total: 820 } }).text).toBe(
      'not yet distinguishable: treatment brings 1,234.50 JPY less per member (95% interval −2,500.00 to 31.00); about 420 more members per group needed',
    );
  });
});
