import { describe, expect, it } from 'vitest';
import { applyEvent } from './apply-event';
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
