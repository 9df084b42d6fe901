/**
 * Time conditions change membership when their threshold is crossed, with
 * no new event and no scan: the profile host keeps each profile's next due
 * time, sets its alarm to the earliest, and evaluates only the profiles due.
 * The host's clock is moved by hand and its alarm run with
 * runDurableObjectAlarm, as if the time had come.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { ShopState } from '../src/shop/shop-state';
import { createSite, uniqueId } from './support/collector';
import { DAY, MIN, defineAudience, event, memberIds, profileOf, runAlarm, send, setClock, settle } from './support/audiences';

const tent = { product_id: 'tent-1', category: 'Outdoor > Tents', price: 120 };
const coffee = { product_id: 'coffee-1', category: 'Grocery > Coffee', price: 12 };

async function alarmAt(writeKey: string): Promise<number | null> {
  return runInDurableObject(env.SHOP_STATE.getByName(writeKey), (_: ShopState, state) => state.storage.getAlarm());
}

/** Moves the host's clock to `at`, runs the alarm the time would have fired, and settles. */
async function timePasses(writeKey: string, to: number): Promise<void> {
  await setClock(writeKey, to);
  await runAlarm(writeKey);
  await settle(writeKey);
}

describe('threshold crossings on the clock', () => {
  it('a cart left alone enters "idle 30 minutes" when the 30th minute passes, and leaves with the order', async () => {
    const writeKey = await createSite();
    await defineAudience(writeKey, 'idle', { fact: 'cartIdleMinutes', op: 'gte', value: 30 });
    const shopper = uniqueId('cart');
    const addedAt = Date.now() - 2 * MIN;
    await send(writeKey, [event(shopper, 'Product Added', tent, { timestamp: new Date(addedAt).toISOString() })]);
    const { profileId } = await profileOf(writeKey, shopper);
    expect(await memberIds(writeKey, 'idle')).toEqual([]);
    // The alarm waits for exactly the moment the cart has been idle 30 minutes.
    expect(await alarmAt(writeKey)).toBe(addedAt + 30 * MIN);

    await timePasses(writeKey, addedAt + 30 * MIN - 1);
    expect(await memberIds(writeKey, 'idle')).toEqual([]);
    await timePasses(writeKey, addedAt + 30 * MIN);
    expect(await memberIds(writeKey, 'idle')).toEqual([profileId]);
    const [entered] = (await profileOf(writeKey, shopper)).audiences;
    expect(Date.parse(entered.enteredAt)).toBe(addedAt + 30 * MIN);

    await send(writeKey, [event(shopper, 'Order Completed', { order_id: 'o1', total: 120, products: [tent] })]);
    expect(await memberIds(writeKey, 'idle')).toEqual([]);
    await settle(writeKey);
    // Nothing left that time alone can change: no alarm for this shopper.
    expect(await alarmAt(writeKey)).toBeNull();
  });

  it('"no visit for 30 days" and "due to reorder in 3 days" come true on their day, with no event', async () => {
    const writeKey = await createSite();
    await defineAudience(writeKey, 'gone', { fact: 'lastSeenDays', op: 'gt', value: 30 });
    await defineAudience(writeKey, 'reorder', { fact: 'reorderDueDays', op: 'lte', value: 3 });
    const shopper = uniqueId('habit');
    const now = Date.now();
    // Coffee every 10 days, the last one today: due in 10 days, "within 3" from day 7.
    await send(writeKey, [
      event(shopper, 'Order Completed', { order_id: 'o1', total: 12, products: [coffee] }, { timestamp: new Date(now - 10 * DAY).toISOString() }),
      event(shopper, 'Order Completed', { order_id: 'o2', total: 12, products: [coffee] }, { timestamp: new Date(now).toISOString() }),
    ]);
    const { profileId, lastSeen } = await profileOf(writeKey, shopper);
    const last = Date.parse(lastSeen);
    expect(await alarmAt(writeKey)).toBe(last + 7 * DAY);

    await timePasses(writeKey, last + 7 * DAY - MIN);
    expect(await memberIds(writeKey, 'reorder')).toEqual([]);
    await timePasses(writeKey, last + 7 * DAY);
    expect(await memberIds(writeKey, 'reorder')).toEqual([profileId]);
    expect(await memberIds(writeKey, 'gone')).toEqual([]);

    // 31 whole days without a visit: gone; and the cycle, overdue by a whole interval, no longer counts.
    await timePasses(writeKey, last + 31 * DAY);
    expect(await memberIds(writeKey, 'gone')).toEqual([profileId]);
    expect(await memberIds(writeKey, 'reorder')).toEqual([]);
    expect((await profileOf(writeKey, shopper)).facts).toMatchObject({ lastSeenDays: 31, lifecycle: 'sleeping' });
  });

  it('a shopper browsing a category now leaves "viewed in the last 30 minutes" when the view grows old', async () => {
    const writeKey = await createSite();
    await defineAudience(writeKey, 'tents-now', { fact: 'viewedCategory', category: 'Outdoor > Tents', withinMinutes: 30, op: 'gte', value: 1 });
    const shopper = uniqueId('browser');
    const viewedAt = Date.now();
    await send(writeKey, [event(shopper, 'Product Viewed', tent, { timestamp: new Date(viewedAt).toISOString() })]);
    expect(await memberIds(writeKey, 'tents-now')).toHaveLength(1);
    await timePasses(writeKey, viewedAt + 30 * MIN);
    expect(await memberIds(writeKey, 'tents-now')).toEqual([]);
  });

  it('wakes only the profiles whose time has come: a wake-up costs the due profiles, not the shop', async () => {
    const writeKey = await createSite();
    await defineAudience(writeKey, 'idle', { fact: 'cartIdleMinutes', op: 'gte', value: 30 });
    await defineAudience(writeKey, 'bavaria', { fact: 'region', op: 'eq', value: 'Bavaria' });
    const base = Date.now();
    // 40 shoppers with carts changed a minute apart, and 40 who only browse.
    const carts = Array.from({ length: 40 }, (_, i) =>
      event(uniqueId('cart'), 'Product Added', tent, { timestamp: new Date(base - 40 * MIN + i * MIN).toISOString() }),
    );
    const browsers = Array.from({ length: 40 }, () => event(uniqueId('view'), 'Product Viewed', tent));
    await send(writeKey, [...carts, ...browsers]);
    // The first ten carts are idle for 30 minutes already; the rest become so one minute after another.
    await settle(writeKey);
    expect(await memberIds(writeKey, 'idle')).toHaveLength(11);
    const due = await runInDurableObject(
      env.SHOP_STATE.getByName(writeKey),
      (_: ShopState, state) => state.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM audience_due').one().n,
    );
    // Only the carts not yet idle wait for a wake-up; the browsers and the idle carts have nothing due.
    expect(due).toBe(29);
    await timePasses(writeKey, base + 5 * MIN);
    expect(await memberIds(writeKey, 'idle')).toHaveLength(16);
  });
});
