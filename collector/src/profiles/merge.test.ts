import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyEvent } from './apply-event';
import { INTEREST_HALF_LIFE_MS } from './interests';
import { mergeProfiles } from './merge';
import { newProfile, revenueByCurrency, type Profile } from './profile';
import { DAY, order, orderWith, product, stored, T0, track } from './test-fixtures';

describe('merging two profiles', () => {
  it('merges traits (the newer side wins), cart change times and purchase times', () => {
    const a = newProfile('a', T0);
    const b = newProfile('b', T0);
    applyEvent(a, stored({ type: 'identify', userId: 'u', traits: { email: 'old@example.com', plan: 'free' } }, T0));
    applyEvent(a, track('Product Added', product('tent'), T0 + 10));
    applyEvent(a, order([['tent', 'Outdoor > Tents']], T0 + 20));
    applyEvent(b, stored({ type: 'identify', traits: { email: 'new@example.com', city: 'Lyon' } }, T0 + 100));
    applyEvent(b, track('Product Added', product('mat'), T0 + 200));
    applyEvent(b, order([['tent', 'Outdoor > Tents']], T0 + DAY));
    const merged = mergeProfiles(a, b);
    expect(merged.traits).toEqual({ email: 'new@example.com', city: 'Lyon', plan: 'free' });
    expect(merged.cartChangedAt).toBe(T0 + 200);
    expect(merged.purchases.tent!.times).toEqual([T0 + 20, T0 + DAY]);
    expect(merged.categoryPurchases!['outdoor > tents']).toEqual({ count: 2, lastAt: T0 + DAY, times: [T0 + 20, T0 + DAY] });
    const reversed = mergeProfiles(b, a);
    expect(reversed.traits!.email).toBe('new@example.com');
    // Old documents on both sides merge without the new fields.
    const plain = mergeProfiles(newProfile('x', T0), newProfile('y', T0));
    expect(plain.traits).toBeUndefined();
    expect(plain.cartChangedAt).toBeUndefined();
    expect(plain.categoryPurchases).toBeUndefined();
  });

  it('reads a document from before: its one sum counts in the site’s currency, and merges keep currencies apart', () => {
    const legacy = newProfile('old', T0) as Profile;
    delete legacy.revenueByCurrency;
    legacy.revenue = 42;
    expect(revenueByCurrency(legacy, 'GBP')).toEqual({ GBP: 42 });
    const other = newProfile('new', T0);
    applyEvent(other, orderWith({ total: 8, currency: 'GBP' }, T0 + 1000), { currency: 'GBP' });
    applyEvent(other, orderWith({ total: 5, currency: 'USD' }, T0 + 2000), { currency: 'GBP' });
    const merged = mergeProfiles(other, legacy, 'GBP');
    expect(merged.revenueByCurrency).toEqual({ GBP: 50, USD: 5 });
    expect(merged.revenue).toBe(50);
  });
});

