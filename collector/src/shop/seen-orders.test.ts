import type { StoredMessage } from '@trailmark/schema';
import { describe, expect, it } from 'vitest';
import { migrate } from '../lib/migrate';
import type { Sql } from '../lib/sql';
import { openSqlJs } from '../lib/sqljs-sql';
import { storedTrack } from '../recommend/test-fixtures';
import { SHOP_MIGRATIONS } from '../schema-steps/shop-state';
import { orderIdOf, SeenOrders } from './seen-orders';

const at = Date.parse('2026-03-01T10:00:00Z');
const order = (properties: Record<string, unknown>, event = 'Order Completed'): StoredMessage =>
  storedTrack({ ids: { anonymousId: 'a' }, event, properties, atMs: at, messageId: 'm1' });

describe('orderIdOf: the key an order counts under', () => {
  it('is the order_id of an Order Completed, trimmed', () => {
    expect(orderIdOf(order({ order_id: ' 1001 ' }))).toBe('1001');
  });

  it('reads a numeric order_id as its decimal text: the tag and the server name the same order', () => {
    expect(orderIdOf(order({ order_id: 1001 }))).toBe(orderIdOf(order({ order_id: '1001' })));
  });

  it('is none without a usable order_id, for other events and for bots: those count as before', () => {
    expect(orderIdOf(order({}))).toBeUndefined();
    expect(orderIdOf(order({ order_id: '  ' }))).toBeUndefined();
    expect(orderIdOf(order({ order_id: Number.NaN }))).toBeUndefined();
    expect(orderIdOf(order({ order_id: { id: 1 } }))).toBeUndefined();
    expect(orderIdOf(order({ order_id: '1001' }, 'Checkout Started'))).toBeUndefined();
    const bot = order({ order_id: '1001' });
    expect(orderIdOf({ ...bot, context: { ...bot.context, bot: true } } as StoredMessage)).toBeUndefined();
  });

  it('cuts a very long id to a bounded key', () => {
    expect(orderIdOf(order({ order_id: 'x'.repeat(1000) }))).toHaveLength(200);
  });
});

/** A ShopState's SQLite with some browsers' links, and every statement run on it counted. */
async function claims(links: Record<string, string> = {}) {
  const { sql: inner, counters } = await openSqlJs();
  migrate(inner, SHOP_MIGRATIONS);
  for (const [anonymousId, profileId] of Object.entries(links))
    inner.exec("INSERT INTO identities (id_kind, id, profile_id) VALUES ('anonymous', ?, ?)", anonymousId, profileId);
  const statements: string[] = [];
  const sql: Sql = { exec: (query, ...bindings) => (statements.push(query), inner.exec(query, ...bindings)) };
  return { orders: new SeenOrders(sql), sql: inner, counters, statements };
}

