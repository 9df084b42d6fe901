import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../lib/decay';
import { countOnce, MAX_KEYS_PER_DAY, mergeCounted, type CountedDays } from './once-a-day';

const day0 = Date.UTC(2026, 3, 1, 10);

describe('countOnce', () => {
  it('counts a behaviour on a product once a day, each behaviour on its own', () => {
    const days: CountedDays = [];
    expect(countOnce(days, 'order', 'x', day0)).toBe(true);
    for (let i = 0; i < 50; i++) expect(countOnce(days, 'order', 'x', day0 + i * 60_000)).toBe(false);
    expect(countOnce(days, 'view', 'x', day0)).toBe(true);
    expect(countOnce(days, 'order', 'y', day0)).toBe(true);
    expect(countOnce(days, 'order', 'x', day0 + DAY_MS)).toBe(true);
  });

  it('remembers the day before the latest, and counts nothing older (no back-dating around it)', () => {
    const days: CountedDays = [];
    countOnce(days, 'view', 'x', day0);
    countOnce(days, 'view', 'x', day0 + DAY_MS);
    expect(countOnce(days, 'view', 'x', day0 + 60_000)).toBe(false);
    expect(countOnce(days, 'view', 'z', day0)).toBe(true);
    for (let back = 2; back < 30; back++) expect(countOnce(days, 'view', `p${back}`, day0 - back * DAY_MS)).toBe(false);
    expect(days.map((d) => d.day)).toEqual([Math.floor(day0 / DAY_MS) + 1, Math.floor(day0 / DAY_MS)]);
  });

  it('is bounded: past the cap, nothing more counts that day', () => {
    const days: CountedDays = [];
    for (let i = 0; i < MAX_KEYS_PER_DAY; i++) expect(countOnce(days, 'view', `p${i}`, day0)).toBe(true);
    expect(countOnce(days, 'view', 'one-more', day0)).toBe(false);
    for (let d = 1; d < 10; d++) countOnce(days, 'view', 'x', day0 + d * DAY_MS);
    expect(days.length).toBe(2);
    expect(JSON.stringify(days).length).toBeLessThan(200);
  });

  it('merges two browsers’ memories by day', () => {
    const a: CountedDays = [];
    const b: CountedDays = [];
    countOnce(a, 'view', 'x', day0);
    countOnce(b, 'view', 'y', day0);
    countOnce(b, 'view', 'old', day0 - 5 * DAY_MS);
    const merged = mergeCounted(a, b);
    expect(countOnce(merged, 'view', 'x', day0)).toBe(false);
    expect(countOnce(merged, 'view', 'y', day0)).toBe(false);
    expect(merged.length).toBe(1);
    expect(mergeCounted([], [])).toEqual([]);
  });
});
