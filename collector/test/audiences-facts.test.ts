/**
 * Every fact of contract section 7 through the real API, inside the Workers
 * runtime: an audience is saved with PUT /v1/admin/audiences/:id, events go
 * in through POST /v1/batch and are drained into the profiles as the shard's
 * alarm would, and membership comes out of GET …/members and the profile
 * API. Each fact has a shopper who is a member and one who is not.
 */
import { describe, expect, it } from 'vitest';
import { refreshRfm } from '../src/audiences/site-audiences';
import { env } from 'cloudflare:test';
import { createSite, uniqueId } from './support/collector';
import { DAY, MIN, defineAudience, event, memberIds, profileOf, send, settle } from './support/audiences';

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const at = (ms: number) => ({ timestamp: ago(ms) });
const MOBILE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';
const DESKTOP = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

const tent = { product_id: 'tent-1', name: 'Tent', category: 'Outdoor > Tents', price: 120 };
const stove = { product_id: 'stove-1', name: 'Stove', category: 'Outdoor > Cooking', price: 40 };
const book = { product_id: 'book-1', name: 'Book', category: 'Books', price: 15 };
const coffee = { product_id: 'coffee-1', name: 'Coffee', category: 'Grocery > Coffee', price: 12 };
const order = (products: Record<string, unknown>[], total: number) => ({ order_id: uniqueId('o'), total, currency: 'USD', products });

interface Case {
  fact: string;
  definition: unknown;
  /** Events of the shopper who is in, and of the one who is not (anonymousIds "in" and "out"). */
  member: (id: string) => Record<string, unknown>[];
  other: (id: string) => Record<string, unknown>[];
  /** Request geo of each (default Munich, Bavaria, DE). */
  memberGeo?: Record<string, unknown>;
  otherGeo?: Record<string, unknown>;
}

