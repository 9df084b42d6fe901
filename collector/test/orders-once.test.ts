/**
 * An order counts once per order_id (Segment's `Order Completed`: order_id
 * is the order's key). The browser tag and the shop's server often both
 * send it, as two messages with two messageIds; a thank-you page reloaded
 * sends it again. Every copy stays in the event log and the export as
 * received, and only the first counts: in the profile and its audience
 * facts, the statistics, the recommendation slots' credit and a campaign's
 * conversions and revenue. Once per person: a copy sent under the same
 * order_id by someone else (a guessed order number) counts for them and
 * takes nothing from the shopper. Erasing the customer forgets their order ids.
 */
import { SELF, env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { identityDirectoryStub } from '../src/identity/identity-directory';
import { ADMIN, BASE, createSite, exportEvents, uniqueId } from './support/collector';
import { defineAudience, event, memberIds, profileOf, send } from './support/audiences';
import { putCampaign, report, settle } from './support/campaigns';

const TENT = { product_id: 'tent-1', category: 'Outdoor > Tents', price: 120 };
const STOVE = { product_id: 'stove-1', category: 'Outdoor > Stoves', price: 30 };
const USD = (amount: number) => [{ currency: 'USD', amount }];

async function get(path: string): Promise<Record<string, any>> {
  const res = await SELF.fetch(`${BASE}${path}`, { headers: ADMIN });
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** The order ids counted, one per person who counted it: in ShopState, or in the identity directory where profiles live in shards. */
const seenOrders = (writeKey: string, profileShards: number) =>
  runInDurableObject(profileShards > 0 ? identityDirectoryStub(env, writeKey) : env.SHOP_STATE.getByName(writeKey), (_: unknown, state) =>
    state.storage.sql
      .exec<{ order_id: string }>('SELECT order_id FROM order_claims ORDER BY order_id')
      .toArray()
      .map((r) => r.order_id),
  );

const order = (orderId: string, ids: { anonymousId?: string; userId?: string }, products = [TENT, STOVE], total = 150) => ({
  type: 'track',
  event: 'Order Completed',
  messageId: uniqueId('msg'),
  timestamp: new Date().toISOString(),
  properties: { order_id: orderId, total, currency: 'USD', products },
  ...ids,
});

describe('an order sent twice (two messageIds, one order_id)', () => {
  it('from two browsers of a customer and from the shop server: stored three times, counted once everywhere', async () => {
    const writeKey = await createSite();
    await defineAudience(writeKey, 'tents', { fact: 'viewedCategory', category: 'Outdoor > Tents', withinMinutes: 600, op: 'gte', value: 1 });
    await defineAudience(writeKey, 'repeat-buyers', { fact: 'orders', op: 'gte', value: 2 });
    await send(writeKey, [
      { type: 'identify', messageId: uniqueId('msg'), anonymousId: 'phone', userId: 'ann', timestamp: new Date().toISOString() },
      { type: 'identify', messageId: uniqueId('msg'), anonymousId: 'laptop', userId: 'ann', timestamp: new Date().toISOString() },
      event('phone', 'Product Viewed', TENT, { userId: 'ann' }),
    ]);
    const campaign = await putCampaign(writeKey, 'trail', {
      name: 'Trail',
      audienceId: 'tents',
      goal: { event: 'Order Completed' },
      windowDays: 3,
      costPerContact: 0.5,
    });
    expect(campaign.status).toBe(200);
    await settle(writeKey);
    // The tent came from a recommendation: the order's tent is credited to the slot.
    const slot = { rec_id: 'r1', slot: 'home', variant: 'treatment', product_id: TENT.product_id };
    await send(writeKey, [
      event('phone', 'Recommendation Viewed', { slot: 'home', variant: 'treatment', product_ids: [TENT.product_id] }, { userId: 'ann' }),
      event('phone', 'Recommendation Clicked', slot, { userId: 'ann' }),
    ]);

    // The phone's tag sends the order; then the laptop's tag (the page restored there) and the shop's server, in one drain.
    await send(writeKey, [order('A-1001', { anonymousId: 'phone', userId: 'ann' })]);
    await send(writeKey, [order('A-1001', { anonymousId: 'laptop', userId: 'ann' }), order('A-1001', { userId: 'ann' })]);

    const exported = (await exportEvents(writeKey)).filter((e) => e.event === 'Order Completed');
    expect(exported.map((e) => e.properties.order_id)).toEqual(['A-1001', 'A-1001', 'A-1001']);
    expect(new Set(exported.map((e) => e.messageId)).size).toBe(3);
    // Only the counted copy carries the slot's credit.
    expect(exported.map((e) => e.context.attribution?.length ?? 0)).toEqual([1, 0, 0]);

    const profile = await profileOf(writeKey, 'ann');
    expect(profile.counts.orders).toBe(1);
    expect(profile.revenue).toBe(150);
    expect(profile.orders).toHaveLength(1);
    expect(profile.facts).toMatchObject({ orders: 1, revenue: 150 });
    await settle(writeKey);
    expect(await memberIds(writeKey, 'repeat-buyers')).toEqual([]);

    const overview = await get(`/v1/admin/stats/overview?writeKey=${writeKey}`);
    expect(overview.current).toMatchObject({ shoppers: 1, orders: 1, revenue: USD(150) });
    const home = (await get(`/v1/admin/stats/slots?writeKey=${writeKey}`)).slots.find((s: { slot: string }) => s.slot === 'home');
    expect(home.treatment).toMatchObject({ creditedOrders: 1, creditedSales: USD(120), converted: 1, revenue: 150 });
    const summary = await get(`/v1/admin/stats?writeKey=${writeKey}`);
    const units = summary.regions.flatMap((r: { topProducts: { productId: string; units: number }[] }) => r.topProducts);
    expect(units.find((p: { productId: string }) => p.productId === TENT.product_id)?.units).toBe(1);

    const counted = await report(writeKey, 'trail');
    expect(counted.groups.treatment.members + counted.groups.control.members).toBe(1);
    expect(counted.groups.treatment.converted + counted.groups.control.converted).toBe(1);
    expect(counted.groups.treatment.revenue + counted.groups.control.revenue).toBeCloseTo(150, 6);

    // A second, different order counts as ever.
    await send(writeKey, [order('A-1002', { anonymousId: 'laptop', userId: 'ann' }, [STOVE], 30)]);
    const after = await profileOf(writeKey, 'ann');
    expect(after.counts.orders).toBe(2);
    expect(after.revenue).toBe(180);
    await settle(writeKey);
    expect(await memberIds(writeKey, 'repeat-buyers')).toEqual([after.profileId]);
    expect((await get(`/v1/admin/stats/overview?writeKey=${writeKey}`)).current).toMatchObject({ orders: 2, revenue: USD(180) });
    const again = await report(writeKey, 'trail');
    expect(again.groups.treatment.revenue + again.groups.control.revenue).toBeCloseTo(180, 6);
  });

  for (const profileShards of [0, 2]) {
    it(`from one browser (a thank-you page reloaded): counted once, every copy exported (profileShards ${profileShards})`, async () => {
      const writeKey = await createSite({ settings: { profileShards } });
      const shopper = uniqueId('s');
      await send(writeKey, [order('B-7', { anonymousId: shopper })]);
      await send(writeKey, [order('B-7', { anonymousId: shopper })]);
      // A numeric order_id is the same order as its text.
      await send(writeKey, [{ ...order('B-7', { anonymousId: shopper }), properties: { order_id: 7, total: 150, currency: 'USD' } }]);
      await send(writeKey, [{ ...order('B-7', { anonymousId: shopper }), properties: { order_id: '7', total: 150, currency: 'USD' } }]);

      expect((await exportEvents(writeKey)).filter((e) => e.event === 'Order Completed')).toHaveLength(4);
      const profile = await profileOf(writeKey, shopper);
      expect(profile.counts.orders).toBe(2);
      expect(profile.revenue).toBe(300);
      expect((await get(`/v1/admin/stats/overview?writeKey=${writeKey}`)).current).toMatchObject({ orders: 2, revenue: USD(300) });
    });

    it(`keeps no order id of an erased customer, and erasing a repeat takes nothing more out of the statistics (profileShards ${profileShards})`, async () => {
      const writeKey = await createSite({ settings: { profileShards } });
      await send(writeKey, [order('C-1', { anonymousId: 'kept' }), order('C-2', { anonymousId: 'gone', userId: 'zed' })]);
      await send(writeKey, [order('C-2', { userId: 'zed' }), order('C-1', { anonymousId: 'kept' })]);
      expect(await seenOrders(writeKey, profileShards)).toEqual(['C-1', 'C-2']);
      const before = (await get(`/v1/admin/stats/overview?writeKey=${writeKey}`)).current;
      expect(before).toMatchObject({ orders: 2, revenue: USD(300) });

      const res = await SELF.fetch(`${BASE}/v1/admin/users/zed?writeKey=${writeKey}`, { method: 'DELETE', headers: ADMIN });
      expect(res.status).toBe(200);
      expect(await seenOrders(writeKey, profileShards)).toEqual(['C-1']);
      expect((await get(`/v1/admin/stats/overview?writeKey=${writeKey}`)).current).toMatchObject({ orders: 1, revenue: USD(150) });
      const summary = await get(`/v1/admin/stats?writeKey=${writeKey}`);
      const tents = summary.regions
        .flatMap((r: { topProducts: { productId: string; units: number }[] }) => r.topProducts)
        .filter((p: { productId: string }) => p.productId === TENT.product_id);
      expect(tents.reduce((sum: number, p: { units: number }) => sum + p.units, 0)).toBe(1);
    });
  }

  for (const profileShards of [0, 2]) {
    it(`from the tag before the browser identified and from the server under the userId: counted once (profileShards ${profileShards})`, async () => {
      const writeKey = await createSite({ settings: { profileShards } });
      const now = () => new Date().toISOString();
      const identify = (anonymousId: string, userId: string) => ({ type: 'identify', messageId: uniqueId('msg'), anonymousId, userId, timestamp: now() });
      // A new customer: the browser's profile becomes theirs.
      await send(writeKey, [order('E-1', { anonymousId: 'a-laptop' })]);
      await send(writeKey, [identify('a-laptop', 'ann')]);
      await send(writeKey, [order('E-1', { userId: 'ann' })]);
      // A known customer: the browser's profile (and its claim) merges into theirs; the server sends with and without the anonymousId.
      await send(writeKey, [identify('b-phone', 'bob')]);
      await send(writeKey, [order('E-2', { anonymousId: 'b-laptop' })]);
      await send(writeKey, [identify('b-laptop', 'bob')]);
      await send(writeKey, [order('E-2', { userId: 'bob' }), order('E-2', { userId: 'bob', anonymousId: 'b-laptop' })]);
      // The same in one drain.
      await send(writeKey, [identify('c-phone', 'cat')]);
      await send(writeKey, [order('E-3', { anonymousId: 'c-laptop' }), identify('c-laptop', 'cat'), order('E-3', { userId: 'cat' })]);
      // The server first: with the browser's anonymousId, or after the browser identified.
      await send(writeKey, [order('E-4', { userId: 'dan', anonymousId: 'd-laptop' })]);
      await send(writeKey, [order('E-4', { anonymousId: 'd-laptop' })]);
      await send(writeKey, [identify('e-phone', 'eve'), identify('e-laptop', 'eve')]);
      await send(writeKey, [order('E-5', { userId: 'eve' })]);
      await send(writeKey, [order('E-5', { anonymousId: 'e-laptop' })]);

      expect((await exportEvents(writeKey)).filter((e) => e.event === 'Order Completed')).toHaveLength(11);
      for (const person of ['ann', 'bob', 'cat', 'dan', 'eve']) {
        const profile = await profileOf(writeKey, person);
        expect(profile.counts.orders, person).toBe(1);
        expect(profile.revenue, person).toBe(150);
      }
      expect(await seenOrders(writeKey, profileShards)).toEqual(['E-1', 'E-2', 'E-3', 'E-4', 'E-5']);
      expect((await get(`/v1/admin/stats/overview?writeKey=${writeKey}`)).current).toMatchObject({ orders: 5, revenue: USD(750) });
    });

    it(`counts the real shopper's order when someone sent its id first (profileShards ${profileShards})`, async () => {
      const writeKey = await createSite({ settings: { profileShards } });
      // Anyone holding the public write key can guess the shop's next order number and send it first.
      await send(writeKey, [order('1001', { anonymousId: 'attacker' }, [STOVE], 30)]);
      await send(writeKey, [order('1001', { anonymousId: 'shopper' })]);
      // The shop's server sends the real order too, with the browser's anonymousId (as Segment advises).
      await send(writeKey, [order('1001', { userId: 'sue', anonymousId: 'shopper' })]);

      expect((await exportEvents(writeKey)).filter((e) => e.event === 'Order Completed')).toHaveLength(3);
      const shopper = await profileOf(writeKey, 'sue');
      expect(shopper.counts.orders).toBe(1);
      expect(shopper.revenue).toBe(150);
      // The attacker's order counts in the attacker's own profile, as any made-up order of theirs would.
      expect((await profileOf(writeKey, 'attacker')).counts.orders).toBe(1);
      expect(await seenOrders(writeKey, profileShards)).toEqual(['1001', '1001']);
      expect((await get(`/v1/admin/stats/overview?writeKey=${writeKey}`)).current).toMatchObject({ shoppers: 2, orders: 2, revenue: USD(180) });
    });
  }

  it("credits the real shopper's campaign conversion when someone sent the order id first", async () => {
    const writeKey = await createSite();
    await defineAudience(writeKey, 'tents', { fact: 'viewedCategory', category: 'Outdoor > Tents', withinMinutes: 600, op: 'gte', value: 1 });
    await send(writeKey, [event('shopper', 'Product Viewed', TENT)]);
    expect((await putCampaign(writeKey, 'trail', { name: 'Trail', audienceId: 'tents', goal: { event: 'Order Completed' }, windowDays: 3 })).status).toBe(200);
    await settle(writeKey);
    await send(writeKey, [order('1001', { anonymousId: 'attacker' }, [STOVE], 30)]);
    await send(writeKey, [order('1001', { anonymousId: 'shopper' })]);
    await settle(writeKey);
    const counted = await report(writeKey, 'trail');
    expect(counted.groups.treatment.members + counted.groups.control.members).toBe(1);
    expect(counted.groups.treatment.converted + counted.groups.control.converted).toBe(1);
    expect(counted.groups.treatment.revenue + counted.groups.control.revenue).toBeCloseTo(150, 6);
  });

  it('from two browsers and the server of a site whose profiles live in shards, and across the move there', async () => {
    const writeKey = await createSite();
    await send(writeKey, [
      { type: 'identify', messageId: uniqueId('msg'), anonymousId: 'phone', userId: 'ann', timestamp: new Date().toISOString() },
      { type: 'identify', messageId: uniqueId('msg'), anonymousId: 'laptop', userId: 'ann', timestamp: new Date().toISOString() },
      order('D-1', { anonymousId: 'phone', userId: 'ann' }),
    ]);
    // The order ids counted move with the graph.
    const settings = await SELF.fetch(`${BASE}/v1/admin/sites/${writeKey}`, {
      method: 'PUT',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify({ settings: { profileShards: 2 } }),
    });
    expect(settings.status).toBe(200);
    await env.SHOP_STATE.getByName(writeKey).moveProfilesToShards(2);
    expect(await seenOrders(writeKey, 2)).toEqual(['D-1']);

    await send(writeKey, [order('D-1', { anonymousId: 'laptop', userId: 'ann' }), order('D-1', { userId: 'ann' })]);
    await send(writeKey, [order('D-2', { anonymousId: 'laptop', userId: 'ann' }, [STOVE], 30), order('D-2', { userId: 'ann' }, [STOVE], 30)]);
    expect((await exportEvents(writeKey)).filter((e) => e.event === 'Order Completed')).toHaveLength(5);
    const profile = await profileOf(writeKey, 'ann');
    expect(profile.counts.orders).toBe(2);
    expect(profile.revenue).toBe(180);
    expect((await get(`/v1/admin/stats/overview?writeKey=${writeKey}`)).current).toMatchObject({ shoppers: 1, orders: 2, revenue: USD(180) });
  });
});
