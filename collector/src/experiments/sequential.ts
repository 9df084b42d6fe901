/**
 * An always-valid 95% interval of the conversion-rate difference: the mixture
 * sequential probability ratio test (mSPRT) of Johari, Koomen, Pekelis and
 * Walsh ("Always valid inference", 2017/2022) on the normal approximation of
 * the difference, which is also the normal-mixture confidence sequence of
 * Howard, Ramdas, McAuliffe and Sekhon (2021).
 *
 * A fixed-horizon interval is right 95% of the time when it is read once, at
 * a size chosen beforehand. Read every day and acted on the first day it
 * excludes zero, it is wrong far more often (the README has the measured
 * rate). This interval holds, with probability ≥ 95%, on every day at once,
 * so it can be read daily and a campaign stopped the day it excludes zero.
 * The price is width: about 1.6× the fixed-horizon interval around the
 * sample size it is tuned for, growing slowly away from it.
 *
 * The statistic: with d̂ the observed difference and V its variance, the
 * likelihood ratio of "the difference is δ ~ N(θ, τ²)" against "it is θ",
 * averaged over that mixture, is
 *   Λ(θ) = √(V / (V + τ²)) · exp(τ² (d̂ − θ)² / (2 V (V + τ²))),
 * a martingale under θ, so by Ville's inequality P(Λ ever ≥ 1/α) ≤ α.
 * The interval is every θ with Λ(θ) < 1/α, and the always-valid p-value of
 * "no difference" is min(1, 1/Λ(0)).
 *
 * The mixing parameter τ is the standard deviation of the effects the test
 * expects, on the scale of the difference itself. The interval is tightest
 * when τ² ≈ 8.2·V (where (1 + V/τ²)(2 ln 20 + ln(1 + τ²/V)) is least), and
 * τ = 0.05 (5 points of conversion) puts that optimum at about 500 members
 * per group converting at 10%; from 100 to 10,000 members per group, at
 * rates from 2% to 30%, the half-width stays between 3.0 and 4.2 standard
 * errors (1.96 for a fixed-horizon interval): the choice matters little, so
 * one default serves small and large shops. A smaller τ suits shops whose
 * effects are small and samples large; τ must be fixed before the data is
 * seen, never chosen from it.
 *
 * V uses each group's rate with one conversion and one non-conversion added
 * ((x + 1) / (n + 2)), so the first days, with few or no conversions, do not
 * give an interval of zero width.
 *
 * The relative lift is the difference over control's rate, d / p_c, so its
 * interval needs p_c bounded too, on every day at once. Two always-valid
 * intervals, one of the difference and one of control's rate (the same
 * mixture on a single rate, same τ), each at 97.5%, hold together on every
 * day with probability ≥ 95% (Bonferroni: the chance either ever fails is at
 * most 2.5% + 2.5%); the relative interval is every d / p with d and p in
 * them. It is wider than it need be, and on the first days the absolute
 * interval excludes 0 it may still hold 0 (its difference is read at 97.5%):
 * the daily verdict is read from the absolute interval. It is null until
 * control's rate is bounded away from 0.
 */
import type { ExperimentLift, Interval } from '@trailmark/schema';
import { NO_LIFT, relativeOf } from './lift';
import type { ConversionTotals } from './conversion-lift';

export interface SequentialOptions {
  /** τ, the standard deviation of the mixing distribution (default 0.05, i.e. 5 points). */
  mixingSd?: number;
}

export const DEFAULT_MIXING_SD = 0.05;
const ALPHA = 0.05;

export function sequentialConversionLift(treatment: ConversionTotals, control: ConversionTotals, options: SequentialOptions = {}): ExperimentLift {
  const tau = options.mixingSd ?? DEFAULT_MIXING_SD;
  if (!(tau > 0)) throw new RangeError(`mixingSd must be positive (got ${tau})`);
  if (treatment.members === 0 || control.members === 0) return { ...NO_LIFT };
  const rateT = treatment.converted / treatment.members;
  const rateC = control.converted / control.members;
  const d = rateT - rateC;
  const v = differenceVariance(treatment, control);
  const half = sequentialHalfWidth(v, tau);
  const ci95: Interval = [Math.max(-1, d - half), Math.min(1, d + half)];
  return {
    absolute: d,
    relative: relativeOf(rateT, rateC),
    ci95,
    relativeCi95: sequentialRelativeInterval(d, v, rateC, control, tau),
    pValue: Math.min(1, 1 / mixtureLikelihoodRatio(d, v, tau)),
  };
}

/** d / p_c for d and p_c in their always-valid intervals at 1 − α/2 each; null while p_c's may be 0. */
function sequentialRelativeInterval(d: number, v: number, rateC: number, control: ConversionTotals, tau: number): Interval | null {
  const halfD = sequentialHalfWidth(v, tau, ALPHA / 2);
  const [low, high] = [d - halfD, d + halfD];
  const halfC = sequentialHalfWidth(rateVariance(control), tau, ALPHA / 2);
  const [cLow, cHigh] = [rateC - halfC, Math.min(1, rateC + halfC)];
  if (!(cLow > 0)) return null;
  // The extremes of d / p over the box: a positive d is smallest over the largest p, a negative one over the smallest.
  const relativeLow = low >= 0 ? low / cHigh : low / cLow;
  const relativeHigh = high >= 0 ? high / cLow : high / cHigh;
  // Treatment's rate is never below 0, so neither is the ratio: the lift is at least −100%.
  return [Math.max(-1, relativeLow), relativeHigh];
}

/** Variance of rateT − rateC, each rate smoothed to (x + 1) / (n + 2). */
export function differenceVariance(treatment: ConversionTotals, control: ConversionTotals): number {
  return rateVariance(treatment) + rateVariance(control);
}

/** Variance of one group's rate, the rate smoothed to (x + 1) / (n + 2). */
function rateVariance({ members, converted }: ConversionTotals): number {
  const p = (converted + 1) / (members + 2);
  return (p * (1 - p)) / members;
}

/** Half-width of the always-valid 1 − α interval (95% by default) for an estimate whose variance is v. */
export function sequentialHalfWidth(v: number, tau: number, alpha = ALPHA): number {
  const t2 = tau * tau;
  return Math.sqrt(((v * (v + t2)) / t2) * (2 * Math.log(1 / alpha) + Math.log((v + t2) / v)));
}

/** Λ(0): the mixture likelihood ratio of "some difference" against "none". */
function mixtureLikelihoodRatio(d: number, v: number, tau: number): number {
  const t2 = tau * tau;
  return Math.sqrt(v / (v + t2)) * Math.exp((t2 * d * d) / (2 * v * (v + t2)));
}