const CASES: Case[] = [
  {
    fact: 'lifecycle',
    definition: { fact: 'lifecycle', op: 'eq', value: 'sleeping' },
    member: (id) => [event(id, 'Product Viewed', tent, at(40 * DAY)), event(id, 'Product Viewed', stove, at(39 * DAY))],
    other: (id) => [event(id, 'Product Viewed', tent)],
  },
  {
    fact: 'country',
    definition: { fact: 'country', op: 'in', value: ['fr', 'BE'] },
    member: (id) => [event(id, 'Product Viewed', tent)],
    other: (id) => [event(id, 'Product Viewed', tent)],
    memberGeo: { country: 'FR', region: 'Brittany', city: 'Rennes' },
  },
  {
    fact: 'region',
    definition: { fact: 'region', op: 'eq', value: 'bavaria' },
    member: (id) => [event(id, 'Product Viewed', tent)],
    other: (id) => [event(id, 'Product Viewed', tent)],
    otherGeo: { country: 'DE', region: 'Berlin', city: 'Berlin' },
  },
  {
    fact: 'device',
    definition: { fact: 'device', op: 'eq', value: 'mobile' },
    member: (id) => [event(id, 'Product Viewed', tent, { context: { userAgent: MOBILE } })],
    other: (id) => [event(id, 'Product Viewed', tent, { context: { userAgent: DESKTOP } })],
  },
  {
    fact: 'identified',
    definition: { fact: 'identified', op: 'eq', value: true },
    member: (id) => [{ type: 'identify', messageId: uniqueId('m'), anonymousId: id, userId: `user-${id}`, traits: {} }],
    other: (id) => [event(id, 'Product Viewed', tent)],
  },
  {
    fact: 'firstSeenDays',
    definition: { fact: 'firstSeenDays', op: 'gte', value: 10 },
    member: (id) => [event(id, 'Product Viewed', tent, at(12 * DAY)), event(id, 'Product Viewed', tent)],
    other: (id) => [event(id, 'Product Viewed', tent, at(2 * DAY))],
  },
  {
    fact: 'lastSeenDays',
    definition: { fact: 'lastSeenDays', op: 'gt', value: 30 },
    member: (id) => [event(id, 'Product Viewed', tent, at(31 * DAY + MIN))],
    other: (id) => [event(id, 'Product Viewed', tent, at(31 * DAY)), event(id, 'Product Viewed', tent, at(29 * DAY))],
  },
  {
    fact: 'sessions',
    definition: { fact: 'sessions', op: 'gte', value: 3 },
    member: (id) => [0, 1, 2].map((i) => event(id, 'Product Viewed', tent, at((3 - i) * 60 * MIN))),
    other: (id) => [event(id, 'Product Viewed', tent, at(70 * MIN)), event(id, 'Product Viewed', tent, at(60 * MIN))],
  },
  {
    fact: 'orders',
    definition: { fact: 'orders', op: 'gte', value: 2 },
    member: (id) => [event(id, 'Order Completed', order([tent], 120)), event(id, 'Order Completed', order([stove], 40))],
    other: (id) => [event(id, 'Order Completed', order([tent], 120))],
  },
  {
    fact: 'revenue',
    definition: { fact: 'revenue', op: 'gte', value: 150 },
    member: (id) => [event(id, 'Order Completed', order([tent], 120)), event(id, 'Order Completed', order([stove], 40))],
    other: (id) => [event(id, 'Order Completed', order([tent], 120))],
  },
  {
    fact: 'averageOrderValue',
    definition: { fact: 'averageOrderValue', op: 'gt', value: 100 },
    member: (id) => [event(id, 'Order Completed', order([tent], 120))],
    other: (id) => [event(id, 'Order Completed', order([tent], 120)), event(id, 'Order Completed', order([stove], 40))],
  },
  {
    fact: 'lastOrderDays',
    definition: { fact: 'lastOrderDays', op: 'gte', value: 7 },
    member: (id) => [event(id, 'Order Completed', order([tent], 120), at(8 * DAY))],
    other: (id) => [event(id, 'Order Completed', order([tent], 120), at(8 * DAY)), event(id, 'Order Completed', order([stove], 40), at(DAY))],
  },
  {
    fact: 'interest',
    definition: { fact: 'interest', category: 'Books', op: 'gte', value: 0.5 },
    member: (id) => [event(id, 'Product Viewed', book), event(id, 'Product Added', book)],
    other: (id) => [event(id, 'Product Viewed', book), event(id, 'Product Added', tent), event(id, 'Product Viewed', tent)],
  },
  {
    fact: 'viewedCategory',
    definition: { fact: 'viewedCategory', category: 'outdoor', withinMinutes: 30, op: 'gte', value: 2 },
    member: (id) => [event(id, 'Product Viewed', tent), event(id, 'Product List Viewed', { category: 'Outdoor > Cooking' })],
    other: (id) => [event(id, 'Product Viewed', tent, at(45 * MIN)), event(id, 'Product Viewed', stove)],
  },
  {
    fact: 'purchased (product)',
    definition: { fact: 'purchased', productId: 'tent-1', op: 'gte', value: 1 },
    member: (id) => [event(id, 'Order Completed', order([tent, stove], 160))],
    other: (id) => [event(id, 'Order Completed', order([stove], 40))],
  },
  {
    fact: 'purchased (category, within days)',
    definition: { fact: 'purchased', category: 'Outdoor', withinDays: 30, op: 'gte', value: 2 },
    member: (id) => [event(id, 'Order Completed', order([tent], 120), at(20 * DAY)), event(id, 'Order Completed', order([stove], 40), at(DAY))],
    other: (id) => [event(id, 'Order Completed', order([tent], 120), at(40 * DAY)), event(id, 'Order Completed', order([stove], 40), at(DAY))],
  },
  {
    fact: 'cartItems',
    definition: { fact: 'cartItems', op: 'gte', value: 3 },
    member: (id) => [event(id, 'Product Added', { ...tent, quantity: 2 }), event(id, 'Product Added', stove)],
    other: (id) => [event(id, 'Product Added', { ...tent, quantity: 2 }), event(id, 'Product Added', stove), event(id, 'Product Removed', stove)],
  },
  {
    fact: 'cartValue',
    definition: { fact: 'cartValue', op: 'gt', value: 200 },
    member: (id) => [event(id, 'Product Added', { ...tent, quantity: 2 })],
    other: (id) => [event(id, 'Product Added', { ...tent, quantity: 2 }), event(id, 'Order Completed', order([tent], 240))],
  },
  {
    fact: 'cartIdleMinutes',
    definition: { fact: 'cartIdleMinutes', op: 'gte', value: 30 },
    member: (id) => [event(id, 'Product Added', tent, at(31 * MIN)), event(id, 'Product Viewed', stove)],
    other: (id) => [event(id, 'Product Added', tent, at(31 * MIN)), event(id, 'Product Added', stove, at(5 * MIN))],
  },
  {
    fact: 'reorderDueDays',
    definition: { fact: 'reorderDueDays', op: 'lte', value: 3 },
    // Coffee every 10 days, the last 8 days ago: due in 2.
    member: (id) => [event(id, 'Order Completed', order([coffee], 12), at(18 * DAY)), event(id, 'Order Completed', order([coffee], 12), at(8 * DAY))],
    other: (id) => [event(id, 'Order Completed', order([coffee], 12), at(12 * DAY)), event(id, 'Order Completed', order([coffee], 12), at(2 * DAY))],
  },
  {
    fact: 'trait',
    definition: { fact: 'trait.plan', op: 'eq', value: 'pro' },
    member: (id) => [
      { type: 'identify', messageId: uniqueId('m'), anonymousId: id, userId: `user-${id}`, traits: { plan: 'Pro', email: `${id}@example.com` } },
    ],
    other: (id) => [{ type: 'identify', messageId: uniqueId('m'), anonymousId: id, userId: `user-${id}`, traits: { plan: 'free' } }],
  },
];

