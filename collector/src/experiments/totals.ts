/**
 * What every method in this library reads: running totals per group, never
 * the members themselves. Each total only grows by adding one member's
 * figures, so a store can keep them incrementally (one row per group and
 * day, summed up to any day) and a report for any day costs a few rows.
 */

/** Running totals of one group (treatment or control). */
export interface GroupTotals {
  /** Members assigned to the group. */
  members: number;
  /** Members who converted (0/1 per member). */
  converted: number;
  /** Σ revenue per member (in one currency). */
  revenue: number;
  /** Σ (revenue per member)². */
  revenueSquares: number;
  /** Members who spent anything (revenue > 0): zero-inflated revenue is judged by them. */
  buyers: number;
}

/**
 * The covariate totals CUPED needs, x being each member's spend in the 30
 * days before assignment (0 for a member who spent nothing) and y their
 * revenue in the window.
 */
export interface CovariateTotals {
  /** Σ x. */
  spendBefore: number;
  /** Σ x². */
  spendBeforeSquares: number;
  /** Σ x·y. */
  spendBeforeTimesRevenue: number;
}

/** Mean and sample variance (n − 1 denominator) of a per-member outcome. */
export interface Moments {
  n: number;
  mean: number;
  variance: number;
}

/**
 * Mean and sample variance from n, Σy and Σy². The variance is floored at 0:
 * Σy² − n·mean² can come out a hair negative in floating point when every
 * member has the same value.
 */
export function moments(n: number, sum: number, sumSquares: number): Moments {
  const mean = n > 0 ? sum / n : 0;
  const variance = n > 1 ? Math.max(0, (sumSquares - n * mean * mean) / (n - 1)) : 0;
  return { n, mean, variance };
}

/** The totals a member with conversion c (0/1), revenue y and spend before x adds to their group. */
export function memberTotals(member: { converted: boolean; revenue: number; spendBefore?: number }): GroupTotals & CovariateTotals {
  const y = member.revenue;
  const x = member.spendBefore ?? 0;
  return {
    members: 1,
    converted: member.converted ? 1 : 0,
    revenue: y,
    revenueSquares: y * y,
    buyers: y > 0 ? 1 : 0,
    spendBefore: x,
    spendBeforeSquares: x * x,
    spendBeforeTimesRevenue: x * y,
  };
}

/** Sum of two groups' totals (adding a member, or adding up days). */
export function addTotals(a: GroupTotals & CovariateTotals, b: GroupTotals & CovariateTotals): GroupTotals & CovariateTotals {
  return {
    members: a.members + b.members,
    converted: a.converted + b.converted,
    revenue: a.revenue + b.revenue,
    revenueSquares: a.revenueSquares + b.revenueSquares,
    buyers: a.buyers + b.buyers,
    spendBefore: a.spendBefore + b.spendBefore,
    spendBeforeSquares: a.spendBeforeSquares + b.spendBeforeSquares,
    spendBeforeTimesRevenue: a.spendBeforeTimesRevenue + b.spendBeforeTimesRevenue,
  };
}

/** Totals of an empty group. */
export const EMPTY_TOTALS: Readonly<GroupTotals & CovariateTotals> = Object.freeze({
  members: 0,
  converted: 0,
  revenue: 0,
  revenueSquares: 0,
  buyers: 0,
  spendBefore: 0,
  spendBeforeSquares: 0,
  spendBeforeTimesRevenue: 0,
});
