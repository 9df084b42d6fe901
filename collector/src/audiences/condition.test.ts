import { describe, expect, it } from 'vitest';
import type { Condition } from '@trailmark/schema';
import { parseAudienceDefinition } from '@trailmark/schema/audience-schema';
import { evaluate, nextChange } from './condition';
import { describeFacts, type ProfileFacts } from './facts';
import { DAY, factsOf, HOUR, MIN, NOW, profile, SITE } from './test-fixtures';

/** A definition, validated as the admin API would. */
const def = (input: unknown): Condition => {
  const parsed = parseAudienceDefinition(input);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.definition;
};

const at = (definition: Condition, facts: ProfileFacts, t: number) => evaluate(definition, facts, t);

describe('facts', () => {
  it('geo, device, identified and traits, strings without regard to case', () => {
    const facts = factsOf(
      profile({ geo: { country: 'FR', region: 'Île-de-France' }, device: { type: 'mobile' }, traits: { email: 'A@x.fr', plan: 'pro', age: 41, vip: true } }),
      { userId: 'u1' },
    );
    expect(at(def({ fact: 'country', op: 'eq', value: 'fr' }), facts, NOW)).toBe(true);
    expect(at(def({ fact: 'country', op: 'in', value: ['BE', 'FR'] }), facts, NOW)).toBe(true);
    expect(at(def({ fact: 'region', op: 'eq', value: 'île-de-france' }), facts, NOW)).toBe(true);
    expect(at(def({ fact: 'device', op: 'neq', value: 'desktop' }), facts, NOW)).toBe(true);
    expect(at(def({ fact: 'identified', op: 'eq', value: true }), facts, NOW)).toBe(true);
    expect(at(def({ fact: 'identified', op: 'eq', value: true }), factsOf(profile()), NOW)).toBe(false);
    expect(at(def({ fact: 'trait.email', op: 'eq', value: 'a@X.FR' }), facts, NOW)).toBe(true);
    expect(at(def({ fact: 'trait.age', op: 'gte', value: 40 }), facts, NOW)).toBe(true);
    expect(at(def({ fact: 'trait.age', op: 'eq', value: '41' }), facts, NOW)).toBe(false); // types must match
    expect(at(def({ fact: 'trait.vip', op: 'eq', value: true }), facts, NOW)).toBe(true);
    expect(at(def({ fact: 'trait.phone', op: 'exists' }), facts, NOW)).toBe(false);
    expect(at(def({ fact: 'trait.phone', op: 'exists', value: false }), facts, NOW)).toBe(true);
  });

  it('an unknown fact fails every operator but neq and exists false', () => {
    const facts = factsOf(profile());
    expect(at(def({ fact: 'country', op: 'eq', value: 'US' }), facts, NOW)).toBe(false);
    expect(at(def({ fact: 'country', op: 'neq', value: 'US' }), facts, NOW)).toBe(true);
    expect(at(def({ fact: 'averageOrderValue', op: 'lt', value: 10 }), facts, NOW)).toBe(false);
    expect(at(def({ fact: 'averageOrderValue', op: 'exists', value: false }), facts, NOW)).toBe(true);
  });

  it('orders, revenue, average order value and days since the last order', () => {
    const p = profile({
      revenue: 300,
      orders: [
        { orderId: 'o1', at: NOW - 10 * DAY, total: 100, productIds: [] },
        { orderId: 'o2', at: NOW - 3 * DAY - HOUR, total: 200, productIds: [] },
      ],
    });
    p.counts.orders = 2;
    const facts = factsOf(p);
    expect(at(def({ fact: 'orders', op: 'eq', value: 2 }), facts, NOW)).toBe(true);
    expect(at(def({ fact: 'revenue', op: 'gte', value: 300 }), facts, NOW)).toBe(true);
    expect(at(def({ fact: 'averageOrderValue', op: 'eq', value: 150 }), facts, NOW)).toBe(true);
    const recent = def({ fact: 'lastOrderDays', op: 'lte', value: 3 });
    expect(at(recent, facts, NOW)).toBe(true);
    expect(nextChange(recent, facts, NOW)).toBe(NOW - 3 * DAY - HOUR + 4 * DAY);
  });

  it('rfm scores against the site boundaries; recency ages with the clock', () => {
    const p = profile({ revenue: 120, orders: [{ orderId: 'o', at: NOW - 5 * DAY, total: 120, productIds: [] }] });
    p.counts.orders = 3;
    const facts = factsOf(p);
    expect(at(def({ fact: 'rfm.frequency', op: 'eq', value: 3 }), facts, NOW)).toBe(true); // 3 orders: ≥ 2 and ≥ 3
    expect(at(def({ fact: 'rfm.monetary', op: 'eq', value: 3 }), facts, NOW)).toBe(true); // 120: ≥ 50 and ≥ 100
    const top = def({ fact: 'rfm.recency', op: 'eq', value: 5 });
    expect(at(top, facts, NOW)).toBe(true); // 5 days < 7
    expect(nextChange(top, facts, NOW)).toBe(NOW + 2 * DAY); // day 7 reached
    expect(at(top, facts, NOW + 2 * DAY)).toBe(false);
    expect(at(top, factsOf(p, {}, { ...SITE, rfm: undefined }), NOW)).toBe(false);
    expect(at(def({ fact: 'rfm.recency', op: 'exists' }), factsOf(profile()), NOW)).toBe(false);
  });

  it('interest per category, scaled to the strongest', () => {
    const facts = factsOf(profile({ interests: { 'Outdoor > Tents': 4, Outdoor: 8, Books: 2 } }));
    expect(at(def({ fact: 'interest', category: 'outdoor', op: 'eq', value: 1 }), facts, NOW)).toBe(true);
    expect(at(def({ fact: 'interest', category: 'Outdoor > Tents', op: 'gte', value: 0.5 }), facts, NOW)).toBe(true);
    expect(at(def({ fact: 'interest', category: 'Books', op: 'gt', value: 0.25 }), facts, NOW)).toBe(false);
    expect(at(def({ fact: 'interest', category: 'Garden', op: 'eq', value: 0 }), facts, NOW)).toBe(true);
  });

  it('viewedCategory counts recent product and list views in a category and its subcategories, until they leave the window', () => {
    const facts = factsOf(
      profile({
        recentViews: [
          { productId: 'a', at: NOW - 20 * MIN, category: 'Outdoor > Tents' },
          { productId: 'b', at: NOW - 5 * MIN, category: 'Outdoor > Tents > Dome' },
          { productId: 'c', at: NOW - 2 * MIN, category: 'Books' },
          { productId: 'd', at: NOW - MIN },
        ],
        recentLists: [{ category: 'outdoor > tents', at: NOW - 10 * MIN }],
      }),
    );
    const browsing = def({ fact: 'viewedCategory', category: 'Outdoor > Tents', withinMinutes: 30, op: 'gte', value: 2 });
    expect(at(browsing, facts, NOW)).toBe(true); // 3 in the window
    // 3 → 2 at NOW+10 (the first leaves), 2 → 1 at NOW+20: membership ends then.
    expect(nextChange(browsing, facts, NOW)).toBe(NOW + 20 * MIN);
    expect(at(browsing, facts, NOW + 20 * MIN - 1)).toBe(true);
    expect(at(browsing, facts, NOW + 20 * MIN)).toBe(false);
    expect(at(def({ fact: 'viewedCategory', category: 'Outdoor', withinMinutes: 60, op: 'eq', value: 3 }), facts, NOW)).toBe(true);
  });

  it('purchased counts orders of a product or a category, ever or within days', () => {
    const p = profile({
      purchases: { tent: { count: 3, lastAt: NOW - 2 * DAY, times: [NOW - 40 * DAY, NOW - 10 * DAY, NOW - 2 * DAY] } },
      categoryPurchases: { outdoor: { count: 5, lastAt: NOW - 2 * DAY, times: [NOW - 10 * DAY, NOW - 2 * DAY] } },
    });
    const facts = factsOf(p);
    expect(at(def({ fact: 'purchased', productId: 'tent', op: 'eq', value: 3 }), facts, NOW)).toBe(true);
    expect(at(def({ fact: 'purchased', productId: 'mat', op: 'eq', value: 0 }), facts, NOW)).toBe(true);
    const monthly = def({ fact: 'purchased', productId: 'tent', withinDays: 30, op: 'gte', value: 2 });
    expect(at(monthly, facts, NOW)).toBe(true);
    expect(nextChange(monthly, facts, NOW)).toBe(NOW + 20 * DAY);
    expect(at(def({ fact: 'purchased', category: 'OUTDOOR', op: 'gte', value: 5 }), facts, NOW)).toBe(true);
    const never = def({ fact: 'purchased', category: 'Data packs', op: 'eq', value: 0 });
    expect(at(never, facts, NOW)).toBe(true);
    expect(nextChange(never, facts, NOW)).toBeUndefined();
  });

  it('cart items, value and idle minutes; an order ends the idle cart', () => {
    const p = profile({
      cart: { tent: { quantity: 2, price: 100, at: NOW - 10 * MIN }, mat: { quantity: 1, at: NOW - 10 * MIN } },
      cartChangedAt: NOW - 10 * MIN,
    });
    const facts = factsOf(p);
    expect(at(def({ fact: 'cartItems', op: 'eq', value: 3 }), facts, NOW)).toBe(true);
    expect(at(def({ fact: 'cartValue', op: 'eq', value: 200 }), facts, NOW)).toBe(true);
    const idle = def({ fact: 'cartIdleMinutes', op: 'gte', value: 30 });
    expect(at(idle, facts, NOW)).toBe(false);
    expect(nextChange(idle, facts, NOW)).toBe(NOW + 20 * MIN);
    expect(at(idle, facts, NOW + 20 * MIN)).toBe(true);
    expect(nextChange(idle, facts, NOW + 20 * MIN)).toBeUndefined();

    const ordered = profile({ ...p, orders: [{ orderId: 'o', at: NOW - 5 * MIN, total: 10, productIds: ['x'] }] });
    expect(at(def({ fact: 'cartIdleMinutes', op: 'exists' }), factsOf(ordered), NOW)).toBe(false);
    expect(nextChange(idle, factsOf(ordered), NOW)).toBeUndefined();
    expect(at(def({ fact: 'cartIdleMinutes', op: 'exists' }), factsOf(profile()), NOW)).toBe(false);
  });

  it('reorderDueDays: days to the soonest predicted repurchase, negative when overdue, dropped after a whole interval overdue', () => {
    const p = profile({
      purchases: {
        coffee: { count: 3, lastAt: NOW - 20 * DAY, meanIntervalMs: 30 * DAY }, // due in 10 days
        filters: { count: 2, lastAt: NOW - 100 * DAY, meanIntervalMs: 40 * DAY }, // overdue 60 days: broken cycle
        tent: { count: 1, lastAt: NOW - 5 * DAY }, // no cycle
      },
    });
    const facts = factsOf(p);
    expect(at(def({ fact: 'reorderDueDays', op: 'eq', value: 10 }), facts, NOW)).toBe(true);
    const due = def({ fact: 'reorderDueDays', op: 'lte', value: 3 });
    expect(nextChange(due, facts, NOW)).toBe(NOW + 7 * DAY);
    expect(at(due, facts, NOW + 7 * DAY - 1)).toBe(false);
    expect(at(due, facts, NOW + 7 * DAY)).toBe(true);
    expect(at(def({ fact: 'reorderDueDays', op: 'eq', value: -5 }), facts, NOW + 15 * DAY)).toBe(true);
    // Overdue by a whole interval (30 days): the cycle no longer counts.
    expect(nextChange(due, facts, NOW + 7 * DAY)).toBe(NOW + 40 * DAY);
    expect(at(def({ fact: 'reorderDueDays', op: 'exists' }), facts, NOW + 40 * DAY)).toBe(false);
  });

  it('lifecycle by the site thresholds, changing one millisecond after each', () => {
    const p = profile({}, 0);
    p.lastSeen = NOW - 10 * DAY;
    const facts = factsOf(p);
    const risk = def({ fact: 'lifecycle', op: 'eq', value: 'at_risk' });
    expect(at(def({ fact: 'lifecycle', op: 'eq', value: 'active' }), facts, NOW)).toBe(true);
    expect(nextChange(risk, facts, NOW)).toBe(NOW + 4 * DAY + 1);
    expect(at(risk, facts, NOW + 4 * DAY + 1)).toBe(true);
    expect(nextChange(risk, facts, NOW + 4 * DAY + 1)).toBe(NOW + 20 * DAY + 1);
    expect(at(def({ fact: 'lifecycle', op: 'in', value: ['sleeping', 'lapsed'] }), facts, NOW + 20 * DAY + 1)).toBe(true);
  });

  it('days since first and last seen, and sessions', () => {
    const p = profile({}, 0);
    p.firstSeen = NOW - 40 * DAY;
    p.lastSeen = NOW - 29 * DAY - HOUR;
    const facts = factsOf(p);
    const sleeping = def({ fact: 'lastSeenDays', op: 'gt', value: 30 });
    expect(at(sleeping, facts, NOW)).toBe(false);
    expect(nextChange(sleeping, facts, NOW)).toBe(p.lastSeen + 31 * DAY);
    expect(at(def({ fact: 'firstSeenDays', op: 'eq', value: 40 }), facts, NOW)).toBe(true);
    expect(at(def({ fact: 'sessions', op: 'eq', value: 2 }), facts, NOW)).toBe(true);
  });
});

