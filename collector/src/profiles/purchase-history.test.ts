import { describe, expect, it } from 'vitest';
import type { ProductFacts } from '../catalog/product-facts';
import { newProfile } from './profile';
import {
  CATEGORY_TIMES,
  mergeCategoryPurchases,
  mergePurchases,
  mergeTimes,
  PRODUCT_TIMES,
  PURCHASE_WINDOW_MS,
  recordCategoryPurchases,
  recordProductPurchase,
  trimPurchases,
} from './purchase-history';
import { DAY, T0 } from './test-fixtures';

describe('purchase times', () => {
  it('merges two lists ascending, the latest `cap` kept', () => {
    expect(mergeTimes([30, 10], [20, 40], 3)).toEqual([20, 30, 40]);
    expect(mergeTimes(undefined, undefined, 5)).toEqual([]);
    expect(mergeTimes(undefined, [7], 5)).toEqual([7]);
  });

  it('drops a time exactly one window before the latest, keeps one a millisecond later', () => {
    const latest = T0 + 400 * DAY;
    expect(mergeTimes([latest - PURCHASE_WINDOW_MS, latest - PURCHASE_WINDOW_MS + 1], [latest], 10)).toEqual([latest - PURCHASE_WINDOW_MS + 1, latest]);
  });
});

describe('product purchases', () => {
  it('counts a first order, then says how long after the previous one each later order came', () => {
    const p = newProfile('p', T0);
    expect(recordProductPurchase(p, 'tent', T0)).toBeUndefined();
    expect(p.purchases.tent).toEqual({ count: 1, lastAt: T0, times: [T0] });
    expect(recordProductPurchase(p, 'tent', T0 + 10 * DAY)).toBe(10 * DAY);
    expect(recordProductPurchase(p, 'tent', T0 + 30 * DAY)).toBe(20 * DAY);
    // The mean of the intervals between orders: (10 + 20) / 2 days.
    expect(p.purchases.tent).toEqual({ count: 3, lastAt: T0 + 30 * DAY, meanIntervalMs: 15 * DAY, times: [T0, T0 + 10 * DAY, T0 + 30 * DAY] });
  });

  it('counts an order older than the latest one known, keeping the latest time and saying no interval', () => {
    const p = newProfile('p', T0);
    recordProductPurchase(p, 'tent', T0);
    expect(recordProductPurchase(p, 'tent', T0 + 30 * DAY)).toBe(30 * DAY);
    // Sent late, between the two: the 30 days were 10 and 20, as if it had come in time (above).
    expect(recordProductPurchase(p, 'tent', T0 + 10 * DAY)).toBeUndefined();
    expect(p.purchases.tent).toEqual({ count: 3, lastAt: T0 + 30 * DAY, meanIntervalMs: 15 * DAY, times: [T0, T0 + 10 * DAY, T0 + 30 * DAY] });
    // Before the first known: the span from the first order grows with it.
    expect(recordProductPurchase(p, 'tent', T0 - 15 * DAY)).toBeUndefined();
    expect(p.purchases.tent).toEqual({ count: 4, lastAt: T0 + 30 * DAY, meanIntervalMs: 15 * DAY, times: [T0 - 15 * DAY, T0, T0 + 10 * DAY, T0 + 30 * DAY] });
    // Another order at the latest time: bought twice then, the span shared by one more interval.
    expect(recordProductPurchase(p, 'tent', T0 + 30 * DAY)).toBeUndefined();
    expect(p.purchases.tent).toMatchObject({ count: 5, lastAt: T0 + 30 * DAY, meanIntervalMs: (45 * DAY) / 4 });
  });

  it('a late order to a history without a mean (a document from before, a merge) spans from its earliest time', () => {
    const p = newProfile('p', T0);
    p.purchases.tent = { count: 1, lastAt: T0 + 10 * DAY };
    expect(recordProductPurchase(p, 'tent', T0)).toBeUndefined();
    expect(p.purchases.tent).toEqual({ count: 2, lastAt: T0 + 10 * DAY, meanIntervalMs: 10 * DAY, times: [T0] });
    p.purchases.mat = { count: 2, lastAt: T0 + 10 * DAY, times: [T0 + 4 * DAY, T0 + 10 * DAY] };
    recordProductPurchase(p, 'mat', T0 + 2 * DAY);
    expect(p.purchases.mat).toEqual({ count: 3, lastAt: T0 + 10 * DAY, meanIntervalMs: 4 * DAY, times: [T0 + 2 * DAY, T0 + 4 * DAY, T0 + 10 * DAY] });
  });

  it('keeps at most PRODUCT_TIMES times and the 100 most recently bought products', () => {
    const p = newProfile('p', T0);
    for (let i = 0; i < PRODUCT_TIMES + 3; i++) recordProductPurchase(p, 'tent', T0 + i * DAY);
    expect(p.purchases.tent!.times).toEqual(Array.from({ length: PRODUCT_TIMES }, (_, i) => T0 + (i + 3) * DAY));
    for (let i = 0; i < 120; i++) recordProductPurchase(p, `p${i}`, T0 + (100 + i) * DAY);
    trimPurchases(p.purchases);
    expect(Object.keys(p.purchases).length).toBe(100);
    expect(p.purchases.tent).toBeUndefined();
    expect(p.purchases.p19).toBeUndefined();
    expect(p.purchases.p20).toBeDefined();
  });
});

