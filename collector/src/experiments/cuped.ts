/**
 * CUPED (Deng, Xu, Kohavi and Walker, 2013): revenue per member adjusted by
 * what each member spent in the 30 days before assignment. Spend before is
 * independent of the assignment, so subtracting θ·(x − x̄) from each
 * member's revenue leaves the expected difference between the groups
 * unchanged while removing the part of the noise that spend before
 * predicts: the variance shrinks by about ρ², ρ being the correlation of
 * spend before and after. θ = Cov(x, y) / Var(x) is estimated from both
 * groups pooled, as the paper does; the adjusted means are then compared
 * with Welch's test. Everything comes from the running totals Σx, Σx², Σxy.
 *
 * Revenue is zero-inflated (most members buy nothing), so the adjusted
 * figure keeps the plain one's protection for small groups
 * (zero-inflated.ts): each group's adjusted variance is at least the
 * two-part model's, shrunk by the share of the variance spend before
 * explains over both groups (1 − ρ²), and no interval or p-value is given
 * before each group has MIN_BUYERS buyers. Without them, a 13-member
 * control in which nobody bought read as noiseless and an A/A comparison
 * excluded 0 in about half of all runs (cuped.test.ts).
 */
import type { CupedLift } from '@trailmark/schema';
import { NO_LIFT } from './lift';
import { welchLift } from './revenue-lift';
import { moments, type CovariateTotals, type GroupTotals, type Moments } from './totals';
import { enoughBuyers, flooredMoments, twoPartVariances, withVarianceFloor } from './zero-inflated';

export type CupedTotals = Pick<GroupTotals, 'members' | 'revenue' | 'revenueSquares' | 'buyers'> & CovariateTotals;

export function cupedRevenueLift(treatment: CupedTotals, control: CupedTotals): CupedLift {
  if (treatment.members === 0 || control.members === 0) return { ...NO_LIFT, theta: null, varianceReduction: null };
  const theta = pooledTheta(treatment, control);
  const meanBefore = (treatment.spendBefore + control.spendBefore) / (treatment.members + control.members);
  const floor = twoPartVariances(treatment, control);
  const kept = 1 - pooledRSquared(treatment, control);
  const t = withVarianceFloor(adjustedMoments(treatment, theta, meanBefore), floor ? floor.t * kept : undefined);
  const c = withVarianceFloor(adjustedMoments(control, theta, meanBefore), floor ? floor.c * kept : undefined);
  const lift = welchLift(t, c);
  const plain = flooredMoments(treatment, control);
  const plainVariance = varianceOfDifference(plain.t, plain.c);
  const varianceReduction = lift.ci95 && plainVariance > 0 ? 1 - varianceOfDifference(t, c) / plainVariance : null;
  // Below the buyers' rule a mean of skewed baskets is not near normal, whatever the interval says: none is given.
  if (!enoughBuyers(treatment, control)) return { ...lift, ci95: null, relativeCi95: null, pValue: null, theta, varianceReduction };
  return { ...lift, theta, varianceReduction };
}

/** Variance of the difference of two groups' means. */
function varianceOfDifference(t: Moments, c: Moments): number {
  return t.variance / t.n + c.variance / c.n;
}

/** θ = Cov(x, y) / Var(x) over both groups' members together. */
export function pooledTheta(treatment: CupedTotals, control: CupedTotals): number {
  const n = treatment.members + control.members;
  const sx = treatment.spendBefore + control.spendBefore;
  const sy = treatment.revenue + control.revenue;
  const sxx = treatment.spendBeforeSquares + control.spendBeforeSquares;
  const sxy = treatment.spendBeforeTimesRevenue + control.spendBeforeTimesRevenue;
  const varianceX = sxx - (sx * sx) / n;
  // Relative tolerance: Σx² − (Σx)²/n of identical spends is rounding noise, not variance.
  if (!(varianceX > 1e-12 * sxx)) return 0;
  return (sxy - (sx * sy) / n) / varianceX;
}

/** ρ² of spend before and revenue over both groups' members together: the share of the variance CUPED removes (0 when nobody spent before). */
function pooledRSquared(treatment: CupedTotals, control: CupedTotals): number {
  const n = treatment.members + control.members;
  const sx = treatment.spendBefore + control.spendBefore;
  const sy = treatment.revenue + control.revenue;
  const varianceX = treatment.spendBeforeSquares + control.spendBeforeSquares - (sx * sx) / n;
  const varianceY = treatment.revenueSquares + control.revenueSquares - (sy * sy) / n;
  const covariance = treatment.spendBeforeTimesRevenue + control.spendBeforeTimesRevenue - (sx * sy) / n;
  if (pooledTheta(treatment, control) === 0 || !(varianceY > 0)) return 0;
  return Math.min(1, (covariance * covariance) / (varianceX * varianceY));
}

/** Mean and variance of y − θ·(x − x̄) within one group. */
function adjustedMoments(group: CupedTotals, theta: number, meanBefore: number): Moments {
  const n = group.members;
  const y = moments(n, group.revenue, group.revenueSquares);
  const x = moments(n, group.spendBefore, group.spendBeforeSquares);
  const covariance = n > 1 ? (group.spendBeforeTimesRevenue - n * x.mean * y.mean) / (n - 1) : 0;
  return {
    n,
    mean: y.mean - theta * (x.mean - meanBefore),
    variance: Math.max(0, y.variance - 2 * theta * covariance + theta * theta * x.variance),
  };
}
