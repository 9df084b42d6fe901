import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoredMessage } from '@trailmark/schema';
import { applyEvent, ATTRIBUTION_WINDOW_MS, SESSION_GAP_MS } from './apply-event';
import { cartChangedAt, newProfile, type Profile } from './profile';
import { PRODUCT_TIMES, PURCHASE_WINDOW_MS } from './purchase-history';
import { DAY, order, orderWith, product, stored, T0, track } from './test-fixtures';
import { MAX_TRAITS } from './traits';

describe('profile facts for audiences', () => {
  it('keeps identify traits: flattened one level, null removes, capped', () => {
    const p = newProfile('p', T0);
    applyEvent(
      p,
      stored(
        { type: 'identify', userId: 'u1', traits: { email: 'a@example.com', plan: 'pro', age: 41, vip: true, address: { city: 'Paris' }, tags: ['x'] } },
        T0,
      ),
    );
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
    applyEvent(
      p,
      order(
        [
          ['tent', 'Outdoor > Tents'],
          ['stove', 'Outdoor > Cooking'],
        ],
        T0,
      ),
    );
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

  it('counts an order for its product as for its categories and interests, whenever it arrives', () => {
    // Orders of one tent on these days (the same day twice at times), applied as they arrive and in time order.
    const days = fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(days, (arrival) => {
        const late = newProfile('late', T0);
        const inTime = newProfile('in-time', T0);
        const intervals: number[] = [];
        for (const day of arrival)
          intervals.push(...(applyEvent(late, order([['tent', 'Outdoor > Tents']], T0 + day * DAY)).repurchased ?? []).map((r) => r.intervalMs));
        for (const day of [...arrival].sort((a, b) => a - b)) applyEvent(inTime, order([['tent', 'Outdoor > Tents']], T0 + day * DAY));
        const tent = late.purchases.tent!;
        const category = late.categoryPurchases!['outdoor > tents']!;
        // Every order counts for the product as for its category; the latest time is the latest order's.
        expect(tent.count).toBe(arrival.length);
        expect(category.count).toBe(arrival.length);
        expect(tent.lastAt).toBe(category.lastAt);
        expect(tent.times).toEqual(category.times!.slice(-PRODUCT_TIMES));
        // The same history as had every order come in time, the mean interval from the first to the latest.
        const first = Math.min(...arrival);
        const last = Math.max(...arrival);
        expect(tent).toMatchObject({ count: inTime.purchases.tent!.count, lastAt: inTime.purchases.tent!.lastAt, times: inTime.purchases.tent!.times });
        if (arrival.length > 1) expect(Math.abs(tent.meanIntervalMs! - ((last - first) * DAY) / (arrival.length - 1))).toBeLessThan(1);
        else expect(tent.meanIntervalMs).toBeUndefined();
        expect(Math.abs(late.interests['Outdoor > Tents']! / inTime.interests['Outdoor > Tents']! - 1)).toBeLessThan(1e-12);
        // An interval is said only for an order after the latest one known then.
        let latest = -Infinity;
        const expected: number[] = [];
        for (const day of arrival) {
          if (latest > -Infinity && day > latest) expected.push((day - latest) * DAY);
          latest = Math.max(latest, day);
        }
        expect(intervals).toEqual(expected);
      }),
      { numRuns: 200 },
    );
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

describe('what every message changes', () => {
  it('counts page and screen views; other message kinds and unknown track events only count as events', () => {
    const p = newProfile('p', T0);
    applyEvent(p, stored({ type: 'page' }, T0));
    applyEvent(p, stored({ type: 'screen' }, T0 + 1));
    applyEvent(p, stored({ type: 'alias', userId: 'u', previousId: 'a' }, T0 + 2));
    expect(applyEvent(p, track('Coupon Entered', { coupon: 'X' }, T0 + 3))).toEqual({});
    expect(p.counts).toEqual({ events: 4, pageViews: 2, productViews: 0, searches: 0, adds: 0, orders: 0 });
  });

  it('moves last seen, place and device forward only, and never to an unknown device', () => {
    const p = newProfile('p', T0);
    const from = (country: string, type: string, at: number) =>
      ({ ...stored({ type: 'page' }, at), context: { geo: { country }, device: { type }, bot: false } }) as StoredMessage;
    applyEvent(p, from('FR', 'desktop', T0 + 10));
    applyEvent(p, from('IT', 'tablet', T0 + 5));
    expect(p).toMatchObject({ firstSeen: T0, lastSeen: T0 + 10, geo: { country: 'FR' }, device: { type: 'desktop' } });
    applyEvent(p, from('ES', 'other', T0 + 20));
    expect(p).toMatchObject({ lastSeen: T0 + 20, geo: { country: 'ES' }, device: { type: 'desktop' } });
    applyEvent(p, from('ES', 'mobile', T0 - DAY));
    expect(p.firstSeen).toBe(T0 - DAY);
  });

  it("keeps the shopper's place and device through a backend library's message, and learns the rest", () => {
    const p = newProfile('p', T0);
    const at = (message: StoredMessage, country: string, region: string, type: string, library?: { name: string; version: string }) =>
      ({ ...message, context: { geo: { country, region }, device: { type }, bot: false, ...(library ? { library } : {}) } }) as StoredMessage;
    const node = { name: '@segment/analytics-node', version: '2.1.0' };
    applyEvent(p, at(track('Product Viewed', product('tent'), T0), 'DE', 'Bavaria', 'mobile'));
    // The shop's backend sends the order from its data centre, after the shopper's last view.
    applyEvent(p, at(order([['tent']], T0 + 10), 'US', 'Virginia', 'server', node));
    expect(p).toMatchObject({ lastSeen: T0 + 10, geo: { country: 'DE', region: 'Bavaria' }, device: { type: 'mobile' }, revenue: 10 });
    expect(p.counts.orders).toBe(1);
    // A person known from backend messages alone is a server-side one; no place is made up for them.
    const backendOnly = newProfile('q', T0);
    applyEvent(backendOnly, at(order([['tent']], T0), 'US', 'Virginia', 'server', node));
    expect(backendOnly).toMatchObject({ geo: {}, device: { type: 'server' } });
    // A bare HTTP sender, or a browser library's payload sent from a script, is taken at its word.
    const bare = newProfile('r', T0);
    applyEvent(bare, at(track('Product Viewed', product('tent'), T0), 'DE', 'Bavaria', 'server'));
    expect(bare).toMatchObject({ geo: { country: 'DE', region: 'Bavaria' }, device: { type: 'server' } });
    applyEvent(bare, at(track('Product Viewed', product('tent'), T0 + 1), 'FR', 'Brittany', 'server', { name: 'analytics.js', version: '2.0.0' }));
    expect(bare).toMatchObject({ geo: { country: 'FR', region: 'Brittany' } });
  });

  it('starts a session after 30 minutes without one, or on a new session id, never for a late event', () => {
    const p = newProfile('p', T0);
    applyEvent(p, stored({ type: 'page' }, T0));
    applyEvent(p, stored({ type: 'page' }, T0 + SESSION_GAP_MS));
    expect(p.sessionCount).toBe(1);
    applyEvent(p, stored({ type: 'page' }, T0 + 2 * SESSION_GAP_MS + 1));
    expect(p.sessionCount).toBe(2);
    const inSession = (id: string, at: number) =>
      ({ ...stored({ type: 'page' }, at), context: { geo: {}, device: {}, bot: false, sessionId: id } }) as StoredMessage;
    applyEvent(p, inSession('s-1', T0 + 2 * SESSION_GAP_MS + 2));
    applyEvent(p, inSession('s-1', T0 + 5 * SESSION_GAP_MS));
    expect(p.session).toMatchObject({ id: 's-1', lastAt: T0 + 5 * SESSION_GAP_MS });
    expect(p.sessionCount).toBe(3);
    applyEvent(p, inSession('s-0', T0 + SESSION_GAP_MS));
    expect(p.sessionCount).toBe(3);
    expect(p.session.id).toBe('s-1');
  });
});

describe('one reducer per event', () => {
  it('Product Viewed: without a product id nothing; a repeat moves to the end and counts once a day', () => {
    const p = newProfile('p', T0);
    expect(applyEvent(p, track('Product Viewed', { name: 'no id' }, T0))).toEqual({});
    expect(p.counts.productViews).toBe(0);
    applyEvent(p, track('Product Viewed', product('tent'), T0 + 1));
    applyEvent(p, track('Product Viewed', product('mat'), T0 + 2));
    const again = applyEvent(p, track('Product Viewed', product('tent'), T0 + 3));
    expect(again.viewed).toMatchObject({ product: { productId: 'tent' }, previous: ['mat'], counts: false });
    expect(p.recentViews.map((v) => v.productId)).toEqual(['mat', 'tent']);
    expect(p.session.views).toEqual(['mat', 'tent']);
    expect(p.counts.productViews).toBe(3);
  });

  it('Product List Viewed: a list id alone is remembered but says nothing about interests', () => {
    const p = newProfile('p', T0);
    applyEvent(p, track('Product List Viewed', {}, T0));
    expect(p.recentLists).toEqual([]);
    applyEvent(p, track('Product List Viewed', { list_id: 'sale' }, T0 + 1));
    expect(p.recentLists).toEqual([{ category: 'sale', at: T0 + 1 }]);
    expect(p.interests).toEqual({});
    applyEvent(p, track('Product List Viewed', { category: 'Garden' }, T0 + 2));
    expect(Object.keys(p.interests)).toEqual(['Garden']);
  });

  it('Products Searched: an empty or missing query is ignored, a long one cut to 200 characters', () => {
    const p = newProfile('p', T0);
    applyEvent(p, track('Products Searched', { query: '' }, T0));
    applyEvent(p, track('Products Searched', { query: 42 }, T0));
    expect(p.counts.searches).toBe(0);
    applyEvent(p, track('Products Searched', { query: 'q'.repeat(300) }, T0 + 1));
    expect(p.searches).toEqual([{ query: 'q'.repeat(200), at: T0 + 1 }]);
    for (let i = 0; i < 12; i++) applyEvent(p, track('Products Searched', { query: `q${i}` }, T0 + 2 + i));
    expect(p.searches.length).toBe(10);
    expect(p.searches[0]!.query).toBe('q2');
  });

  it('Product Added and Removed: quantities add up, a partial removal keeps the rest, removing the unknown changes nothing', () => {
    const p = newProfile('p', T0);
    const first = applyEvent(p, track('Product Added', { ...product('tent'), quantity: 2 }, T0));
    expect(first.added).toMatchObject({ cartOthers: [], counts: true });
    applyEvent(p, track('Product Added', product('mat'), T0 + 1));
    const more = applyEvent(p, track('Product Added', product('tent'), T0 + 2));
    expect(more.added).toMatchObject({ cartOthers: ['mat'], counts: false });
    expect(p.cart.tent).toEqual({ quantity: 3, price: 10, at: T0 + 2 });
    applyEvent(p, track('Product Removed', { ...product('tent'), quantity: 1 }, T0 + 3));
    expect(p.cart.tent!.quantity).toBe(2);
    applyEvent(p, track('Product Removed', product('stove'), T0 + 9));
    expect(p.cartChangedAt).toBe(T0 + 3);
    // Without a quantity, the whole line goes.
    applyEvent(p, track('Product Removed', { product_id: 'tent' }, T0 + 4));
    expect(Object.keys(p.cart)).toEqual(['mat']);
    expect(p.counts.adds).toBe(3);
  });

  it('Order Completed: the message id stands for a missing order id; the cart loses what was bought; a rebuy reports its interval', () => {
    const p = newProfile('p', T0);
    applyEvent(p, track('Product Added', product('tent'), T0));
    applyEvent(p, track('Product Added', product('mat'), T0));
    const message = track('Order Completed', { products: [product('tent')] }, T0 + 1);
    const effects = applyEvent(p, message);
    expect(effects.ordered).toMatchObject({ orderId: message.messageId, counted: ['tent'] });
    expect(effects.repurchased).toBeUndefined();
    expect(Object.keys(p.cart)).toEqual(['mat']);
    expect(p.orders[0]).toMatchObject({ orderId: message.messageId, total: 10, currency: 'USD', productIds: ['tent'] });
    const again = applyEvent(p, order([['tent']], T0 + 3 * DAY));
    expect(again.repurchased).toEqual([{ productId: 'tent', intervalMs: 3 * DAY - 1 }]);
    // An order without products still counts, with its stated total.
    applyEvent(p, orderWith({ total: 5 }, T0 + 4 * DAY));
    expect(p.counts.orders).toBe(3);
    expect(p.revenue).toBe(25);
  });

  it('Recommendation Clicked: needs a rec id and a product; credits an add or order of that product within 7 days after', () => {
    const p = newProfile('p', T0);
    applyEvent(p, track('Recommendation Clicked', { product_id: 'tent' }, T0));
    expect(p.recClicks).toEqual([]);
    applyEvent(p, track('Recommendation Clicked', { rec_id: 'r1', product_id: 'tent' }, T0 + 10));
    expect(p.recClicks).toEqual([{ recId: 'r1', slot: 'unknown', variant: 'treatment', productId: 'tent', at: T0 + 10 }]);
    // Before the click, another product, or after the window: no credit.
    expect(applyEvent(p, track('Product Added', product('tent'), T0 + 5)).attributions).toBeUndefined();
    expect(applyEvent(p, track('Product Added', product('mat'), T0 + 20)).attributions).toBeUndefined();
    expect(applyEvent(p, track('Product Added', product('tent'), T0 + 10 + ATTRIBUTION_WINDOW_MS)).attributions).toEqual([
      { recId: 'r1', slot: 'unknown', variant: 'treatment', productId: 'tent' },
    ]);
    expect(applyEvent(p, order([['tent'], ['mat']], T0 + 11 + ATTRIBUTION_WINDOW_MS)).attributions).toBeUndefined();
  });
});
