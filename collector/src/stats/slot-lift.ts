/**
 * The lift of a slot's treatment over its holdout, with its 95% interval and
 * a verdict in words. The statistics come from the shared library; this
 * module only words them. Pure.
 */
import type { SlotLift } from '@trailmark/schema';
import { relativeLift, type GroupSample } from '../lib/lift';

export interface LiftInput {
  treatment: GroupSample;
  control: GroupSample;
  /** What is compared, for the words: "click-through", "conversion", "revenue per shopper". */
  measure: string;
  /** Who the groups count: "impressions" or "shoppers". */
  unit: string;
  /** What makes an outcome: "was clicked", "ordered", "spent anything". */
  outcome: string;
}

export function slotLift({ treatment, control, measure, unit, outcome }: LiftInput): SlotLift {
  const lift = relativeLift(treatment, control);
  const absolute = treatment.n > 0 && control.n > 0 ? treatment.sum / treatment.n - control.sum / control.n : null;
  const ci: [number, number] | null = lift.low !== null && lift.high !== null ? [lift.low, lift.high] : null;
  return { relative: lift.estimate, relativeCi95: ci, absolute, pValue: null, verdict: verdict(lift.estimate, ci, { measure, unit, outcome }, treatment, control), holdoutNeeded: null };
}

const pct = (x: number) => `${x > 0 ? '+' : x < 0 ? '−' : ''}${Math.abs(x * 100).toFixed(Math.abs(x) < 0.1 ? 1 : 0)}%`;
const count = (n: number) => n.toLocaleString('en-US');

function verdict(relative: number | null, ci: [number, number] | null, words: Omit<LiftInput, 'treatment' | 'control'>, t: GroupSample, c: GroupSample): string {
  const { measure, unit, outcome } = words;
  if (c.n === 0) return `No ${unit} in the holdout yet: nothing to compare ${measure} with.`;
  if (t.n === 0) return `No ${unit} in the treatment group yet.`;
  if (relative === null) return `The holdout has ${count(c.n)} ${unit} and none ${outcome} yet: no ${measure} to compare with.`;
  if (!ci) return `Too few ${unit} for an interval: treatment ${pct(relative)} on ${measure}, from ${count(c.n)} holdout ${unit}.`;
  const interval = `95% interval ${pct(ci[0])} to ${pct(ci[1])}`;
  if (ci[0] > 0) return `Better than the holdout: ${pct(relative)} ${measure} (${interval}).`;
  if (ci[1] < 0) return `Worse than the holdout: ${pct(relative)} ${measure} (${interval}).`;
  return `Not yet distinguishable from no difference: ${pct(relative)} ${measure}, ${interval}, from ${count(c.n)} holdout ${unit}.`;
}
