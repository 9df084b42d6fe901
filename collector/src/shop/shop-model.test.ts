import type { StoredMessage } from '@trailmark/schema';
import { describe, expect, it } from 'vitest';
import { hashIds, idsOfMessage } from '../identity/suppression';
import { migrate } from '../lib/migrate';
import { openSqlJs } from '../lib/sqljs-sql';
import { storedTrack } from '../recommend/test-fixtures';
import { SHOP_MIGRATIONS, ShopModel, type IngestItem } from './shop-model';

async function model() {
  const { sql, transaction } = await openSqlJs();
  migrate(sql, SHOP_MIGRATIONS);
  const shop = new ShopModel(sql);
  return { shop, ingest: (items: IngestItem[]) => transaction(() => shop.ingest(items)) };
}

let n = 0;
const at = Date.parse('2026-03-01T10:00:00Z');
function track(ids: { anonymousId?: string; userId?: string }, event: string, properties: Record<string, unknown> = {}): StoredMessage {
  const atMs = at + n * 1000;
  return storedTrack({ ids, event, properties, atMs, messageId: `m${n++}` });
}
const identify = (anonymousId: string, userId: string) => ({ ...track({ anonymousId, userId }, ''), type: 'identify' }) as unknown as StoredMessage;
const item = (message: StoredMessage): IngestItem => ({ message, idHashes: [] });

describe('ShopModel: a message applied once, its outcome kept', () => {
  it('gives a retried batch the profile, the credits and the merge of the first attempt', async () => {
    const { ingest } = await model();
    ingest([item(identify('phone', 'ann'))]);
    const click = { rec_id: 'r1', slot: 'home', variant: 'treatment', product_id: 'tent' };
    const batch = [
      item(track({ anonymousId: 'laptop' }, 'Product Viewed', { product_id: 'tent' })),
      item(track({ anonymousId: 'laptop' }, 'Recommendation Clicked', click)),
      item(track({ anonymousId: 'laptop' }, 'Product Added', { product_id: 'tent', price: 120 })),
      item(identify('laptop', 'ann')),
      item(track({ anonymousId: 'laptop', userId: 'ann' }, 'Order Completed', { order_id: 'o1', products: [{ product_id: 'tent', price: 120 }] })),
    ];
    const first = ingest(batch);
    const credit = { recId: 'r1', slot: 'home', variant: 'treatment', productId: 'tent' };
    expect(first.attributions).toEqual([null, null, [credit], null, [credit]]);
    expect(first.merges).toHaveLength(1);
    expect(first.merges[0]!.from).toBe(first.profileIds[0]);

    // The event log failed to store it: the drain is retried. Nothing is applied twice, nothing is lost.
    const retry = ingest(batch);
    expect(retry).toEqual(first);
    const again = ingest(batch.slice(2, 3));
    expect(again.attributions).toEqual([[credit]]);
  });

  it('stores nothing of a retried message whose person was erased since', async () => {
    const { shop, ingest } = await model();
    const viewed = item(track({ anonymousId: 'gone' }, 'Product Viewed', { product_id: 'tent' }));
    expect(ingest([viewed]).profileIds[0]).toBeTruthy();
    const linked = shop.identities.linkedTo('gone')!;
    shop.identities.forget(linked.profileIds);
    expect(ingest([viewed]).profileIds).toEqual([null]);
  });

  it('suppresses an erased id within its kind: the same string as another kind of id is someone else', async () => {
    const { shop, ingest } = await model();
    const keyed = async (message: StoredMessage): Promise<IngestItem> => ({ message, idHashes: await hashIds('wk', idsOfMessage(message)) });
    const customer = await keyed(track({ anonymousId: 'c-browser', userId: 'same' }, 'Product Viewed', { product_id: 'p' }));
    const visitor = await keyed(track({ anonymousId: 'same' }, 'Product Viewed', { product_id: 'p' }));
    ingest([customer, visitor]);
    shop.suppress(await hashIds('wk', { anonymousIds: [], userIds: ['same'] }));
    const later = [await keyed(track({ anonymousId: 'x', userId: 'same' }, 'Page')), await keyed(track({ anonymousId: 'same' }, 'Page'))];
    const outcome = ingest(later);
    expect(outcome.profileIds[0]).toBeNull();
    expect(outcome.profileIds[1]).toBe(shop.profileIdOf({ anonymousId: 'same' }));
    // A late retry of the customer's message, applied before: stored nowhere either.
    expect(ingest([customer]).profileIds).toEqual([null]);
  });

  it('keeps suppressing ids erased before kinds were kept, as either kind', async () => {
    const { sql, transaction } = await openSqlJs();
    const before = SHOP_MIGRATIONS.findIndex((step) => step.includes('CREATE TABLE IF NOT EXISTS suppressed ('));
    migrate(sql, SHOP_MIGRATIONS.slice(0, before));
    const [old] = await hashIds('wk', { anonymousIds: [], userIds: ['erased-long-ago'] });
    sql.exec('INSERT INTO suppressed_ids (id_hash) VALUES (?)', old!.hash);
    migrate(sql, SHOP_MIGRATIONS);
    const shop = new ShopModel(sql);
    const message = track({ anonymousId: 'erased-long-ago' }, 'Page');
    const idHashes = await hashIds('wk', idsOfMessage(message));
    expect(transaction(() => shop.ingest([{ message, idHashes }])).profileIds).toEqual([null]);
  });
});