describe('each fact, events in and membership out', () => {
  for (const c of CASES) {
    it(c.fact, async () => {
      const writeKey = await createSite();
      const id = 'audience';
      expect((await defineAudience(writeKey, id, c.definition)).status).toBe('ready');
      const [inId, outId] = [uniqueId('in'), uniqueId('out')];
      await send(writeKey, c.member(inId), c.memberGeo);
      await send(writeKey, c.other(outId), c.otherGeo);
      const inside = await profileOf(writeKey, inId);
      const outside = await profileOf(writeKey, outId);
      expect(await memberIds(writeKey, id)).toEqual([inside.profileId]);
      expect(inside.audiences).toEqual([{ id, name: id, enteredAt: expect.any(String) }]);
      expect(outside.audiences).toEqual([]);
    });
  }
});

describe('RFM quintile scores within the site', () => {
  it('scores each customer against the site, and re-scores only those a moved boundary crosses', async () => {
    const writeKey = await createSite();
    // Five customers with 1…5 orders of 40: one per quintile of frequency and of spend.
    const customers = [1, 2, 3, 4, 5].map((n) => ({ id: uniqueId(`c${n}`), n }));
    for (const { id, n } of customers) {
      await send(
        writeKey,
        Array.from({ length: n }, (_, i) => event(id, 'Order Completed', order([stove], 40), at((n - i) * DAY))),
      );
    }
    await defineAudience(writeKey, 'frequent', { fact: 'rfm.frequency', op: 'gte', value: 4 });
    await defineAudience(writeKey, 'big', { fact: 'rfm.monetary', op: 'eq', value: 5 });
    await defineAudience(writeKey, 'recent', { fact: 'rfm.recency', op: 'eq', value: 5 });
    const profileIds = new Map<number, string>();
    for (const { id, n } of customers) profileIds.set(n, (await profileOf(writeKey, id)).profileId);
    expect(await memberIds(writeKey, 'frequent')).toEqual([profileIds.get(4), profileIds.get(5)].sort());
    expect(await memberIds(writeKey, 'big')).toEqual([profileIds.get(5)]);
    // Every latest order was a day ago: equally recent customers share the middle score, none is in the top one.
    expect(await memberIds(writeKey, 'recent')).toEqual([]);
    expect((await profileOf(writeKey, customers[4]!.id)).facts).toMatchObject({ 'rfm.frequency': 5, 'rfm.monetary': 5, 'rfm.recency': 3, orders: 5 });

    // Five new customers with 8 orders each: 4 or 5 orders is no longer near the top.
    for (let k = 0; k < 5; k++) {
      const id = uniqueId('big');
      await send(
        writeKey,
        Array.from({ length: 8 }, (_, i) => event(id, 'Order Completed', order([stove], 40), at((8 - i) * DAY))),
      );
    }
    const refreshed = await refreshRfm(env, writeKey);
    expect(refreshed.changed).toBe(true);
    // Every customer but the one with a single order lies between an old cut and its new place: only they are evaluated again.
    expect(refreshed.queued).toBe(9);
    await settle(writeKey);
    const frequent = await memberIds(writeKey, 'frequent');
    expect(frequent).toHaveLength(5);
    expect(frequent).not.toContain(profileIds.get(4));
    expect(frequent).not.toContain(profileIds.get(5));
    // Unchanged boundaries cost nothing.
    expect(await refreshRfm(env, writeKey)).toMatchObject({ changed: false, queued: 0 });
  });
});
