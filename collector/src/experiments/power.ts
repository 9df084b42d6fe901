/**
 * How many more members each group needs before a difference the size of the
 * one observed would be told apart from none: the sample size at which the
 * two-sided 5% test has 80% power against the observed effect, keeping the
 * current split between the groups (a 10% holdout stays 10%). It answers
 * "not yet distinguishable: about 1,900 more shoppers per group needed". It
 * takes the observed effect at face value, so it is a guide, not a promise:
 * when the true effect is smaller, more members are needed.
 */
import type { MembersNeeded } from '@trailmark/schema';
import { Z95, normalQuantile } from './distributions';
import type { ConversionTotals } from './conversion-lift';
import { differenceVariance, sequentialHalfWidth, DEFAULT_MIXING_SD } from './sequential';

export interface PowerOptions {
  /** Probability of telling the effect apart when it is real (default 0.8). */
  power?: number;
  /**
   * Size the always-valid interval of `sequentialConversionLift` instead of the
   * fixed-horizon test (conversion only): the members needed before it would
   * exclude zero with that probability.
   */
  sequential?: { mixingSd?: number };
}

/**
 * More members needed for the conversion-rate difference, or null when there
 * is no observed difference to size for (equal rates, or an empty group).
 */
export function conversionMembersNeeded(treatment: ConversionTotals, control: ConversionTotals, options: PowerOptions = {}): MembersNeeded | null {
  if (treatment.members === 0 || control.members === 0) return null;
  const pT = treatment.converted / treatment.members;
  const pC = control.converted / control.members;
  const d = pT - pC;
  if (d === 0) return null;
  const zPower = normalQuantile(options.power ?? 0.8);
  const k = control.members / treatment.members;
  let requiredT: number;
  if (options.sequential) {
    const tau = options.sequential.mixingSd ?? DEFAULT_MIXING_SD;
    // Variance of the difference shrinks as 1/size at the current split: find the scale s at which
    // |d| clears the always-valid half-width by zPower standard errors.
    const v1 = differenceVariance(treatment, control);
    const enough = (s: number) => Math.abs(d) >= sequentialHalfWidth(v1 / s, tau) + zPower * Math.sqrt(v1 / s);
    requiredT = treatment.members * smallestScale(enough);
  } else {
    // The classic formula: the null's spread from the pooled rate, the alternative's from each group's own.
    const pooled = (pT + k * pC) / (1 + k);
    const nullSd = Math.sqrt(pooled * (1 - pooled) * (1 + 1 / k));
    const altSd = Math.sqrt(pT * (1 - pT) + (pC * (1 - pC)) / k);
    requiredT = (Z95 * nullSd + zPower * altSd) ** 2 / (d * d);
  }
  return moreMembers(treatment.members, control.members, requiredT, k);
}

/**
 * More members needed to tell a difference `d` of means apart at the current
 * split, given each group's variance per member; `atLeast` sizes (per group)
 * that must be reached whatever the power says (zero-inflated.ts: enough
 * members to expect a minimum of buyers).
 */
export function membersNeededFor(
  nT: number,
  nC: number,
  d: number,
  varianceT: number,
  varianceC: number,
  atLeast?: { treatment: number; control: number },
  options: Pick<PowerOptions, 'power'> = {},
): MembersNeeded | null {
  const k = nC / nT;
  const zPower = normalQuantile(options.power ?? 0.8);
  const forPower = ((Z95 + zPower) ** 2 * (varianceT + varianceC / k)) / (d * d);
  const requiredT = atLeast ? Math.max(forPower, atLeast.treatment, atLeast.control / k) : forPower;
  return moreMembers(nT, nC, requiredT, k);
}

function moreMembers(nT: number, nC: number, requiredT: number, k: number): MembersNeeded | null {
  if (!Number.isFinite(requiredT)) return null;
  const treatment = Math.max(0, Math.ceil(requiredT - nT));
  const control = Math.max(0, Math.ceil(requiredT * k - nC));
  return { treatment, control, total: treatment + control };
}

/** Smallest s ≥ 1 (to 0.1%) for which `enough(s)` holds; `enough` is monotone in s. */
function smallestScale(enough: (s: number) => boolean): number {
  if (enough(1)) return 1;
  let high = 2;
  while (!enough(high)) {
    high *= 2;
    if (high > 1e12) return Infinity;
  }
  let low = high / 2;
  while (high / low > 1.001) {
    const mid = Math.sqrt(low * high);
    if (enough(mid)) high = mid;
    else low = mid;
  }
  return high;
}
