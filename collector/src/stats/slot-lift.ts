/**
 * The lift of a slot's treatment (personalised picks) over its holdout, from
 * the experiments library: the difference with its interval and p-value, the
 * verdict in words and, while it is not yet distinguishable, how many more
 * shoppers it takes, most of them in the holdout. Pure.
 */
import type { SlotLift } from '@trailmark/schema';
import {
  conversionLift,
  conversionMembersNeeded,
  conversionVerdict,
  revenueVerdict,
  zeroInflatedMembersNeeded,
  zeroInflatedRevenueLift,
  type BuyerTotals,
  type ConversionTotals,
  type VerdictOptions,
} from '../experiments';

const NAMES = { treatmentName: 'personalised', controlName: 'holdout' };

/** A rate: clicks per impression, or shoppers who ordered per shopper who saw the slot. */
export function rateLift(treatment: ConversionTotals, control: ConversionTotals, noun: string, rate?: VerdictOptions['rate']): SlotLift {
  // A click can come without a viewable impression (a quick click): a rate never counts more outcomes than trials.
  const t = { members: treatment.members, converted: Math.min(treatment.converted, treatment.members) };
  const c = { members: control.members, converted: Math.min(control.converted, control.members) };
  const lift = conversionLift(t, c);
  const needed = conversionMembersNeeded(t, c);
  return {
    ...lift,
    verdict: conversionVerdict(lift, { ...NAMES, needed, noun, ...(rate ? { rate } : {}) }),
    needed: lift.ci95 && excludesZero(lift.ci95) ? null : needed,
  };
}

/**
 * Revenue per shopper, in one currency. Most shoppers buy nothing and a
 * holdout is small: the interval is made for zero-inflated revenue, and
 * nothing is called significant before each group has enough buyers
 * (experiments/zero-inflated.ts).
 */
export function revenuePerShopperLift(treatment: BuyerTotals, control: BuyerTotals, currency: string): SlotLift {
  const { tooFewBuyers, ...lift } = zeroInflatedRevenueLift(treatment, control, {
    treatment: NAMES.treatmentName,
    control: NAMES.controlName,
    noun: 'shoppers',
  });
  const needed = zeroInflatedMembersNeeded(treatment, control);
  const decided = lift.ci95 !== null && excludesZero(lift.ci95) && tooFewBuyers === null;
  return { ...lift, verdict: revenueVerdict(lift, currency, { ...NAMES, needed, notYet: tooFewBuyers }), needed: decided ? null : needed };
}

const excludesZero = ([low, high]: [number, number]) => low > 0 || high < 0;