describe('merging two profiles on their own', () => {
  it('changes neither input', () => {
    const a = newProfile('a', T0);
    const b = newProfile('b', T0);
    applyEvent(a, order([['tent', 'Outdoor > Tents']], T0 + 1));
    applyEvent(b, order([['tent', 'Outdoor > Tents']], T0 + 2));
    applyEvent(b, track('Product Viewed', product('mat'), T0 + 3));
    const before = structuredClone({ a, b });
    mergeProfiles(a, b);
    expect({ a, b }).toEqual(before);
  });

  it('adds counts and sessions, keeps the first side’s id, the earliest first and latest last seen', () => {
    const a = newProfile('a', T0 + DAY);
    const b = newProfile('b', T0);
    applyEvent(a, stored({ type: 'page' }, T0 + DAY));
    applyEvent(b, stored({ type: 'page' }, T0));
    applyEvent(b, track('Products Searched', { query: 'tent' }, T0 + 1));
    const merged = mergeProfiles(a, b);
    expect(merged).toMatchObject({ profileId: 'a', firstSeen: T0, lastSeen: T0 + DAY, sessionCount: 2 });
    expect(merged.counts).toEqual({ events: 3, pageViews: 2, productViews: 0, searches: 1, adds: 0, orders: 0 });
  });

  it('takes place and device from the side seen last, unless it has none', () => {
    const a = newProfile('a', T0);
    const b = newProfile('b', T0);
    a.geo = { country: 'DE' };
    a.device = { type: 'desktop' };
    b.lastSeen = T0 + 1;
    expect(mergeProfiles(a, b)).toMatchObject({ geo: { country: 'DE' }, device: { type: 'desktop' } });
    b.geo = { country: 'FR' };
    b.device = { type: 'mobile' };
    expect(mergeProfiles(a, b)).toMatchObject({ geo: { country: 'FR' }, device: { type: 'mobile' } });
    expect(mergeProfiles(b, a)).toMatchObject({ geo: { country: 'FR' }, device: { type: 'mobile' } });
  });

  it('interleaves recent views by time, each product once at its latest, at most 30', () => {
    const a = newProfile('a', T0);
    const b = newProfile('b', T0);
    for (let i = 0; i < 20; i++) applyEvent(a, track('Product Viewed', product(`a${i}`), T0 + 2 * i));
    for (let i = 0; i < 20; i++) applyEvent(b, track('Product Viewed', product(`b${i}`), T0 + 2 * i + 1));
    applyEvent(b, track('Product Viewed', product('a19'), T0 + 100));
    const views = mergeProfiles(a, b).recentViews;
    expect(views.length).toBe(30);
    expect(views.at(-1)).toMatchObject({ productId: 'a19', at: T0 + 100 });
    expect(new Set(views.map((v) => v.productId)).size).toBe(30);
    expect(views.map((v) => v.at)).toEqual([...views.map((v) => v.at)].sort((x, y) => x - y));
  });

  it('keeps the cart lines of both, the second side’s line for a product both hold', () => {
    const a = newProfile('a', T0);
    const b = newProfile('b', T0);
    a.cart = { tent: { quantity: 1, at: T0 }, mat: { quantity: 1, at: T0 } };
    b.cart = { tent: { quantity: 4, at: T0 + 1 } };
    expect(mergeProfiles(a, b).cart).toEqual({ tent: { quantity: 4, at: T0 + 1 }, mat: { quantity: 1, at: T0 } });
  });
});

