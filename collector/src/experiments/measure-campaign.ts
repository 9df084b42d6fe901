/**
 * Every statistical figure of a campaign report (contract section 8) from the
 * two groups' running totals, in one call: the store keeps the totals, this
 * turns them into `groups`, `lift`, `cuped`, `sequential`, `roi` and
 * `methods`, plus `membersNeeded` for the "not yet" sentence.
 */
import { conversionLift } from './conversion-lift';
import type { CampaignFigures, ExperimentMethods, GroupFigures } from '@trailmark/schema';
import { cupedRevenueLift } from './cuped';
import { describeMethods } from './methods';
import { conversionMembersNeeded } from './power';
import { returnOnInvestment } from './roi';
import { sequentialConversionLift } from './sequential';
import type { CovariateTotals, GroupTotals } from './totals';
import { zeroInflatedMembersNeeded, zeroInflatedRevenueLift } from './zero-inflated';

export interface CampaignTotals {
  treatment: GroupTotals & CovariateTotals;
  control: GroupTotals & CovariateTotals;
  /** Treatment members contacted (a delivery or an offer view); control is never contacted. */
  reached: number;
  costPerContact?: number;
  /** τ of the always-valid interval (default 0.05); fixed before the campaign starts. */
  mixingSd?: number;
}

export interface CampaignMeasures extends CampaignFigures {
  /** Why revenue cannot be called significant yet whatever its interval says (too few buyers), in words; null when it can. */
  revenueNotYet: string | null;
  methods: ExperimentMethods;
}

export function measureCampaign({ treatment, control, reached, costPerContact = 0, mixingSd }: CampaignTotals): CampaignMeasures {
  const sequentialOptions = mixingSd === undefined ? {} : { mixingSd };
  // Most members buy nothing: the revenue interval is made for zero-inflated revenue (experiments/zero-inflated.ts).
  const { tooFewBuyers, ...revenuePerMember } = zeroInflatedRevenueLift(treatment, control);
  return {
    groups: { treatment: groupFigures(treatment, reached), control: groupFigures(control, 0) },
    lift: { conversionRate: conversionLift(treatment, control), revenuePerMember },
    cuped: { revenuePerMember: cupedRevenueLift(treatment, control) },
    sequential: { conversionRate: sequentialConversionLift(treatment, control, sequentialOptions) },
    roi: returnOnInvestment({ revenuePerMember, treatmentMembers: treatment.members, reached, costPerContact }),
    membersNeeded: {
      conversionRate: conversionMembersNeeded(treatment, control),
      revenuePerMember: zeroInflatedMembersNeeded(treatment, control),
      sequentialConversionRate: conversionMembersNeeded(treatment, control, { sequential: sequentialOptions }),
    },
    revenueNotYet: tooFewBuyers,
    methods: describeMethods(sequentialOptions),
  };
}

export function groupFigures(totals: GroupTotals, reached: number): GroupFigures {
  const { members, converted, revenue } = totals;
  return {
    members,
    reached,
    converted,
    conversionRate: members > 0 ? converted / members : null,
    revenue,
    revenuePerMember: members > 0 ? revenue / members : null,
  };
}
