/**
 * Statistics of controlled experiments (campaigns against a control group,
 * recommendation slots against their holdout), computed from running totals
 * per group, never from lists of members.
 *
 * Usage. Keep, per group (treatment, control) and per day, the totals of
 * `GroupTotals & CovariateTotals`: members, converted, Σrevenue, Σrevenue²,
 * and Σx, Σx², Σx·revenue with x = the member's spend in the 30 days before
 * assignment (`memberTotals(member)` is what one member adds). Sum the rows
 * up to the day you report, then:
 *
 *   const m = measureCampaign({ treatment, control, reached, costPerContact });
 *   // m.groups, m.lift, m.cuped, m.sequential, m.roi, m.methods: the report of contract section 8
 *   conversionVerdict(m.lift.conversionRate, { needed: m.membersNeeded.conversionRate, roi: m.roi }).text
 *   // "treatment converts 4.1 points better (95% interval 1.2 to 7.0); significant; ROI +320% (95% interval +40% to +610%; 0% is break-even)"
 *
 * A campaign read every day should decide on `m.sequential.conversionRate`
 * (with `m.membersNeeded.sequentialConversionRate`); the fixed-horizon
 * figures are right when read once, at the planned end. Members still
 * inside their window may convert later: the figures of a day estimate
 * "converted so far", the same in both groups, so a campaign without
 * effect still reads as none; counting only members whose window has ended
 * gives the full-window effect.
 *
 * A slot against its holdout, from visitors and conversions per variant:
 *
 *   const lift = conversionLift({ members: visitors, converted }, { members: holdoutVisitors, converted: holdoutConverted });
 *   const needed = conversionMembersNeeded(treatmentTotals, holdoutTotals);
 *   conversionVerdict(lift, { needed, treatmentName: 'personalised', controlName: 'holdout' }).text
 *   // "not yet distinguishable: personalised converts 1.2 points better (95% interval −0.8 to 3.2); about 20,000 more shoppers needed, 2,000 of them in the holdout"
 *
 * The shapes of the figures (ExperimentLift, CupedLift, GroupFigures, Roi,
 * MembersNeeded, ExperimentMethods, Verdict) are in @trailmark/schema.
 *
 * Every figure's coverage is measured by simulation (simulation.test.ts; the
 * README's "How campaigns are measured").
 */
export { conversionLift, newcombeInterval, pooledZTestP, wilsonInterval, type ConversionTotals } from './conversion-lift';
export { cupedRevenueLift, pooledTheta, type CupedTotals } from './cuped';
export { normalCdf, normalQuantile, studentTCdf, studentTQuantile } from './distributions';
export { NO_LIFT, relativeInterval } from './lift';
export { groupFigures, measureCampaign, type CampaignMeasures, type CampaignTotals } from './measure-campaign';
export { describeMethods, methods } from './methods';
export { conversionMembersNeeded, membersNeededFor, type PowerOptions } from './power';
export { revenueLift, welchLift, welchTest, type RevenueTotals, type WelchTest } from './revenue-lift';
export { returnOnInvestment, type RoiInput } from './roi';
export { DEFAULT_MIXING_SD, sequentialConversionLift, sequentialHalfWidth, type SequentialOptions } from './sequential';
export { addTotals, EMPTY_TOTALS, memberTotals, moments, type CovariateTotals, type GroupTotals, type Moments } from './totals';
export { conversionVerdict, revenueVerdict, type VerdictOptions } from './verdict';
export { MIN_BUYERS, zeroInflatedMembersNeeded, zeroInflatedRevenueLift, type BuyerTotals, type ZeroInflatedLift } from './zero-inflated';
