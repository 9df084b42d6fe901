import { describe, expect, it } from 'vitest';
import { DAY_MS, decayedWeight, LEGACY_EPOCH_MS, MAX_EXPONENT, needsRebase, rebaseFactor, valueAt } from './decay';

describe('decay', () => {
  it('overflowed with a fixed epoch, and stays finite once rebased, for any date', () => {
    // The bug: 2^((t − 2025-01-01) / 1 day) is Infinity from 2027-10-22 on.
    expect(decayedWeight(1, Date.UTC(2027, 9, 23), DAY_MS, LEGACY_EPOCH_MS)).toBe(Infinity);
    for (const at of [Date.UTC(2027, 9, 23), Date.UTC(2030, 0, 1), Date.UTC(2100, 0, 1), 8.64e15]) {
      for (const halfLife of [DAY_MS, 7 * DAY_MS, 30 * DAY_MS]) {
        const epoch = needsRebase(at, halfLife, LEGACY_EPOCH_MS) ? at : LEGACY_EPOCH_MS;
        const weight = decayedWeight(1, at, halfLife, epoch);
        expect(Number.isFinite(weight), `${new Date(at).toISOString()} / ${halfLife / DAY_MS} d`).toBe(true);
        expect(weight).toBeLessThanOrEqual(2 ** MAX_EXPONENT);
      }
    }
  });

  it('rebases without changing what a score is worth at any moment', () => {
    const halfLife = 7 * DAY_MS;
    const t0 = Date.UTC(2026, 0, 1);
    const later = t0 + 600 * halfLife;
    const score = decayedWeight(3, t0, halfLife, LEGACY_EPOCH_MS) + decayedWeight(2, t0 + DAY_MS, halfLife, LEGACY_EPOCH_MS);
    const moved = score * rebaseFactor(LEGACY_EPOCH_MS, later, halfLife);
    const now = t0 + 2 * DAY_MS;
    expect(valueAt(moved, now, halfLife, later)).toBeCloseTo(valueAt(score, now, halfLife, LEGACY_EPOCH_MS), 12);
    // A weight of 1 made now is worth 1 now, whatever the epoch.
    expect(valueAt(decayedWeight(1, now, halfLife, later), now, halfLife, later)).toBeCloseTo(1, 12);
  });

  it('asks for a rebase only past MAX_EXPONENT half-lives', () => {
    expect(needsRebase(LEGACY_EPOCH_MS + MAX_EXPONENT * DAY_MS, DAY_MS, LEGACY_EPOCH_MS)).toBe(false);
    expect(needsRebase(LEGACY_EPOCH_MS + (MAX_EXPONENT + 1) * DAY_MS, DAY_MS, LEGACY_EPOCH_MS)).toBe(true);
    expect(needsRebase(LEGACY_EPOCH_MS - 10_000 * DAY_MS, DAY_MS, LEGACY_EPOCH_MS)).toBe(false);
  });
});
