/**
 * What the methods share: the lift with nothing to say yet, and the
 * relative interval. The shapes (`ExperimentLift`, contract section 8 `L`)
 * are defined once in the schema package.
 */
import type { ExperimentLift, Interval } from '@trailmark/schema';
import { Z95 } from './distributions';

/** A lift with nothing to say yet (an empty group). */
export const NO_LIFT: Readonly<ExperimentLift> = Object.freeze({ absolute: null, relative: null, ci95: null, relativeCi95: null, pValue: null });

/** (treatment − control) / control, null when control is 0. */
export function relativeOf(treatmentMean: number, controlMean: number): number | null {
  return controlMean !== 0 ? treatmentMean / controlMean - 1 : null;
}

/**
 * 95% interval of treatmentMean / controlMean − 1 by the delta method on the
 * log ratio: Var(log m) ≈ Var(m) / m², the usual large-sample interval for a
 * relative lift, which, unlike ±1.96·se on the ratio itself, stays above −100%.
 * `varianceOfMean` is the variance of each group's mean (s² / n). For means
 * of amounts (revenue); conversion rates use Koopman's score interval
 * (conversion-lift.ts), which stays right with a handful of conversions.
 */
export function relativeInterval(treatment: { mean: number; varianceOfMean: number }, control: { mean: number; varianceOfMean: number }): Interval | null {
  if (!(treatment.mean > 0) || !(control.mean > 0)) return null;
  const se = Math.sqrt(treatment.varianceOfMean / treatment.mean ** 2 + control.varianceOfMean / control.mean ** 2);
  // Neither group varies (every member spent the same): no noise to measure, not a certain ratio.
  if (!(se > 0)) return null;
  const logRatio = Math.log(treatment.mean / control.mean);
  return [Math.exp(logRatio - Z95 * se) - 1, Math.exp(logRatio + Z95 * se) - 1];
}