describe('category purchases', () => {
  const facts = (productId: string, category?: string): ProductFacts => (category ? { productId, category } : { productId });

  it('counts one order once per category and ancestor, however many of its products share them', () => {
    const p = newProfile('p', T0);
    recordCategoryPurchases(p, [facts('tent', 'Outdoor > Tents'), facts('tarp', 'outdoor >tents '), facts('mug')], T0);
    expect(p.categoryPurchases).toEqual({ outdoor: { count: 1, lastAt: T0, times: [T0] }, 'outdoor > tents': { count: 1, lastAt: T0, times: [T0] } });
  });

  it('adds no field for an order without categories', () => {
    const p = newProfile('p', T0);
    recordCategoryPurchases(p, [facts('mug'), facts('cup', ' > ')], T0);
    expect(p.categoryPurchases).toBeUndefined();
  });

  it('keeps a late order’s count without moving the latest time back', () => {
    const p = newProfile('p', T0);
    recordCategoryPurchases(p, [facts('a', 'Garden')], T0 + DAY);
    recordCategoryPurchases(p, [facts('b', 'Garden')], T0);
    expect(p.categoryPurchases!.garden).toEqual({ count: 2, lastAt: T0 + DAY, times: [T0, T0 + DAY] });
    for (let i = 2; i < CATEGORY_TIMES + 5; i++) recordCategoryPurchases(p, [facts('c', 'Garden')], T0 + i * DAY);
    expect(p.categoryPurchases!.garden!.times!.length).toBe(CATEGORY_TIMES);
  });
});

describe('merging purchase histories', () => {
  it('adds counts, keeps the later time, the mean interval of all orders of both, and changes neither input', () => {
    const into = { tent: { count: 2, lastAt: T0 + DAY, meanIntervalMs: DAY, times: [T0, T0 + DAY] } };
    const from = { tent: { count: 1, lastAt: T0 + 5 * DAY, times: [T0 + 5 * DAY] }, mat: { count: 1, lastAt: T0, times: [T0] } };
    const copies = structuredClone({ into, from });
    // Orders on days 0, 1 and 5: intervals of 1 and 4 days.
    expect(mergePurchases(into, from)).toEqual({
      tent: { count: 3, lastAt: T0 + 5 * DAY, meanIntervalMs: 2.5 * DAY, times: [T0, T0 + DAY, T0 + 5 * DAY] },
      mat: { count: 1, lastAt: T0, times: [T0] },
    });
    expect({ into, from }).toEqual(copies);
    // Without a mean on the first side: its one order on day 0, the other's two on days -2 and 1.
    expect(mergePurchases({ tent: { count: 1, lastAt: T0 } }, { tent: { count: 2, lastAt: T0 + DAY, meanIntervalMs: 3 * DAY } }).tent!.meanIntervalMs).toBe(
      1.5 * DAY,
    );
  });

  it('merges category histories into none, and keeps only the 30 most recently bought', () => {
    const from = Object.fromEntries(Array.from({ length: 35 }, (_, i) => [`c${i}`, { count: 1, lastAt: T0 + i, times: [T0 + i] }]));
    const merged = mergeCategoryPurchases(undefined, from);
    expect(Object.keys(merged).length).toBe(30);
    expect(merged.c4).toBeUndefined();
    expect(merged.c5).toEqual({ count: 1, lastAt: T0 + 5, times: [T0 + 5] });
    expect(Object.keys(from).length).toBe(35);
  });
});
