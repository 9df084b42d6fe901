import { describe, expect, it } from 'vitest';
import { applyEvent } from './apply-event';
import { interestTags } from './interests';
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
      expect(interestTags(p, now).map((t) => t.category).slice(0, 4)).toEqual(['Kitchen > Stoves', 'Outdoor > Tents', 'Kitchen', 'Outdoor']);

      // The other browser's profile still counts from the old epoch; the merge brings both to the later one.
      const other = newProfile('q', T0);
      applyEvent(other, view('saw', 'Garden > Tools', T0));
      const merged = mergeProfiles(p, other);
      for (const score of Object.values(merged.interests)) expect(Number.isFinite(score), `${year} merged: ${score}`).toBe(true);
      expect(interestTags(merged, now)[0]!.category).toBe('Kitchen > Stoves');
    });
  }
});