describe('merging two capped profiles', () => {
  // As many as a profile keeps after any event (interests.ts, purchase-history.ts).
  const INTERESTS = 40;
  const PRODUCTS = 100;

  /** Up to `max` distinct keys of a pool of `pool`, each with a value; small values so ties are common. */
  const entries = <V>(pool: number, min: number, max: number, values: fc.Arbitrary<V>) =>
    fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: pool - 1 }), values), { minLength: min, maxLength: max, selector: ([key]) => key });

  interface Side {
    interests: [number, number][];
    /** Half-lives between the epoch of T0 and this side's epoch. */
    epochShift: number;
    /** Product key, [day of its latest order, orders]. */
    purchases: [number, [number, number]][];
  }

  const side: fc.Arbitrary<Side> = fc.record({
    interests: entries(2 * INTERESTS, INTERESTS / 2, INTERESTS, fc.integer({ min: 1, max: 20 })),
    epochShift: fc.integer({ min: 0, max: 2 }),
    purchases: entries(2 * PRODUCTS, PRODUCTS / 2, PRODUCTS, fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 3 }))),
  });

  function profileOf(id: string, { interests, epochShift, purchases }: Side): Profile {
    const p = newProfile(id, T0);
    p.interestsEpoch = T0 + epochShift * INTEREST_HALF_LIFE_MS;
    p.interests = Object.fromEntries(interests.map(([key, score]) => [`c${key}`, score]));
    p.purchases = Object.fromEntries(purchases.map(([key, [day, count]]) => [`p${key}`, { count, lastAt: T0 + day * DAY, times: [T0 + day * DAY] }]));
    return p;
  }

  /** Every kept entry is at least as strong as every dropped one. */
  function keepsTheStrongest(all: Map<string, number>, kept: string[]): void {
    const keptSet = new Set(kept);
    const weakestKept = Math.min(...kept.map((key) => all.get(key)!));
    const strongestDropped = Math.max(...[...all].filter(([key]) => !keptSet.has(key)).map(([, strength]) => strength));
    expect(weakestKept).toBeGreaterThanOrEqual(strongestDropped);
  }

  it('keeps at most 40 interests and 100 products: the strongest scores, the most recently bought', () => {
    let overflowed = { interests: 0, products: 0 };
    fc.assert(
      fc.property(side, side, (a, b) => {
        const into = profileOf('a', a);
        const from = profileOf('b', b);
        const before = structuredClone({ into, from });
        const merged = mergeProfiles(into, from);
        // Both sides' scores at the later epoch (a power of two apart), summed; each product's latest order and count.
        const epoch = Math.max(into.interestsEpoch!, from.interestsEpoch!);
        const score = new Map<string, number>();
        const lastAt = new Map<string, number>();
        const count = new Map<string, number>();
        for (const p of [into, from]) {
          const factor = 2 ** -((epoch - p.interestsEpoch!) / INTEREST_HALF_LIFE_MS);
          for (const [category, s] of Object.entries(p.interests)) score.set(category, (score.get(category) ?? 0) + s * factor);
          for (const [productId, history] of Object.entries(p.purchases)) {
            lastAt.set(productId, Math.max(lastAt.get(productId) ?? -Infinity, history.lastAt));
            count.set(productId, (count.get(productId) ?? 0) + history.count);
          }
        }
        const interests = Object.keys(merged.interests);
        expect(merged.interestsEpoch).toBe(epoch);
        expect(interests.length).toBe(Math.min(INTERESTS, score.size));
        for (const category of interests) expect(merged.interests[category]).toBe(score.get(category));
        keepsTheStrongest(score, interests);
        const products = Object.keys(merged.purchases);
        expect(products.length).toBe(Math.min(PRODUCTS, lastAt.size));
        for (const productId of products) expect(merged.purchases[productId]).toMatchObject({ lastAt: lastAt.get(productId), count: count.get(productId) });
        keepsTheStrongest(lastAt, products);
        expect({ into, from }).toEqual(before);
        overflowed = { interests: overflowed.interests + Number(score.size > INTERESTS), products: overflowed.products + Number(lastAt.size > PRODUCTS) };
      }),
      { numRuns: 100 },
    );
    // The caps were exercised, not only met by small inputs.
    expect(overflowed.interests).toBeGreaterThan(25);
    expect(overflowed.products).toBeGreaterThan(25);
  });

  it('gives the purchase history one profile would have with both sides’ orders', () => {
    // Orders of a tent (Outdoor > Tents) on these days, some on the same day on both sides.
    const days = fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(days, days, (aDays, bDays) => {
        const a = newProfile('a', T0);
        const b = newProfile('b', T0);
        const both = newProfile('both', T0);
        for (const day of aDays) applyEvent(a, order([['tent', 'Outdoor > Tents']], T0 + day * DAY));
        for (const day of bDays) applyEvent(b, order([['tent', 'Outdoor > Tents']], T0 + day * DAY));
        for (const day of [...aDays, ...bDays]) applyEvent(both, order([['tent', 'Outdoor > Tents']], T0 + day * DAY));
        const merged = mergeProfiles(a, b);
        const { meanIntervalMs, ...tent } = merged.purchases.tent!;
        const { meanIntervalMs: expectedMean, ...expected } = both.purchases.tent!;
        expect(tent).toEqual(expected);
        expect(Math.abs(meanIntervalMs! - expectedMean!)).toBeLessThan(1);
        expect(merged.categoryPurchases).toEqual(both.categoryPurchases);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps the caps with profiles built by events, and applying more events keeps them', () => {
    const a = newProfile('a', T0);
    const b = newProfile('b', T0);
    for (let i = 0; i < 120; i++) applyEvent(a, order([[`a${i}`, `Garden > G${i % 30}`]], T0 + i * 1000));
    for (let i = 0; i < 120; i++) applyEvent(b, order([[`b${i}`, `Kitchen > K${i % 30}`]], T0 + i * 1000 + 500));
    expect(Object.keys(a.interests).length).toBeLessThanOrEqual(INTERESTS);
    expect(Object.keys(a.purchases).length).toBe(PRODUCTS);
    const merged = mergeProfiles(a, b);
    expect(Object.keys(merged.interests).length).toBe(INTERESTS);
    expect(Object.keys(merged.purchases).length).toBe(PRODUCTS);
    // The 100 latest orders alternate between the two sides: the last 50 of each.
    expect(Object.keys(merged.purchases).sort()).toEqual(
      [...Array.from({ length: 50 }, (_, i) => `a${70 + i}`), ...Array.from({ length: 50 }, (_, i) => `b${70 + i}`)].sort(),
    );
    applyEvent(merged, order([['new', 'Books > Novels']], T0 + DAY));
    expect(Object.keys(merged.interests).length).toBe(INTERESTS);
    expect(Object.keys(merged.purchases).length).toBe(PRODUCTS);
    expect(merged.purchases.new).toBeDefined();
  });
});
