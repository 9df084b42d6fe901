/**
 * Exponential time decay without rewriting every score as time passes: a
 * contribution of `weight` made at time t is stored as
 * weight · 2^((t − epoch) / halfLife). Scores that share an epoch only grow,
 * their order is the decayed order at any moment, and the decayed value at
 * `now` is the stored score · 2^(−(now − epoch) / halfLife).
 *
 * A fixed epoch would overflow: 2^1024 is Infinity, reached 1,024 half-lives
 * after it (for a one-day half-life, 2.8 years). So each set of scores keeps
 * its own epoch and moves it forward ("rebases") when a new contribution
 * would be more than 2^MAX_EXPONENT: the stored scores are multiplied by
 * rebaseFactor() once, and contributions start again near 2^0. Any date
 * Date can hold then gives a finite score.
 */
export const DAY_MS = 86_400_000;

/** The epoch of every score stored before epochs moved (their documents and rows carry none). */
export const LEGACY_EPOCH_MS = Date.UTC(2025, 0, 1);

/**
 * Largest exponent a contribution may have before its scores are rebased:
 * 2^512 leaves 2^511 of headroom for sums (more contributions than any shop
 * will ever make), and a one-day half-life rebases once in 512 days.
 */
export const MAX_EXPONENT = 512;

export function decayedWeight(weight: number, atMs: number, halfLifeMs: number, epochMs: number): number {
  return weight * 2 ** ((atMs - epochMs) / halfLifeMs);
}

export function valueAt(score: number, nowMs: number, halfLifeMs: number, epochMs: number): number {
  return score * 2 ** (-(nowMs - epochMs) / halfLifeMs);
}

/** Whether a contribution at `atMs` is too far past `epochMs` to be added without a rebase. */
export function needsRebase(atMs: number, halfLifeMs: number, epochMs: number): boolean {
  return (atMs - epochMs) / halfLifeMs > MAX_EXPONENT;
}

/** What scores relative to `fromEpochMs` are multiplied by to become relative to `toEpochMs`. */
export function rebaseFactor(fromEpochMs: number, toEpochMs: number, halfLifeMs: number): number {
  return 2 ** (-(toEpochMs - fromEpochMs) / halfLifeMs);
}
