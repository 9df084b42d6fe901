/**
 * Return on a campaign's cost. Incremental revenue is what treatment brought
 * beyond what the same members would have spent anyway, estimated by
 * control's revenue per member: (treatment's revenue per member − control's)
 * × treatment members. Cost is the cost per contact × the members actually
 * reached (a delivery or an offer view). ROI = (incremental revenue − cost) /
 * cost: 0 is break-even, 3.2 means every unit spent came back with 3.2 more.
 * The intervals carry over the uncertainty of the revenue lift (cost is
 * known exactly). Without a cost there is no ratio: roi is null.
 */
import type { ExperimentLift, Interval, Roi } from '@trailmark/schema';

export interface RoiInput {
  /** The revenue-per-member lift to turn into money (the report's `zeroInflatedRevenueLift`, `revenueLift`, or `cupedRevenueLift` for a narrower interval). */
  revenuePerMember: ExperimentLift;
  treatmentMembers: number;
  /** Treatment members contacted. */
  reached: number;
  /** Cost of one contact, in the revenue's currency (default 0). */
  costPerContact?: number;
}

export function returnOnInvestment({ revenuePerMember, treatmentMembers, reached, costPerContact = 0 }: RoiInput): Roi {
  if (!(costPerContact >= 0)) throw new RangeError(`costPerContact must be 0 or more (got ${costPerContact})`);
  const cost = costPerContact * reached;
  const scale = (x: number) => x * treatmentMembers;
  const incrementalRevenue = revenuePerMember.absolute === null ? null : scale(revenuePerMember.absolute);
  const incrementalRevenueCi95: Interval | null = revenuePerMember.ci95 ? [scale(revenuePerMember.ci95[0]), scale(revenuePerMember.ci95[1])] : null;
  const ratio = (revenue: number) => (revenue - cost) / cost;
  return {
    incrementalRevenue,
    cost,
    roi: cost > 0 && incrementalRevenue !== null ? ratio(incrementalRevenue) : null,
    incrementalRevenueCi95,
    roiCi95: cost > 0 && incrementalRevenueCi95 ? [ratio(incrementalRevenueCi95[0]), ratio(incrementalRevenueCi95[1])] : null,
  };
}
