/**
 * Lift of the conversion rate: treatment's rate minus control's, with
 * - the 95% interval of Newcombe's hybrid score method (his method 10: a
 *   Wilson score interval per group, combined). Unlike the textbook Wald
 *   interval (±1.96·√(p(1−p)/n) summed), it keeps its coverage near 95%
 *   with a few hundred members and rates of a few percent, the sizes of a
 *   small shop's campaign, and never leaves [−1, 1];
 * - the p-value of the pooled two-proportion z-test (the standard test of
 *   "both groups convert at the same rate", equal to Pearson's χ² test).
 * Near the 5% boundary the two can disagree; `verdict` calls a difference
 * significant only when both say so.
 */
import { Z95, twoSidedNormalP } from './distributions';
import type { ExperimentLift, Interval } from '@trailmark/schema';
import { NO_LIFT, relativeInterval, relativeOf } from './lift';
import { moments, type GroupTotals } from './totals';

export type ConversionTotals = Pick<GroupTotals, 'members' | 'converted'>;

export function conversionLift(treatment: ConversionTotals, control: ConversionTotals): ExperimentLift {
  checkConversionTotals(treatment);
  checkConversionTotals(control);
  if (treatment.members === 0 || control.members === 0) return { ...NO_LIFT };
  const rateT = treatment.converted / treatment.members;
  const rateC = control.converted / control.members;
  const absolute = rateT - rateC;
  return {
    absolute,
    relative: relativeOf(rateT, rateC),
    ci95: newcombeInterval(treatment, control),
    relativeCi95: relativeRateInterval(treatment, control),
    pValue: pooledZTestP(treatment, control),
  };
}

/** Wilson score interval of one group's rate at 95%. */
export function wilsonInterval({ members: n, converted: x }: ConversionTotals): Interval {
  const p = x / n;
  const z2 = Z95 * Z95;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (Z95 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  // At 0 or n conversions the bound is exactly 0 or 1; the formula reaches it only up to rounding.
  return [x === 0 ? 0 : centre - half, x === n ? 1 : centre + half];
}

/** Newcombe's hybrid score interval of rateT − rateC at 95%. */
export function newcombeInterval(treatment: ConversionTotals, control: ConversionTotals): Interval {
  const pT = treatment.converted / treatment.members;
  const pC = control.converted / control.members;
  const [lowT, highT] = wilsonInterval(treatment);
  const [lowC, highC] = wilsonInterval(control);
  const d = pT - pC;
  return [d - Math.hypot(pT - lowT, highC - pC), d + Math.hypot(highT - pT, pC - lowC)];
}

/** Two-sided p-value of the pooled two-proportion z-test. */
export function pooledZTestP(treatment: ConversionTotals, control: ConversionTotals): number {
  const pooled = (treatment.converted + control.converted) / (treatment.members + control.members);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / treatment.members + 1 / control.members));
  // Nobody or everybody converted in both groups: no evidence of any difference.
  if (se === 0) return 1;
  const z = (treatment.converted / treatment.members - control.converted / control.members) / se;
  return twoSidedNormalP(z);
}

function relativeRateInterval(treatment: ConversionTotals, control: ConversionTotals): Interval | null {
  if (treatment.members < 2 || control.members < 2) return null;
  const t = moments(treatment.members, treatment.converted, treatment.converted);
  const c = moments(control.members, control.converted, control.converted);
  return relativeInterval({ mean: t.mean, varianceOfMean: t.variance / t.n }, { mean: c.mean, varianceOfMean: c.variance / c.n });
}

function checkConversionTotals({ members, converted }: ConversionTotals): void {
  if (!(members >= 0) || !(converted >= 0) || converted > members) {
    throw new RangeError(`group totals must have 0 ≤ converted ≤ members (got converted ${converted} of ${members})`);
  }
}