describe('SeenOrders: an order id claimed per person', () => {
  it("counts a person's order once, and another person's copy of the id for them", async () => {
    const { orders } = await claims({ attacker: 'p-attacker', shopper: 'p-shopper' });
    const first = orders.forBatch([{ orderId: '1001', anonymousId: 'attacker' }]);
    expect(first.repeated('1001', 'p-attacker')).toBe(false);
    first.record();

    const batch = [
      { orderId: '1001', anonymousId: 'shopper' },
      { orderId: '1001', anonymousId: 'shopper' },
      { orderId: '1001', anonymousId: 'attacker' },
    ];
    const second = orders.forBatch(batch);
    expect(batch.map((item, i) => second.repeated(item.orderId, ['p-shopper', 'p-shopper', 'p-attacker'][i]!))).toEqual([false, true, true]);
    second.record();
    expect(orders.claimedBy('1001', 'p-shopper')).toBe(true);
    expect(orders.claimedBy('1002', 'p-shopper')).toBe(false);
  });

  it('reads one query and writes one statement per batch, and reads only the claims of the batch’s people', async () => {
    const many = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`a${i}`, `p${i}`]));
    const { orders, counters, statements } = await claims({ ...many, shopper: 'p-shopper' });
    const flood = orders.forBatch(Object.keys(many).map((anonymousId) => ({ orderId: '1001', anonymousId })));
    Object.values(many).forEach((profileId) => flood.repeated('1001', profileId));
    flood.record();

    statements.length = 0;
    const readBefore = counters.rowsRead;
    const batch = orders.forBatch([{ orderId: '1001', anonymousId: 'shopper' }, { anonymousId: 'a7' }]);
    expect(batch.repeated('1001', 'p-shopper')).toBe(false);
    batch.record();
    expect(statements).toHaveLength(2);
    // Of the 300 claims on 1001, only a7's: someone who sends the id a thousand times costs the shopper nothing.
    expect(counters.rowsRead - readBefore).toBe(1);

    statements.length = 0;
    const noOrders = orders.forBatch([{ anonymousId: 'shopper' }]);
    expect(noOrders.repeated(undefined, 'p-shopper')).toBe(false);
    noOrders.record();
    expect(statements).toEqual([]);
  });

  it('moves claims with a merge: stored ones, and those of the batch being applied', async () => {
    const { orders, sql } = await claims({ phone: 'p-phone', laptop: 'p-laptop' });
    sql.exec("INSERT INTO identities (id_kind, id, profile_id) VALUES ('user', 'ann', 'p-ann')");
    const before = orders.forBatch([
      { orderId: 'o-1', anonymousId: 'phone' },
      { orderId: 'o-1', userId: 'ann' },
    ]);
    // Two copies of o-1 before the phone joined the customer: two people then, each counted it.
    expect([before.repeated('o-1', 'p-phone'), before.repeated('o-1', 'p-ann')]).toEqual([false, false]);
    before.record();
    // The phone joins the customer: its stored claim goes along.
    orders.move('p-phone', 'p-ann');

    // One batch: the laptop's tag sends o-2, the laptop joins the customer, whose server sends o-1 and o-2.
    const batch = orders.forBatch([
      { orderId: 'o-2', anonymousId: 'laptop' },
      { anonymousId: 'laptop', userId: 'ann' },
      { orderId: 'o-1', userId: 'ann' },
      { orderId: 'o-2', userId: 'ann' },
    ]);
    expect(batch.repeated('o-2', 'p-laptop')).toBe(false);
    orders.move('p-laptop', 'p-ann');
    expect(batch.repeated('o-1', 'p-ann')).toBe(true);
    expect(batch.repeated('o-2', 'p-ann')).toBe(true);
    batch.record();
    expect(sql.exec('SELECT order_id, profile_id FROM order_claims ORDER BY order_id').toArray()).toEqual([
      { order_id: 'o-1', profile_id: 'p-ann' },
      { order_id: 'o-2', profile_id: 'p-ann' },
    ]);

    orders.forget(['p-ann', 'p-phone', 'p-laptop']);
    expect(sql.exec('SELECT order_id FROM order_claims').toArray()).toEqual([]);
  });

  it('keeps each id counted before claims were per person, with the profile its first copy went to as it is now', async () => {
    const { sql } = await openSqlJs();
    migrate(sql, SHOP_MIGRATIONS.slice(0, 9));
    sql.exec("INSERT INTO seen_orders (order_id, profile_id) VALUES ('1001', 'p-browser'), ('1002', 'p-other')");
    sql.exec("INSERT INTO merged_profiles (from_profile, to_profile) VALUES ('p-browser', 'p-ann')");
    migrate(sql, SHOP_MIGRATIONS);
    expect(sql.exec('SELECT order_id, profile_id FROM order_claims ORDER BY order_id').toArray()).toEqual([
      { order_id: '1001', profile_id: 'p-ann' },
      { order_id: '1002', profile_id: 'p-other' },
    ]);
    expect(sql.exec("SELECT name FROM sqlite_master WHERE name LIKE 'seen_orders%'").toArray()).toEqual([]);
  });
});
