import { describe, expect, it } from 'vitest';
import { applyEvent } from './apply-event';
import { addInterest, INTEREST_HALF_LIFE_MS, INTEREST_WEIGHTS, interestTags, mergeInterests } from './interests';
import { LEGACY_EPOCH_MS } from '../lib/decay';
import { mergeProfiles } from './merge';
import { newProfile } from './profile';
import { DAY, product, T0, track } from './test-fixtures';

describe('interest scores far from any epoch', () => {
  const view = (id: string, category: string, at: number) => track('Product Viewed', product(id, category), at);

  for (const year of [2030, 2100]) {
    it(`rank what the shopper viewed lately first in ${year}, with finite scores, also after a merge`, () => {
      const now = Date.UTC(year, 5, 1);
      const p = newProfile('p', T0);
      // Much interest long ago, a little lately: a fixed 2025 epoch made every score Infinity, a tie.
      for (let i = 0; i < 20; i++) applyEvent(p, view(`old${i}`, 'Garden > Tools', T0 + i * 1000));
      applyEvent(p, view('tent', 'Outdoor > Tents', now - DAY));
      applyEvent(p, view('stove', 'Kitchen > Stoves', now));
      for (const score of Object.values(p.interests)) expect(Number.isFinite(score), `${year}: ${score}`).toBe(true);
      expect(
        interestTags(p, now)
          .map((t) => t.category)
          .slice(0, 4),
      ).toEqual(['Kitchen > Stoves', 'Outdoor > Tents', 'Kitchen', 'Outdoor']);

      // The other browser's profile still counts from the old epoch; the merge brings both to the later one.
      const other = newProfile('q', T0);
      applyEvent(other, view('saw', 'Garden > Tools', T0));
      const merged = mergeProfiles(p, other);
      for (const score of Object.values(merged.interests)) expect(Number.isFinite(score), `${year} merged: ${score}`).toBe(true);
      expect(interestTags(merged, now)[0]!.category).toBe('Kitchen > Stoves');
    });
  }
});

describe('interest scores on their own', () => {
  it('adds nothing for no category; a path counts for its leaf and, at half weight, for its top category only', () => {
    const p = newProfile('p', T0);
    addInterest(p, undefined, 1, T0);
    addInterest(p, '', 1, T0);
    expect(p.interests).toEqual({});
    addInterest(p, ' Outdoor >Tents>  Dome ', 2, T0);
    expect(p.interests).toEqual({ 'Outdoor > Tents > Dome': 2, Outdoor: 1 });
  });

  it('decays with a 14-day half-life: a view today outweighs two views four weeks ago', () => {
    const p = newProfile('p', T0);
    addInterest(p, 'Old', INTEREST_WEIGHTS.view * 2, T0);
    addInterest(p, 'New', INTEREST_WEIGHTS.view, T0 + 2 * INTEREST_HALF_LIFE_MS);
    const tags = interestTags(p, T0 + 2 * INTEREST_HALF_LIFE_MS);
    // 2 · 2^-2 = 0.5 against 1.
    expect(tags).toEqual([
      { category: 'New', score: 1 },
      { category: 'Old', score: 0.5 },
    ]);
  });

  it('keeps the 40 strongest categories, dropping the weakest first', () => {
    const p = newProfile('p', T0);
    for (let i = 1; i <= 41; i++) addInterest(p, `c${i}`, i, T0);
    expect(Object.keys(p.interests).length).toBe(40);
    expect(p.interests.c1).toBeUndefined();
    expect(p.interests.c2).toBe(2);
  });

  it('stays at 40 when one event adds a new category and its new top category', () => {
    const p = newProfile('p', T0);
    for (let i = 1; i <= 40; i++) addInterest(p, `c${i}`, i, T0);
    addInterest(p, 'New > Leaf', 100, T0);
    expect(Object.keys(p.interests).length).toBe(40);
    expect(p.interests).toMatchObject({ 'New > Leaf': 100, New: 50, c3: 3 });
    expect(p.interests.c1).toBeUndefined();
    expect(p.interests.c2).toBeUndefined();
  });

  it('moves the epoch forward far from it and keeps the scores’ ratios', () => {
    const p = newProfile('p', T0);
    addInterest(p, 'A', 4, T0);
    const later = T0 + 600 * INTEREST_HALF_LIFE_MS;
    addInterest(p, 'B', 1, later);
    expect(p.interestsEpoch).toBe(later);
    expect(p.interests.B).toBe(1);
    expect(p.interests.A).toBe(4 * 2 ** -600);
    // A document from before epochs counts from the legacy epoch.
    const legacy = newProfile('old', T0);
    delete legacy.interestsEpoch;
    legacy.interests = { A: 1 };
    expect(interestTags(legacy, LEGACY_EPOCH_MS)).toEqual([{ category: 'A', score: 1 }]);
  });

  it('answers no tags for no interests, scales the strongest to 1 and stops at the limit', () => {
    const p = newProfile('p', T0);
    expect(interestTags(p, T0)).toEqual([]);
    for (let i = 1; i <= 12; i++) addInterest(p, `c${i}`, i, T0);
    const tags = interestTags(p, T0 + DAY);
    expect(tags.length).toBe(10);
    expect(tags[0]).toEqual({ category: 'c12', score: 1 });
    expect(tags[1]).toEqual({ category: 'c11', score: Math.round((11 / 12) * 1000) / 1000 });
    expect(interestTags(p, T0, 3).map((t) => t.category)).toEqual(['c12', 'c11', 'c10']);
  });

  it('merges two profiles’ scores at the later epoch, changing neither', () => {
    const a = newProfile('a', T0);
    const b = newProfile('b', T0 + 2 * INTEREST_HALF_LIFE_MS);
    addInterest(a, 'Garden', 4, T0);
    addInterest(b, 'Garden', 1, T0 + 2 * INTEREST_HALF_LIFE_MS);
    addInterest(b, 'Kitchen', 3, T0 + 2 * INTEREST_HALF_LIFE_MS);
    const before = structuredClone({ a, b });
    const merged = mergeInterests(a, b);
    expect(merged.interestsEpoch).toBe(T0 + 2 * INTEREST_HALF_LIFE_MS);
    // a's 4 at T0 is worth 1 two half-lives later.
    expect(merged.interests).toEqual({ Garden: 2, Kitchen: 3 });
    expect(mergeInterests(b, a)).toEqual(merged);
    expect({ a, b }).toEqual(before);
  });
});
