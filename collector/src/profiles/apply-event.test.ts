import { describe, expect, it } from 'vitest';
import { applyEvent } from './apply-event';
import { cartChangedAt, newProfile, type Profile } from './profile';
import { PURCHASE_WINDOW_MS } from './purchase-history';
import { DAY, order, orderWith, product, stored, T0, track } from './test-fixtures';
import { MAX_TRAITS } from './traits';

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
});

describe('revenue per currency', () => {
  it('never sums currencies: revenue is the site’s currency, the rest kept apart', () => {
    const p = newProfile('p', T0);
    const euroShop = { currency: 'EUR' };
    applyEvent(p, orderWith({ total: 100, currency: 'USD' }, T0 + 1000), euroShop);
    applyEvent(p, orderWith({ total: 50, currency: 'EUR' }, T0 + 2000), euroShop);
    applyEvent(p, orderWith({ total: 3000, currency: 'JPY' }, T0 + 3000), euroShop);
    // No currency: the site's.
    applyEvent(p, orderWith({ products: [{ product_id: 'x', price: 10, quantity: 2 }] }, T0 + 4000), euroShop);
    expect(p.revenueByCurrency).toEqual({ USD: 100, EUR: 70, JPY: 3000 });
    expect(p.revenue).toBe(70);
    expect(p.orders.map((o) => o.currency)).toEqual(['USD', 'EUR', 'JPY', 'EUR']);
  });

  it('never goes below zero, even for a negative total stored before ingest refused them', () => {
    const p = newProfile('p', T0);
    applyEvent(p, orderWith({ total: 20, currency: 'USD' }, T0 + 1000));
    applyEvent(p, orderWith({ total: -1000, currency: 'USD' }, T0 + 2000));
    expect(p.revenue).toBe(20);
  });
});
