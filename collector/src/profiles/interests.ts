/**
 * A profile's interest in each category: a score that decays with a 14-day
 * half-life (lib/decay), kept relative to an epoch that moves forward so the
 * numbers stay finite, and read back as tags scaled to the strongest.
 */
import { DAY_MS, decayedWeight, LEGACY_EPOCH_MS, needsRebase, rebaseFactor, valueAt } from '../lib/decay';
import type { Profile } from './profile';

export const INTEREST_HALF_LIFE_MS = 14 * DAY_MS;
/** Categories kept; past it the weakest go. */
const MAX_INTERESTS = 40;

/** How much each kind of behaviour says about an interest. */
export const INTEREST_WEIGHTS = { view: 1, list: 0.5, search: 0.5, add: 3, order: 5 } as const;

/** Scores of `interests` (relative to `fromEpoch`) made relative to `toEpoch`. */
function rebasedInterests(interests: Record<string, number>, fromEpoch: number, toEpoch: number): Record<string, number> {
  const factor = rebaseFactor(fromEpoch, toEpoch, INTEREST_HALF_LIFE_MS);
  return Object.fromEntries(Object.entries(interests).map(([category, score]) => [category, score * factor]));
}

/** Adds `weight` of interest in `category` at `at` (mutating the profile); nothing for no category. */
export function addInterest(profile: Profile, category: string | undefined, weight: number, at: number): void {
  if (!category) return;
  let epoch = profile.interestsEpoch ?? LEGACY_EPOCH_MS;
  if (needsRebase(at, INTEREST_HALF_LIFE_MS, epoch)) {
    profile.interests = rebasedInterests(profile.interests, epoch, at);
    profile.interestsEpoch = epoch = at;
  }
  // "Top > Sub" counts for the subcategory and, at half weight, for the top category.
  const parts = category
    .split('>')
    .map((p) => p.trim())
    .filter(Boolean);
  const leaf = parts.join(' > ');
  profile.interests[leaf] = (profile.interests[leaf] ?? 0) + decayedWeight(weight, at, INTEREST_HALF_LIFE_MS, epoch);
  if (parts.length > 1) profile.interests[parts[0]!] = (profile.interests[parts[0]!] ?? 0) + decayedWeight(weight / 2, at, INTEREST_HALF_LIFE_MS, epoch);
  keepStrongest(profile.interests);
}

/**
 * Keeps the MAX_INTERESTS strongest categories (mutating `interests`, whose
 * scores share one epoch): past it the weakest go, as many as it takes (one
 * event can add a leaf and its top category).
 */
function keepStrongest(interests: Record<string, number>): void {
  const keys = Object.keys(interests);
  if (keys.length <= MAX_INTERESTS) return;
  keys.sort((a, b) => interests[a]! - interests[b]!);
  for (const key of keys.slice(0, keys.length - MAX_INTERESTS)) delete interests[key];
}

/**
 * Both profiles' scores as one: they add up once they share an epoch, the
 * later of the two, and the strongest MAX_INTERESTS stay, as after an event.
 */
export function mergeInterests(into: Profile, from: Profile): { interests: Record<string, number>; interestsEpoch: number } {
  const intoEpoch = into.interestsEpoch ?? LEGACY_EPOCH_MS;
  const fromEpoch = from.interestsEpoch ?? LEGACY_EPOCH_MS;
  const epoch = Math.max(intoEpoch, fromEpoch);
  const interests = rebasedInterests(into.interests, intoEpoch, epoch);
  for (const [category, score] of Object.entries(rebasedInterests(from.interests, fromEpoch, epoch))) {
    interests[category] = (interests[category] ?? 0) + score;
  }
  keepStrongest(interests);
  return { interests, interestsEpoch: epoch };
}

/** Interest tags now: categories with their decayed scores scaled so the strongest is 1. */
export function interestTags(profile: Profile, nowMs: number, limit = 10): { category: string; score: number }[] {
  const epoch = profile.interestsEpoch ?? LEGACY_EPOCH_MS;
  const scored = Object.entries(profile.interests).map(([category, score]) => ({ category, score: valueAt(score, nowMs, INTEREST_HALF_LIFE_MS, epoch) }));
  const top = Math.max(...scored.map((s) => s.score), 0);
  return scored
    .sort((a, b) => b.score - a.score)
    .slice(0, limit)
    .map((s) => ({ category: s.category, score: top > 0 ? Math.round((s.score / top) * 1000) / 1000 : 0 }));
}
