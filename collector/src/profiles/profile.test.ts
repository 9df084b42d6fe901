import { describe, expect, it } from 'vitest';
import type { StoredMessage } from '@trailmark/schema';
import { applyEvent, cartChangedAt, interestTags, lifecycleStage, mergeProfiles, newProfile, PURCHASE_WINDOW_MS, type Profile } from './profile';
import { MAX_TRAITS } from './traits';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);
let seq = 0;

const stored = (m: Record<string, unknown>, at: number): StoredMessage =>
  ({
    messageId: `m${++seq}`,
    anonymousId: 'a',
    ...m,
    timestamp: new Date(at).toISOString(),
    receivedAt: new Date(at).toISOString(),
    context: { geo: { country: 'DE', region: 'Bavaria' }, device: { type: 'mobile' }, bot: false },
  }) as StoredMessage;

const track = (event: string, properties: Record<string, unknown>, at: number) => stored({ type: 'track', event, properties }, at);
const product = (id: string, category = 'Outdoor > Tents', price = 10) => ({ product_id: id, price, category });
const order = (ids: [string, string?][], at: number) =>
  track('Order Completed', { order_id: `o${at}`, total: ids.length * 10, products: ids.map(([id, category]) => product(id, category)) }, at);

describe('profile facts for audiences', () => {
  it('keeps identify traits: flattened one level, null removes, capped', () => {
    const p = newProfile('p', T0);
    applyEvent(p, stored({ type: 'identify', userId: 'u1', traits: { email: 'a@example.com', plan: 'pro', age: 41, vip: true, address: { city: 'Paris' }, tags: ['x'] } }, T0));
    expect(p.traits).toEqual({ email: 'a@example.com', plan: 'pro', age: 41, vip: true, 'address.city': 'Paris' });
    applyEvent(p, stored({ type: 'identify', userId: 'u1', traits: { plan: null, age: 42, name: 'x'.repeat(1000) } }, T0 + 1));
    expect(p.traits).toMatchObject({ age: 42 });
    expect(p.traits!.plan).toBeUndefined();
    expect((p.traits!.name as string).length).toBe(256);
    applyEvent(p, stored({ type: 'identify', userId: 'u1', traits: Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`t${i}`, i])) }, T0 + 2));
    expect(Object.keys(p.traits!).length).toBe(MAX_TRAITS);
    expect(p.traits!.email).toBe('a@example.com');
  });

  it('keeps the category of each recent view, cut to what a condition can name', () => {
    const p = newProfile('p', T0);
    applyEvent(p, track('Product Viewed', product('tent', 'Outdoor > Tents'), T0));
    applyEvent(p, track('Product Viewed', { product_id: 'mug' }, T0 + 1));
    applyEvent(p, track('Product Viewed', product('long', 'x'.repeat(500)), T0 + 2));
    expect(p.recentViews).toEqual([
      { productId: 'tent', at: T0, category: 'Outdoor > Tents' },
      { productId: 'mug', at: T0 + 1 },
      { productId: 'long', at: T0 + 2, category: 'x'.repeat(200) },
    ]);
  });

  it('records when the cart last changed, not when an order emptied it', () => {
    const p = newProfile('p', T0);
    expect(cartChangedAt(p)).toBeUndefined();
    applyEvent(p, track('Product Added', product('tent'), T0 + 1000));
    applyEvent(p, track('Product Added', product('mat'), T0 + 2000));
    expect(p.cartChangedAt).toBe(T0 + 2000);
    applyEvent(p, track('Product Removed', product('mat'), T0 + 3000));
    expect(p.cartChangedAt).toBe(T0 + 3000);
    // A late event does not move the time back.
    applyEvent(p, track('Product Added', product('stove'), T0 + 500));
    expect(p.cartChangedAt).toBe(T0 + 3000);
    applyEvent(p, order([['tent']], T0 + 4000));
    expect(p.cartChangedAt).toBe(T0 + 3000);
  });

  it('reads a document stored before the new fields with defaults', () => {
    const old = JSON.parse(JSON.stringify(newProfile('p', T0))) as Profile;
    old.cart = { tent: { quantity: 1, at: T0 + 5 }, mat: { quantity: 2, at: T0 + 9 } };
    expect(cartChangedAt(old)).toBe(T0 + 9);
    old.purchases = { tent: { count: 1, lastAt: T0 } };
    applyEvent(old, order([['tent']], T0 + 10 * DAY));
    expect(old.purchases.tent).toMatchObject({ count: 2, times: [T0 + 10 * DAY], meanIntervalMs: 10 * DAY });
    applyEvent(old, stored({ type: 'identify', userId: 'u', traits: { email: 'e' } }, T0 + 11 * DAY));
    expect(old.traits).toEqual({ email: 'e' });
  });

  it('counts orders per category and ancestor, with their times in a bounded window', () => {
    const p = newProfile('p', T0);
    applyEvent(p, order([['tent', 'Outdoor > Tents'], ['stove', 'Outdoor > Cooking']], T0));
    applyEvent(p, order([['tent', 'Outdoor > Tents']], T0 + DAY));
    expect(p.categoryPurchases).toEqual({
      outdoor: { count: 2, lastAt: T0 + DAY, times: [T0, T0 + DAY] },
      'outdoor > tents': { count: 2, lastAt: T0 + DAY, times: [T0, T0 + DAY] },
      'outdoor > cooking': { count: 1, lastAt: T0, times: [T0] },
    });
    expect(p.purchases.tent!.times).toEqual([T0, T0 + DAY]);
    for (let i = 2; i < 30; i++) applyEvent(p, order([['tent', 'Outdoor > Tents']], T0 + i * DAY));
    expect(p.purchases.tent!.times!.length).toBe(6);
    expect(p.categoryPurchases!.outdoor!.count).toBe(30);
    expect(p.categoryPurchases!.outdoor!.times!.length).toBe(12);
    // Times older than the window before the latest are dropped.
    applyEvent(p, order([['tent', 'Outdoor > Tents']], T0 + 29 * DAY + PURCHASE_WINDOW_MS + DAY));
    expect(p.purchases.tent!.times).toEqual([T0 + 29 * DAY + PURCHASE_WINDOW_MS + DAY]);
    // At most 30 categories are kept, the least recently bought go first.
    for (let i = 0; i < 40; i++) applyEvent(p, order([[`c${i}`, `Cat ${i}`]], T0 + 500 * DAY + i));
    expect(Object.keys(p.categoryPurchases!).length).toBe(30);
    expect(p.categoryPurchases!['cat 39']).toBeDefined();
    expect(p.categoryPurchases!.outdoor).toBeUndefined();
  });

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

  it('changes lifecycle stage exactly one millisecond after a threshold', () => {
    const t = { activeDays: 14, atRiskDays: 30, lapsedDays: 90 };
    const p = newProfile('p', T0);
    p.sessionCount = 2;
    expect(lifecycleStage(p, T0 + 14 * DAY, t)).toBe('active');
    expect(lifecycleStage(p, T0 + 14 * DAY + 1, t)).toBe('at-risk');
    expect(lifecycleStage(p, T0 + 90 * DAY + 1, t)).toBe('lapsed');
  });
});

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