describe('combinations', () => {
  const idleCart = profile({ cart: { tent: { quantity: 1, price: 10, at: NOW } }, cartChangedAt: NOW });

  it('a failing static part settles an all for good', () => {
    const facts = factsOf({ ...idleCart, geo: { country: 'ES' } });
    const d = def({
      all: [
        { fact: 'country', op: 'eq', value: 'FR' },
        { fact: 'cartIdleMinutes', op: 'gte', value: 30 },
      ],
    });
    expect(nextChange(d, facts, NOW)).toBeUndefined();
    const fr = factsOf({ ...idleCart, geo: { country: 'FR' } });
    expect(nextChange(d, fr, NOW)).toBe(NOW + 30 * MIN);
  });

  it('not and any change when their parts do', () => {
    const facts = factsOf(idleCart);
    const notIdle = def({ not: { fact: 'cartIdleMinutes', op: 'gte', value: 30 } });
    expect(evaluate(notIdle, facts, NOW)).toBe(true);
    expect(nextChange(notIdle, facts, NOW)).toBe(NOW + 30 * MIN);
    // any that holds through a static part never changes; one that holds through timed parts changes when the last of them can.
    const staticAny = def({
      any: [
        { fact: 'cartItems', op: 'gt', value: 0 },
        { fact: 'cartIdleMinutes', op: 'lt', value: 30 },
      ],
    });
    expect(nextChange(staticAny, facts, NOW)).toBeUndefined();
    const timedAny = def({
      any: [
        { fact: 'cartIdleMinutes', op: 'lt', value: 30 },
        { fact: 'cartIdleMinutes', op: 'lt', value: 60 },
      ],
    });
    expect(nextChange(timedAny, facts, NOW)).toBe(NOW + 60 * MIN);
    expect(evaluate(timedAny, facts, NOW + 60 * MIN)).toBe(false);
    // any that fails changes at the first part that can.
    const failingAny = def({
      any: [
        { fact: 'cartIdleMinutes', op: 'gte', value: 60 },
        { fact: 'cartIdleMinutes', op: 'gte', value: 30 },
      ],
    });
    expect(nextChange(failingAny, facts, NOW)).toBe(NOW + 30 * MIN);
  });

  it('a definition without time facts never changes on its own', () => {
    expect(nextChange(def({ fact: 'cartItems', op: 'gt', value: 0 }), factsOf(idleCart), NOW)).toBeUndefined();
  });
});

describe('describeFacts', () => {
  it('lists what conditions see, without the facts the profile does not know', () => {
    const p = profile({
      geo: { country: 'FR', region: 'Bretagne' },
      device: { type: 'mobile' },
      traits: { email: 'a@x.fr' },
      cart: { a: { quantity: 2, price: 12.5, at: NOW - 45 * MIN } },
      cartChangedAt: NOW - 45 * MIN,
    });
    expect(describeFacts(factsOf(p, { userId: 'u' }), NOW)).toEqual({
      lifecycle: 'active',
      country: 'FR',
      region: 'Bretagne',
      device: 'mobile',
      identified: true,
      firstSeenDays: 0,
      lastSeenDays: 0,
      sessions: 2,
      orders: 0,
      revenue: 0,
      cartItems: 2,
      cartValue: 25,
      cartIdleMinutes: 45,
      'trait.email': 'a@x.fr',
    });
  });
});
