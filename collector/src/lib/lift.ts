/**
 * Lift of treatment over control with a 95% confidence interval, for the
 * holdout experiments. Relative lift is a ratio of two means; its interval
 * comes from the delta method on the log ratio (the usual choice for
 * conversion rates and revenue per visitor), and is null when a group is
 * too small or has no conversions to say anything.
 */
const Z95 = 1.959964;

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

const NONE: Lift = { estimate: null, low: null, high: null };

export function relativeLift(treatment: GroupSample, control: GroupSample): Lift {
  if (treatment.n < 2 || control.n < 2 || treatment.sum <= 0 || control.sum <= 0) {
    const estimate = treatment.n > 0 && control.n > 0 && control.sum > 0 ? treatment.sum / treatment.n / (control.sum / control.n) - 1 : null;
    return { ...NONE, estimate };
  }
  const meanT = treatment.sum / treatment.n;
  const meanC = control.sum / control.n;
  const varT = Math.max(0, (treatment.sumSquares - treatment.n * meanT * meanT) / (treatment.n - 1));
  const varC = Math.max(0, (control.sumSquares - control.n * meanC * meanC) / (control.n - 1));
  // Var(log mean) ≈ Var(mean) / mean²
  const se = Math.sqrt(varT / (treatment.n * meanT * meanT) + varC / (control.n * meanC * meanC));
  const logRatio = Math.log(meanT / meanC);
  return {
    estimate: meanT / meanC - 1,
    low: Math.exp(logRatio - Z95 * se) - 1,
    high: Math.exp(logRatio + Z95 * se) - 1,
  };
}
