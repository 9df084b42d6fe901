/**
 * Property tests of nextChange: for random definitions and profiles, walking
 * the clock from wake-up to wake-up (each at the previous nextChange), the
 * membership never changes between two wake-ups. Every time in the
 * generated profiles is on a whole minute, so memberships change only on
 * minute boundaries (lifecycle one millisecond after one): checking each
 * minute catches any wake-up that comes late.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Condition } from '@trailmark/schema';
import { parseAudienceDefinition } from '@trailmark/schema/audience-schema';
import type { Profile } from '../profiles/profile';
import { evaluate, nextChange } from './condition';
import type { FactSite } from './facts';
import { DAY, factsOf, MIN, NOW, profile } from './test-fixtures';

const HORIZON = 4 * DAY;
const SITE: FactSite = {
  lifecycle: { activeDays: 1, atRiskDays: 2, lapsedDays: 3 },
  rfm: { computedAt: NOW, customers: 10, recency: [1, 2, 3, Infinity], frequency: [2, 3, 4, 5], monetary: [20, 40, 60, 80] },
};
const CATEGORIES = ['Outdoor > Tents', 'Outdoor > Cooking', 'Books'];

const minutesAgo = (max: number) => fc.integer({ min: 0, max }).map((m) => NOW - m * MIN);

const profileArb: fc.Arbitrary<Profile> = fc
  .record({
    firstAgo: fc.integer({ min: 0, max: 5 * 24 * 60 }),
    lastAfterFirst: fc.integer({ min: 0, max: 5 * 24 * 60 }),
    sessions: fc.integer({ min: 1, max: 3 }),
    country: fc.constantFrom('US', 'FR', undefined),
    views: fc.array(fc.record({ at: minutesAgo(24 * 60), category: fc.constantFrom(...CATEGORIES, undefined) }), { maxLength: 6 }),
    lists: fc.array(fc.record({ at: minutesAgo(24 * 60), category: fc.constantFrom(...CATEGORIES) }), { maxLength: 3 }),
    cart: fc.array(fc.record({ quantity: fc.integer({ min: 1, max: 3 }), price: fc.integer({ min: 1, max: 50 }) }), { maxLength: 2 }),
    cartChangedAgo: fc.integer({ min: 0, max: 3 * 60 }),
    orders: fc.array(fc.record({ at: minutesAgo(4 * 24 * 60), total: fc.integer({ min: 0, max: 60 }) }), { maxLength: 4 }),
    cycle: fc.option(
      fc.record({
        count: fc.integer({ min: 2, max: 4 }),
        lastAgo: fc.integer({ min: 0, max: 6 * 24 * 60 }),
        intervalMinutes: fc.integer({ min: 24 * 60, max: 3 * 24 * 60 }),
      }),
    ),
    categoryTimes: fc.array(minutesAgo(5 * 24 * 60), { maxLength: 4 }),
    plan: fc.constantFrom('pro', 'free', undefined),
  })
  .map((r) => {
    const firstSeen = NOW - r.firstAgo * MIN;
    const p = profile({ geo: r.country ? { country: r.country } : {} }, 0);
    p.firstSeen = firstSeen;
    p.lastSeen = Math.min(NOW, firstSeen + r.lastAfterFirst * MIN);
    p.sessionCount = r.sessions;
    p.recentViews = r.views.map((v, i) => ({ productId: `v${i}`, at: v.at, ...(v.category ? { category: v.category } : {}) }));
    p.recentLists = r.lists;
    p.cart = Object.fromEntries(r.cart.map((line, i) => [`c${i}`, { ...line, at: NOW - r.cartChangedAgo * MIN }]));
    p.cartChangedAt = NOW - r.cartChangedAgo * MIN;
    p.orders = r.orders.map((o, i) => ({ orderId: `o${i}`, at: o.at, total: o.total, productIds: [] }));
    p.counts.orders = r.orders.length;
    p.revenue = r.orders.reduce((sum, o) => sum + o.total, 0);
    if (r.cycle) {
      p.purchases.coffee = {
        count: r.cycle.count,
        lastAt: NOW - r.cycle.lastAgo * MIN,
        meanIntervalMs: r.cycle.intervalMinutes * MIN,
        times: [NOW - r.cycle.lastAgo * MIN],
      };
    }
    const times = [...r.categoryTimes].sort((a, b) => a - b);
    if (times.length) p.categoryPurchases = { outdoor: { count: times.length, lastAt: times[times.length - 1]!, times } };
    if (r.plan) p.traits = { plan: r.plan };
    return p;
  });

const OPS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte'] as const;
const numeric = (fact: string, max: number, extra: Record<string, unknown> = {}) =>
  fc.record({ op: fc.constantFrom(...OPS), value: fc.integer({ min: -1, max }) }).map((c) => ({ fact, ...extra, ...c }));

const leafArb: fc.Arbitrary<unknown> = fc.oneof(
  numeric('cartIdleMinutes', 240),
  numeric('lastSeenDays', 6),
  numeric('firstSeenDays', 6),
  numeric('lastOrderDays', 5),
  numeric('reorderDueDays', 6).map((c) => ({ ...c, value: c.value - 3 })),
  fc.record({ op: fc.constantFrom(...OPS), value: fc.integer({ min: 1, max: 5 }) }).map((c) => ({ fact: 'rfm.recency', ...c })),
  numeric('viewedCategory', 4, { category: 'Outdoor', withinMinutes: 120 }),
  numeric('viewedCategory', 3, { category: 'Books', withinMinutes: 600 }),
  numeric('purchased', 4, { category: 'Outdoor', withinDays: 3 }),
  numeric('purchased', 2, { productId: 'coffee', withinDays: 2 }),
  numeric('cartItems', 4),
  numeric('orders', 4),
  fc.constantFrom('new', 'active', 'at_risk', 'sleeping', 'lapsed').map((value) => ({ fact: 'lifecycle', op: 'eq', value })),
  fc.constantFrom('US', 'FR').map((value) => ({ fact: 'country', op: 'eq', value })),
  fc.constant({ fact: 'trait.plan', op: 'eq', value: 'pro' }),
  fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 3 }).map((value) => ({ fact: 'lastSeenDays', op: 'in', value })),
  fc
    .array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 })
    .map((value) => ({ fact: 'viewedCategory', category: 'Outdoor', withinMinutes: 300, op: 'in', value })),
  fc.constant({ fact: 'cartIdleMinutes', op: 'exists' }),
  fc.constant({ fact: 'reorderDueDays', op: 'exists' }),
);

const definitionArb: fc.Arbitrary<Condition> = fc
  .letrec<{ node: unknown }>((tie) => ({
    node: fc.oneof(
      // Within the schema's nesting limit (limits.maxDepth): the property is about valid definitions.
      { depthSize: 'small', withCrossShrink: true, maxDepth: 6 },
      leafArb,
      fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((all) => ({ all })),
      fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((any) => ({ any })),
      tie('node').map((not) => ({ not })),
    ),
  }))
  .node.map((input) => {
    const parsed = parseAudienceDefinition(input);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    return parsed.definition;
  });

describe('nextChange', () => {
  it('membership never changes between now and the next change, from wake-up to wake-up', () => {
    fc.assert(
      fc.property(definitionArb, profileArb, (definition, p) => {
        const facts = factsOf(p, {}, SITE);
        let t = NOW;
        let wakeUps = 0;
        while (t < NOW + HORIZON) {
          const member = evaluate(definition, facts, t);
          const next = nextChange(definition, facts, t) ?? Infinity;
          expect(next).toBeGreaterThan(t);
          // Every whole minute before the next change keeps the membership.
          const end = Math.min(next, NOW + HORIZON);
          for (let m = Math.floor(t / MIN) * MIN + MIN; m < end; m += MIN) {
            if (evaluate(definition, facts, m) !== member) {
              throw new Error(`membership changed at ${(m - NOW) / MIN} min, next change said ${(next - NOW) / MIN} min (from ${(t - NOW) / MIN})`);
            }
          }
          t = next;
          wakeUps++;
        }
        // A wake-up that changes nothing is allowed, an endless stream of them is not.
        expect(wakeUps).toBeLessThan(200);
      }),
      { numRuns: 300 },
    );
  }, 60_000);

  it('for one fact condition, the next change is exact: membership differs at that moment', () => {
    const leafDefinition = leafArb.map((input) => {
      const parsed = parseAudienceDefinition(input);
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
      return parsed.definition;
    });
    fc.assert(
      fc.property(leafDefinition, profileArb, fc.integer({ min: 0, max: 3 * 24 * 60 }), (definition, p, offset) => {
        const facts = factsOf(p, {}, SITE);
        const now = NOW + offset * MIN;
        const next = nextChange(definition, facts, now);
        if (next !== undefined) expect(evaluate(definition, facts, next)).not.toBe(evaluate(definition, facts, now));
      }),
      { numRuns: 2000 },
    );
  }, 60_000);
});
