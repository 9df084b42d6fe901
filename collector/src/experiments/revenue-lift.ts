/**
 * Lift of revenue per member: treatment's mean minus control's, with Welch's
 * t-test. It does not assume the groups' variances are equal (a campaign
 * changes how much people spend as well as how many do), and its degrees
 * of freedom come from the Welch–Satterthwaite approximation. Revenue per
 * member is skewed (most members spend nothing); the measured coverage of
 * the interval is in the README.
 */
import { studentTQuantile, twoSidedTP } from './distributions';
import type { ExperimentLift, Interval } from '@trailmark/schema';
import { NO_LIFT, relativeInterval, relativeOf } from './lift';
import { moments, type GroupTotals, type Moments } from './totals';

export type RevenueTotals = Pick<GroupTotals, 'members' | 'revenue' | 'revenueSquares'>;

export function revenueLift(treatment: RevenueTotals, control: RevenueTotals): ExperimentLift {
  const t = moments(treatment.members, treatment.revenue, treatment.revenueSquares);
  const c = moments(control.members, control.revenue, control.revenueSquares);
  return welchLift(t, c);
}

export interface WelchTest {
  difference: number;
  /** Standard error of the difference. */
  standardError: number;
  /** Welch–Satterthwaite degrees of freedom. */
  df: number;
  ci95: Interval;
  pValue: number;
}

/**
 * Welch's test of two means from each group's moments; null while a group has
 * fewer than 2 members or neither group varies at all (nothing to measure the
 * noise by).
 */
export function welchTest(t: Moments, c: Moments): WelchTest | null {
  if (t.n < 2 || c.n < 2) return null;
  const varMeanT = t.variance / t.n;
  const varMeanC = c.variance / c.n;
  const se2 = varMeanT + varMeanC;
  if (!(se2 > 0)) return null;
  const standardError = Math.sqrt(se2);
  const df = (se2 * se2) / ((varMeanT * varMeanT) / (t.n - 1) + (varMeanC * varMeanC) / (c.n - 1));
  const difference = t.mean - c.mean;
  const half = studentTQuantile(0.975, df) * standardError;
  return { difference, standardError, df, ci95: [difference - half, difference + half], pValue: twoSidedTP(difference / standardError, df) };
}

/** A lift from two groups' moments by Welch's test. */
export function welchLift(t: Moments, c: Moments): ExperimentLift {
  if (t.n === 0 || c.n === 0) return { ...NO_LIFT };
  const test = welchTest(t, c);
  return {
    absolute: t.mean - c.mean,
    relative: relativeOf(t.mean, c.mean),
    ci95: test?.ci95 ?? null,
    relativeCi95: test ? relativeInterval({ mean: t.mean, varianceOfMean: t.variance / t.n }, { mean: c.mean, varianceOfMean: c.variance / c.n }) : null,
    pValue: test?.pValue ?? null,
  };
}
