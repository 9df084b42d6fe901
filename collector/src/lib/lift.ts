/**
 * Relative lift of treatment over control with a 95% confidence interval, for
 * the slot holdouts' figures (GET /v1/admin/stats). The statistics live in
 * `experiments/`: the interval is the delta method on the log ratio of the
 * two means (`relativeInterval`), null when a group is too small or has no
 * conversions to say anything. New code should use `experiments/` directly:
 * it also gives the absolute difference, p-values and the members still needed.
 */
import { relativeInterval, relativeOf } from '../experiments/lift';
import { moments } from '../experiments/totals';

export interface GroupSample {
  /** Visitors in the group. */
  n: number;
  /** Sum of the per-visitor outcome (conversions, or revenue). */
  sum: number;
  /** Sum of squares of the per-visitor outcome (equals sum for 0/1 outcomes). */
  sumSquares: number;
}

export interface Lift {
  /** (treatment mean − control mean) / control mean. */
  estimate: number | null;
  low: number | null;
  high: number | null;
}

export function relativeLift(treatment: GroupSample, control: GroupSample): Lift {
  const t = moments(treatment.n, treatment.sum, treatment.sumSquares);
  const c = moments(control.n, control.sum, control.sumSquares);
  const estimate = treatment.n > 0 && control.n > 0 ? relativeOf(t.mean, c.mean) : null;
  if (treatment.n < 2 || control.n < 2) return { estimate, low: null, high: null };
  const interval = relativeInterval({ mean: t.mean, varianceOfMean: t.variance / t.n }, { mean: c.mean, varianceOfMean: c.variance / c.n });
  return { estimate, low: interval?.[0] ?? null, high: interval?.[1] ?? null };
}