describe('ShopModel: the ids and profiles answers read are kept between requests, exactly', () => {
  const ask = (shop: ShopModel, anonymousId: string) =>
    shop.recommend({ writeKey: 'wk', slot: 'home', anonymousId, limit: 8, geo: {}, holdoutPercent: 0, nowMs: at + 86_400_000 });
  const viewsOf = (shop: ShopModel, anonymousId: string) => {
    const profileId = shop.identities.lookUp('anonymous', anonymousId);
    return profileId ? shop.profiles.read(profileId)?.recentViews.map((v) => v.productId) : undefined;
  };

  it('sees a browser from its first stored event, and each event drained after an answer', async () => {
    const { shop, ingest } = await model();
    ask(shop, 'b1');
    expect(viewsOf(shop, 'b1')).toBeUndefined();
    ingest([item(track({ anonymousId: 'b1' }, 'Product Viewed', { product_id: 'tent' }))]);
    expect(viewsOf(shop, 'b1')).toEqual(['tent']);
    ask(shop, 'b1');
    ingest([item(track({ anonymousId: 'b1' }, 'Product Viewed', { product_id: 'stove' }))]);
    expect(viewsOf(shop, 'b1')).toEqual(['tent', 'stove']);
    expect(shop.profiles.read(shop.profileIdOf({ anonymousId: 'b1' })!)).toEqual(shop.profiles.find(shop.profileIdOf({ anonymousId: 'b1' })!));
  });

  it('follows a merge, and forgets an erased person even though a new event would give them the same profile id', async () => {
    const { shop, ingest } = await model();
    ingest([item(identify('phone', 'ann')), item(track({ anonymousId: 'laptop' }, 'Product Viewed', { product_id: 'tent' }))]);
    const before = shop.identities.lookUp('anonymous', 'laptop');
    expect(viewsOf(shop, 'laptop')).toEqual(['tent']);
    ingest([item(identify('laptop', 'ann'))]);
    expect(shop.identities.lookUp('anonymous', 'laptop')).toBe(shop.profileIdOf({ anonymousId: 'phone' }));
    expect(shop.identities.lookUp('anonymous', 'laptop')).not.toBe(before);
    expect(shop.profiles.read(before!)).toBeUndefined();
    expect(viewsOf(shop, 'laptop')).toEqual(['tent']);

    const linked = shop.identities.linkedTo('ann')!;
    shop.identities.forget(linked.profileIds);
    expect(shop.identities.lookUp('anonymous', 'laptop')).toBeUndefined();
    for (const profileId of linked.profileIds) expect(shop.profiles.read(profileId)).toBeUndefined();
  });
});

