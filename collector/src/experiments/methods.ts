/**
 * The method behind each figure of a campaign report, in words a marketer can
 * read, returned verbatim as the report's `methods`.
 */
import type { ExperimentMethods } from '@trailmark/schema';
import { DEFAULT_MIXING_SD } from './sequential';

export function describeMethods(options: { mixingSd?: number } = {}): ExperimentMethods {
  const tauPoints = ((options.mixingSd ?? DEFAULT_MIXING_SD) * 100).toLocaleString('en-US', { maximumFractionDigits: 2 });
  return {
    groups:
      'Each member of the audience is assigned once, at random (from the campaign and profile ids), to treatment or control; only treatment is contacted. ' +
      'A member converts with their first goal event within the window after assignment; revenue is what their orders in that window total.',
    conversionRate:
      'Difference of conversion rates, treatment minus control, in points and relative to control. ' +
      "The 95% interval is Newcombe's hybrid score interval, which stays accurate with few members and low rates; " +
      'the p-value is the pooled two-proportion z-test of "both groups convert alike"; the relative interval is Koopman\'s score interval of the ratio of rates, ' +
      'which agrees with that p-value. Read once, at the planned end.',
    revenuePerMember:
      "Difference of revenue per member (members who bought nothing count as 0), treatment minus control. Welch's t-test: " +
      'the 95% interval and p-value do not assume both groups vary alike (Welch–Satterthwaite degrees of freedom). ' +
      "Most members buy nothing, so each group's variance is at least what a two-part model gives it (its buying rate, shrunk towards " +
      'the middle with few members, times the baskets of both groups), and no difference is called significant before each group has ' +
      '10 buyers. Read once, at the planned end.',
    cuped:
      'Revenue per member adjusted by what each member spent in the 30 days before assignment (CUPED): spend before predicts part of spend after, ' +
      "so removing that part narrows the interval without moving its centre on average. The adjustment factor is estimated from both groups together, then Welch's test " +
      "with the same protection as plain revenue: each group's variance is at least the two-part model's (less the share spend before explains), " +
      'and no interval or p-value is given before each group has 10 buyers.',
    sequential:
      'An always-valid 95% interval of the conversion difference (mixture sequential probability ratio test): it holds on every day at once, ' +
      'so it may be read daily and the campaign stopped the day it excludes zero, which the fixed interval does not allow. ' +
      `It is wider; it is tuned for effects of about ${tauPoints} points. ` +
      "Its relative interval is the difference over control's rate, both bounded by always-valid intervals at 97.5%, so the pair holds at 95% on every day; " +
      "it is given once control's rate is bounded away from 0, and is wider than it need be.",
    roi:
      "Incremental revenue = (treatment's revenue per member − control's) × treatment members. Cost = cost per contact × members reached. " +
      'ROI = (incremental revenue − cost) / cost, said as a percentage: 0% is break-even, +320% means 4.2 times the cost came back; none without a cost.',
    membersNeeded:
      'While a difference is not yet distinguishable: how many more members each group needs (at the current split) for the test to detect ' +
      'a difference as large as the one observed 80% of the time. If the true difference is smaller, more are needed.',
  };
}

/** The methods with the default settings. */
export const methods: ExperimentMethods = describeMethods();
