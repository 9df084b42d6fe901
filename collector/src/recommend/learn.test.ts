import { describe, expect, it } from 'vitest';
import type { StoredMessage } from '@trailmark/schema';
import { DAY_MS } from '../lib/decay';
import { migrate } from '../lib/migrate';
import { openSqlJs } from '../lib/sqljs-sql';
import { applyEvent } from '../profiles/apply-event';
import { newProfile, type Profile } from '../profiles/profile';
import { SHOP_MIGRATIONS } from '../shop/shop-model';
import { AggregateStore, scope } from './aggregate-store';
import { learnFromEvent } from './learn';
import { storedTrack } from './test-fixtures';

const T0 = Date.UTC(2026, 3, 1, 9);
const BAVARIA = 'DE/Bavaria';
let n = 0;

function message(event: string, properties: Record<string, unknown>, at: number): StoredMessage {
  return storedTrack({ ids: { anonymousId: 'x' }, event, properties, atMs: at, messageId: `m${n++}` });
}
const view = (id: string, at = T0) => message('Product Viewed', { product_id: id }, at);
const order = (ids: string[], at = T0, quantity = 1) =>
  message('Order Completed', { order_id: `o${n}`, products: ids.map((id) => ({ product_id: id, price: 10, quantity })) }, at);

async function shop() {
  const { sql, transaction } = await openSqlJs();
  migrate(sql, SHOP_MIGRATIONS);
  const aggregates = new AggregateStore(sql);
  const profiles = new Map<string, Profile>();
  /** What ShopModel does per event: the shopper's profile says what changed, the aggregates learn what counts. */
  const send = (shopper: string, messages: StoredMessage[]) =>
    transaction(() => {
      aggregates.begin();
      let profile = profiles.get(shopper);
      if (!profile) profiles.set(shopper, (profile = newProfile(shopper, T0)));
      for (const m of messages) learnFromEvent(aggregates, applyEvent(profile, m), { atMs: Date.parse(m.timestamp), region: BAVARIA });
      aggregates.flush();
    });
  return { aggregates, send };
}

const top = (aggregates: AggregateStore, name: string) => aggregates.top(name, 10).map((s) => s.productId);

describe('one shopper’s weight in the shop-wide aggregates', () => {
  it('a burst of orders from one browser counts as one buyer, whatever the quantities', async () => {
    const { aggregates, send } = await shop();
    for (let i = 0; i < 3; i++) send(`local-${i}`, [order(['stein'])]);
    send(
      'attacker',
      Array.from({ length: 50 }, (_, i) => order(['fake'], T0 + i * 1000, 1000)),
    );
    for (const name of [scope.region(BAVARIA), scope.trendingRegion(BAVARIA), scope.soldRegion(BAVARIA), scope.all, scope.soldAll]) {
      expect(top(aggregates, name), name).toEqual(['stein', 'fake']);
    }
    // The next day the same browser counts once more: at most once a day.
    send('attacker', [order(['fake'], T0 + DAY_MS)]);
    expect(aggregates.totals(['fake', 'stein'])).toEqual(
      new Map([
        ['fake', { views: 0, buys: 2 }],
        ['stein', { views: 0, buys: 3 }],
      ]),
    );
  });

  it('views repeated by one browser count once a day, and so do the co-views they make', async () => {
    const { aggregates, send } = await shop();
    for (let i = 0; i < 3; i++) send(`honest-${i}`, [view('tent', T0 + i), view('stove', T0 + i + 1)]);
    const burst = Array.from({ length: 100 }, (_, i) => view(i % 2 ? 'fake' : 'tent', T0 + i * 1000));
    send('attacker', burst);
    expect(top(aggregates, scope.all)).toEqual(['tent', 'stove', 'fake']);
    const alsoViewed = aggregates.neighbours('v', 'tent', 10);
    expect(alsoViewed.map((s) => s.productId)).toEqual(['stove', 'fake']);
    expect(alsoViewed[1]!.score).toBe(1);
  });

  it('an order naming a product twice counts it once, and links a basket of at most 20 products', async () => {
    const { aggregates, send } = await shop();
    send('a', [order(['x', 'x', 'y'])]);
    expect(aggregates.neighbours('b', 'x', 10)).toEqual([{ productId: 'y', score: 1 }]);
    expect(aggregates.totals(['x'])).toEqual(new Map([['x', { views: 0, buys: 1 }]]));
    send('b', [order(Array.from({ length: 200 }, (_, i) => `item-${i}`))]);
    expect(aggregates.neighbours('b', 'item-0', 500)).toHaveLength(19);
  });
});