describe('ShopModel: an order counted once per order_id', () => {
  const products = [
    { product_id: 'tent', price: 120, category: 'Outdoor > Tents' },
    { product_id: 'stove', price: 30 },
  ];
  const orderOf = (ids: { anonymousId?: string; userId?: string }, orderId: string | number = 'o-1') =>
    item(track(ids, 'Order Completed', { order_id: orderId, total: 150, currency: 'USD', products }));
  /** Every table but the message-level outcomes, as rows: what applying changed. */
  const state = (sql: Awaited<ReturnType<typeof openSqlJs>>['sql']) =>
    Object.fromEntries(
      sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('applied', '_migrations') ORDER BY name")
        .toArray()
        .map(({ name }) => [name, sql.exec(`SELECT * FROM "${name}"`).toArray()]),
    );

  it('applies a second copy of an order (another messageId) nowhere, and says so for the event log', async () => {
    const { sql, transaction } = await openSqlJs();
    migrate(sql, SHOP_MIGRATIONS);
    const shop = new ShopModel(sql);
    const ingest = (items: IngestItem[]) => transaction(() => shop.ingest(items));
    ingest([item(track({ anonymousId: 'b', userId: 'ann' }, 'Product Viewed', { product_id: 'tent' }))]);
    const first = ingest([orderOf({ anonymousId: 'b', userId: 'ann' })]);
    expect(first.repeatedOrders).toEqual([false]);
    const counted = state(sql);
    const profile = shop.profiles.find(first.profileIds[0]!)!;
    expect(profile.counts.orders).toBe(1);

    // The shop's server sends the same order: same customer, another messageId.
    const second = ingest([orderOf({ userId: 'ann' }, 'o-1')]);
    expect(second.profileIds).toEqual(first.profileIds);
    expect(second.repeatedOrders).toEqual([true]);
    expect(second.attributions).toEqual([null]);
    expect(state(sql)).toEqual(counted);

    // A new order still counts.
    const third = ingest([orderOf({ anonymousId: 'b', userId: 'ann' }, 'o-2')]);
    expect(third.repeatedOrders).toEqual([false]);
    expect(shop.profiles.find(first.profileIds[0]!)!.counts.orders).toBe(2);
  });

  it('counts the first of two copies in one batch, from two browsers of one customer', async () => {
    const { shop, ingest } = await model();
    ingest([item(identify('phone', 'ann')), item(identify('laptop', 'ann'))]);
    const outcome = ingest([orderOf({ anonymousId: 'phone', userId: 'ann' }, '1001'), orderOf({ anonymousId: 'laptop', userId: 'ann' }, 1001)]);
    expect(outcome.repeatedOrders).toEqual([false, true]);
    const profile = shop.profiles.find(outcome.profileIds[0]!)!;
    expect(profile.counts.orders).toBe(1);
    expect(profile.revenue).toBe(150);
    expect(profile.orders.map((o) => o.orderId)).toEqual(['1001']);
  });

  it('leaves a pending copy of a counted order out of the profile a recommendation reads', async () => {
    const { shop, ingest } = await model();
    ingest([orderOf({ anonymousId: 'b' }, 'o-5')]);
    type AsIfStored = { profileAsIfStored(input: object): { profile?: { counts: { orders: number } } } };
    const asIf = (pending: IngestItem[]) =>
      (shop as unknown as AsIfStored).profileAsIfStored({
        writeKey: 'wk',
        slot: 'home',
        anonymousId: 'b',
        limit: 8,
        geo: {},
        holdoutPercent: 0,
        nowMs: at,
        pending,
      }).profile?.counts.orders;
    expect(asIf([orderOf({ anonymousId: 'b' }, 'o-5')])).toBe(1);
    expect(asIf([orderOf({ anonymousId: 'b' }, 'o-6')])).toBe(2);
    // Someone else's copy of an id leaves the visitor's own order counted.
    ingest([orderOf({ anonymousId: 'attacker' }, 'o-7')]);
    expect(asIf([orderOf({ anonymousId: 'b' }, 'o-7')])).toBe(2);
  });

  it('gives a retried batch the same repeats, and keeps no order id of an erased person', async () => {
    const { shop, ingest } = await model();
    const batch = [orderOf({ anonymousId: 'b' }, 'o-9'), orderOf({ userId: 'zed', anonymousId: 'b' }, 'o-9')];
    const first = ingest(batch);
    expect(ingest(batch)).toEqual(first);
    expect(first.repeatedOrders).toEqual([false, true]);

    const linked = shop.identities.linkedTo('zed')!;
    shop.orders.forget(linked.profileIds);
    expect(linked.profileIds.some((profileId) => shop.orders.claimedBy('o-9', profileId))).toBe(false);
  });

  it("counts another person's copy of an order id for that person: a guessed id takes no shopper's order", async () => {
    const { shop, ingest } = await model();
    // Anyone with the public write key sends the shop's next order number first.
    const fake = ingest([orderOf({ anonymousId: 'attacker' }, 1001)]);
    const real = ingest([orderOf({ anonymousId: 'shopper' }, '1001'), orderOf({ anonymousId: 'shopper', userId: 'sue' }, '1001')]);
    expect(fake.repeatedOrders).toEqual([false]);
    expect(real.repeatedOrders).toEqual([false, true]);
    const profile = shop.profiles.find(real.profileIds[0]!)!;
    expect(profile.counts.orders).toBe(1);
    expect(profile.revenue).toBe(150);
    expect(shop.profiles.find(fake.profileIds[0]!)!.counts.orders).toBe(1);
  });

  // The tag's copy sent before the browser identified, the server's under the customer's userId: one person, one order.
  const anonymousThenServer: [string, (anon: string) => IngestItem[][]][] = [
    ['a new customer', (anon) => [[orderOf({ anonymousId: anon }, 'o-7')], [item(identify(anon, 'ann'))], [orderOf({ userId: 'ann' }, 'o-7')]]],
    [
      'a known customer (the browser merges into them)',
      (anon) => [
        [item(identify('phone', 'ann'))],
        [orderOf({ anonymousId: anon }, 'o-7')],
        [item(identify(anon, 'ann'))],
        [orderOf({ userId: 'ann' }, 'o-7'), orderOf({ userId: 'ann', anonymousId: anon }, 'o-7')],
      ],
    ],
    [
      'a known customer, all in one batch',
      (anon) => [[item(identify('phone', 'ann'))], [orderOf({ anonymousId: anon }, 'o-7'), item(identify(anon, 'ann')), orderOf({ userId: 'ann' }, 'o-7')]],
    ],
    ['the server first, with the anonymousId', (anon) => [[orderOf({ userId: 'ann', anonymousId: anon }, 'o-7')], [orderOf({ anonymousId: anon }, 'o-7')]]],
    [
      'the server first, after the browser identified',
      (anon) => [[item(identify('phone', 'ann')), item(identify(anon, 'ann'))], [orderOf({ userId: 'ann' }, 'o-7')], [orderOf({ anonymousId: anon }, 'o-7')]],
    ],
  ];
  it("counts a server copy with only a userId the browser has not identified with yet as another person's: the documented limit", async () => {
    const { shop, ingest } = await model();
    ingest([orderOf({ anonymousId: 'laptop' }, 'o-8')]);
    const server = ingest([orderOf({ userId: 'ann' }, 'o-8')]);
    expect(server.repeatedOrders).toEqual([false]);
    ingest([item(identify('laptop', 'ann'))]);
    expect(shop.profiles.find(shop.identities.linkedTo('ann')!.profileId)!.counts.orders).toBe(2);
  });

  for (const [name, batches] of anonymousThenServer) {
    it(`counts the tag's anonymous copy and the server's copy once: ${name}`, async () => {
      const { shop, ingest } = await model();
      for (const batch of batches('laptop')) ingest(batch);
      const ann = shop.identities.linkedTo('ann')!;
      expect(shop.identities.linkedTo('laptop')!.profileId).toBe(ann.profileId);
      expect(shop.profiles.find(ann.profileId)!.counts.orders).toBe(1);
      expect(shop.profiles.find(ann.profileId)!.orders.map((o) => o.orderId)).toEqual(['o-7']);
      // The claim is the customer's now: erasing them forgets it.
      expect(shop.orders.claimedBy('o-7', ann.profileId)).toBe(true);
      shop.orders.forget(ann.profileIds);
      expect(ann.profileIds.some((profileId) => shop.orders.claimedBy('o-7', profileId))).toBe(false);
    });
  }
});
