/**
 * The normal and Student-t distributions, from stdlib (ports of Boost and
 * Cephes, accurate to a few ulps): one place imports them, so the rest of the
 * library reads as the statistics it computes. They are plain JavaScript with
 * no Node built-ins, so they run in the Workers runtime as they do in Node.
 */
import normalCdfOf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantileOf from '@stdlib/stats-base-dists-normal-quantile';
import tCdfOf from '@stdlib/stats-base-dists-t-cdf';
import tQuantileOf from '@stdlib/stats-base-dists-t-quantile';

/** P(Z ≤ z) for a standard normal Z. */
export function normalCdf(z: number): number {
  return normalCdfOf(z, 0, 1);
}

/** The z with P(Z ≤ z) = p for a standard normal Z. */
export function normalQuantile(p: number): number {
  return normalQuantileOf(p, 0, 1);
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom (df need not be whole). */
export function studentTCdf(t: number, df: number): number {
  return tCdfOf(t, df);
}

/** The t with P(T ≤ t) = p for Student's t with `df` degrees of freedom. */
export function studentTQuantile(p: number, df: number): number {
  return tQuantileOf(p, df);
}

/** z for a two-sided 95% interval (1.959964…). */
export const Z95 = normalQuantile(0.975);

/** Two-sided p-value of a standard normal statistic. */
export function twoSidedNormalP(z: number): number {
  return Math.min(1, 2 * normalCdf(-Math.abs(z)));
}

/** Two-sided p-value of a Student-t statistic. */
export function twoSidedTP(t: number, df: number): number {
  return Math.min(1, 2 * studentTCdf(-Math.abs(t), df));
}
