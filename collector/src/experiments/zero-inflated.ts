/**
 * Revenue per member when most members spend nothing (zero-inflated), as a
 * slot's holdout of a few dozen shoppers does. Welch's test reads each
 * group's noise from its own sample; a small group in which nobody (or one
 * or two people) bought looks noiseless, so a 13-shopper holdout that spent
 * 0 made any positive treatment "significant". Two things fix that, both
 * from the running totals alone:
 *
 * - A floor under each group's variance: the variance the two-part model
 *   (buy or not, then how much) gives that group, with its buying rate
 *   estimated with Wilson's pseudo-counts (z²/2 buyers and z²/2 non-buyers
 *   added, so 0 of 13 reads as "about 11%, not 0%") and the basket's first
 *   two moments pooled over both groups (under no effect they share it).
 *   With many buyers the floor sits at or below the observed variance and
 *   changes nothing.
 * - No verdict of significance before each group has `MIN_BUYERS` buyers:
 *   below that, a mean of skewed baskets is not near normal whatever its
 *   interval says. The power calculation then also asks for enough members
 *   to expect that many buyers in each group.
 *
 * The false-significance rate of A/A comparisons and the coverage are
 * measured in zero-inflated.test.ts and quoted in the README.
 */
import type { ExperimentLift, MembersNeeded } from '@trailmark/schema';
import { Z95 } from './distributions';
import { NO_LIFT } from './lift';
import { membersNeededFor } from './power';
import { welchLift, type RevenueTotals } from './revenue-lift';
import { moments, type Moments } from './totals';

/** Buyers each group needs before a revenue difference may be called significant. */
export const MIN_BUYERS = 10;

/** Revenue totals with the members who spent anything (revenue > 0). */
export interface BuyerTotals extends RevenueTotals {
  buyers: number;
}

export interface ZeroInflatedLift extends ExperimentLift {
  /** Why no verdict of significance can be given yet whatever the interval says, in words; null when it can. */
  tooFewBuyers: string | null;
}

/** Members' buying rate with Wilson's pseudo-counts: never 0 or 1 from a small group. */
function shrunkRate(buyers: number, members: number): number {
  return (buyers + (Z95 * Z95) / 2) / (members + Z95 * Z95);
}

/**
 * The variance the two-part model gives each group: its shrunk buying rate
 * times the baskets of both groups pooled. Null while nobody bought at all.
 */
export function twoPartVariances(t: BuyerTotals, c: BuyerTotals): { t: number; c: number } | null {
  const buyers = t.buyers + c.buyers;
  if (buyers === 0) return null;
  const basketMean = (t.revenue + c.revenue) / buyers;
  const basketSquare = (t.revenueSquares + c.revenueSquares) / buyers;
  const model = (g: BuyerTotals) => {
    const p = shrunkRate(g.buyers, g.members);
    return p * basketSquare - (p * basketMean) ** 2;
  };
  return { t: model(t), c: model(c) };
}

/** Whether both groups have the buyers a revenue difference needs before it may be called significant. */
export function enoughBuyers(t: BuyerTotals, c: BuyerTotals): boolean {
  return t.buyers >= MIN_BUYERS && c.buyers >= MIN_BUYERS;
}

/** Moments with their variance raised to `floor` where it is lower (unchanged without a floor). */
export function withVarianceFloor(m: Moments, floor: number | undefined): Moments {
  return floor === undefined ? m : { ...m, variance: Math.max(m.variance, floor) };
}

/** Each group's moments with its variance floored at the two-part model's (pooled baskets, shrunk rate). */
export function flooredMoments(t: BuyerTotals, c: BuyerTotals): { t: Moments; c: Moments } {
  const floor = twoPartVariances(t, c);
  return {
    t: withVarianceFloor(moments(t.members, t.revenue, t.revenueSquares), floor?.t),
    c: withVarianceFloor(moments(c.members, c.revenue, c.revenueSquares), floor?.c),
  };
}

/** Revenue per member lift by Welch's test on floored variances, with the buyers' caveat. */
export function zeroInflatedRevenueLift(
  treatment: BuyerTotals,
  control: BuyerTotals,
  names = { treatment: 'treatment', control: 'control group', noun: 'members' },
): ZeroInflatedLift {
  if (treatment.members === 0 || control.members === 0) return { ...NO_LIFT, tooFewBuyers: null };
  const { t, c } = flooredMoments(treatment, control);
  const few = [
    [treatment, names.treatment],
    [control, names.control],
  ].filter(([g]) => (g as BuyerTotals).buyers < MIN_BUYERS) as [BuyerTotals, string][];
  const tooFewBuyers = few.length
    ? `${few.map(([g, name]) => `${g.buyers} of ${g.members.toLocaleString('en-US')} ${name} ${names.noun} bought`).join(' and ')}: revenue is judged once each group has ${MIN_BUYERS} buyers`
    : null;
  // Welch's test itself, on the floored variances.
  return { ...welchLift(t, c), tooFewBuyers };
}

/**
 * More members needed for the observed difference at 80% power (floored
 * variances), and at least enough that each group can be expected to hold
 * MIN_BUYERS buyers at its (shrunk) buying rate. Null with no difference.
 */
export function zeroInflatedMembersNeeded(treatment: BuyerTotals, control: BuyerTotals): MembersNeeded | null {
  if (treatment.members < 2 || control.members < 2) return null;
  const { t, c } = flooredMoments(treatment, control);
  const d = t.mean - c.mean;
  if (d === 0 || t.variance + c.variance === 0) return null;
  const forBuyers = (g: BuyerTotals) => Math.ceil(MIN_BUYERS / shrunkRate(g.buyers, g.members));
  return membersNeededFor(treatment.members, control.members, d, t.variance, c.variance, {
    treatment: forBuyers(treatment),
    control: forBuyers(control),
  });
}
