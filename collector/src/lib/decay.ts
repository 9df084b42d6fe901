/**
 * Exponential time decay without rewriting old scores: a contribution made at
 * time t is stored as weight · 2^((t − EPOCH) / halfLife). Scores only grow,
 * their order is the decayed order at any moment, and the decayed value at
 * `now` is the stored score · 2^(−(now − EPOCH) / halfLife).
 */
const EPOCH_MS = Date.UTC(2025, 0, 1);
export const DAY_MS = 86_400_000;

export function decayedWeight(weight: number, atMs: number, halfLifeMs: number): number {
  return weight * 2 ** ((atMs - EPOCH_MS) / halfLifeMs);
}

export function valueAt(score: number, nowMs: number, halfLifeMs: number): number {
  return score * 2 ** (-(nowMs - EPOCH_MS) / halfLifeMs);
}
