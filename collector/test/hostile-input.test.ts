/**
 * Events are untrusted: the write key is in every page. Attacks through the
 * public API must not reshape what other shoppers see.
 */
import { describe, expect, it } from 'vitest';
import { createSite, drainAll, exportEvents, post, rejected, uniqueId } from './support/collector';
import { ordered, product, profileOf, recommendations, send, sendAndStore, uploadCatalog, viewed, type Geo } from './support/shop';

const BAVARIA: Geo = { country: 'DE', region: 'Bavaria' };
const personal = { settings: { holdoutPercent: 0 } };

describe('time', () => {
  it('a clock 30 days fast does not take over trending for everyone', async () => {
    const writeKey = await createSite(personal);
    for (let i = 0; i < 3; i++) await send(writeKey, [viewed(uniqueId('honest'), 'real')], BAVARIA);
    const future = new Date(Date.now() + 30 * 86_400_000).toISOString();
    await send(writeKey, [{ ...viewed(uniqueId('fast'), 'from-the-future'), timestamp: future }], BAVARIA);
    await drainAll(writeKey);
    for (const slot of ['trending', 'home']) {
      const recs = await recommendations(writeKey, { slot, anonymousId: uniqueId('visitor') }, BAVARIA);
      expect(
        recs.items.map((i) => i.productId),
        slot,
      ).toEqual(['real', 'from-the-future']);
    }
  });
});

describe('timestamps outside the years a query can name', () => {
  it('are stored at receivedAt, the sender’s value kept as originalTimestamp', async () => {
    const writeKey = await createSite();
    const shopper = uniqueId('clock');
    const odd = ['+275760-09-13T00:00:00.000Z', '0000-01-01T00:00:00.000Z', '1969-07-20T20:17:00.000Z'];
    await sendAndStore(
      writeKey,
      odd.map((timestamp) => ({ ...viewed(shopper, 'p'), timestamp })),
      BAVARIA,
    );
    const stored = await exportEvents(writeKey);
    expect(stored.map((e) => e.originalTimestamp).sort()).toEqual([...odd].sort());
    for (const e of stored) expect(e.timestamp, e.originalTimestamp).toBe(e.receivedAt);
  });
});

describe('one browser’s weight', () => {
  it('a burst of orders from one browser does not reshape what a region sees', async () => {
    const writeKey = await createSite(personal);
    for (let i = 0; i < 3; i++) await send(writeKey, [ordered(uniqueId('local'), ['stein'])], BAVARIA);
    const attacker = uniqueId('attacker');
    const burst = Array.from({ length: 40 }, () => {
      const order = ordered(attacker, ['pushed']);
      (order.properties.products as { quantity: number }[])[0]!.quantity = 500;
      return order;
    });
    await send(writeKey, [...Array.from({ length: 40 }, () => viewed(attacker, 'pushed')), ...burst], BAVARIA);
    await drainAll(writeKey);
    for (const slot of ['trending', 'home']) {
      const recs = await recommendations(writeKey, { slot, anonymousId: uniqueId('visitor') }, BAVARIA);
      expect(recs.items[0]!.productId, slot).toBe('stein');
    }
  });
});

describe('catalog trust', () => {
  it('one request cannot rename, reprice, relink or sell out a product the admin loaded', async () => {
    const writeKey = await createSite(personal);
    await uploadCatalog(writeKey, JSON.stringify(product('tent', { name: 'Tent', price: 199, url: '/product/tent', image_url: '/img/tent.svg' })));
    await sendAndStore(writeKey, [
      viewed(uniqueId('attacker'), 'tent', { name: 'FREE TENT', price: 0.01, url: 'https://shop.example/phish', image_url: '/img/scam.png', in_stock: false }),
    ]);
    const recs = await recommendations(writeKey, { slot: 'trending', anonymousId: uniqueId('visitor') });
    expect(recs.items).toEqual([expect.objectContaining({ productId: 'tent', name: 'Tent', price: 199, url: '/product/tent', imageUrl: '/img/tent.svg' })]);
  });

  it('an invented product pushed from one browser does not reach the top of the slots; with learnCatalog "off" it never shows', async () => {
    for (const learnCatalog of ['new', 'off']) {
      const writeKey = await createSite({ settings: { holdoutPercent: 0, learnCatalog } });
      await uploadCatalog(writeKey, ['stein', 'mug', 'pretzel'].map((id) => JSON.stringify(product(id))).join('\n'));
      for (let i = 0; i < 3; i++) await send(writeKey, [viewed(uniqueId('local'), 'mug'), ordered(uniqueId('local'), ['stein', 'pretzel'])], BAVARIA);
      const attacker = uniqueId('attacker');
      const push = () => viewed(attacker, 'miracle', { name: 'MIRACLE PILLS', image_url: '/img/pills.png' });
      await send(writeKey, [...Array.from({ length: 30 }, push), ...Array.from({ length: 20 }, () => ordered(attacker, ['miracle', 'stein']))], BAVARIA);
      await drainAll(writeKey);
      for (const [slot, extra] of [
        ['home', {}],
        ['trending', {}],
        ['product', { productId: 'stein' }],
      ] as const) {
        const recs = await recommendations(writeKey, { slot, anonymousId: uniqueId('visitor'), ...extra }, BAVARIA);
        const ids = recs.items.map((i) => i.productId);
        expect(ids[0], `${learnCatalog} ${slot}`).not.toBe('miracle');
        if (learnCatalog === 'off') expect(ids, `${slot}`).not.toContain('miracle');
      }
    }
  });

  it('serves no learned link that is not on the site: javascript:, data:, //host, other hosts', async () => {
    const writeKey = await createSite({ ...personal, allowedOrigins: ['https://shop.example'] });
    const links: [string, string][] = [
      ['javascript:alert(document.cookie)', 'data:image/svg+xml,<svg onload=alert(1)>'],
      ['//evil.example/p', '/\\evil.example/i.png'],
      ['https://evil.example/p', 'https://shop.example.evil.example/i.png'],
      ['https://shop.example/p/ok', '/img/ok.png'],
    ];
    await sendAndStore(
      writeKey,
      links.map(([url, image], i) => viewed(uniqueId('v'), `p${i}`, { url, image_url: image })),
    );
    const recs = await recommendations(writeKey, { slot: 'trending', anonymousId: uniqueId('visitor'), limit: '10' });
    const served = Object.fromEntries(recs.items.map((i) => [i.productId, [i.url, i.imageUrl]]));
    expect(served).toEqual({
      p0: [undefined, undefined],
      p1: [undefined, undefined],
      p2: [undefined, undefined],
      p3: ['https://shop.example/p/ok', '/img/ok.png'],
    });
  });
});

describe('money', () => {
  it('refuses negative prices, quantities and totals with a reason, so revenue never goes down', async () => {
    const writeKey = await createSite({ settings: { currency: 'EUR' } });
    const shopper = uniqueId('buyer');
    const negative = [
      ordered(shopper, ['a'], undefined),
      { ...ordered(shopper, ['b']), properties: { order_id: 'neg-total', total: -500, currency: 'EUR', products: [product('b')] } },
      { ...ordered(shopper, ['c']), properties: { order_id: 'neg-qty', products: [{ ...product('c'), quantity: -40 }] } },
      viewed(shopper, 'd', { price: -3 }),
    ];
    const res = await post('/v1/batch', { writeKey, batch: negative });
    const body = (await res.json()) as { accepted: number; rejected: { index: number; reason: string }[] };
    expect(body.accepted).toBe(1);
    expect(body.rejected.map((r) => [r.index, r.reason])).toEqual([
      [1, 'properties.total must not be negative (a refund is an Order Refunded event)'],
      [2, 'properties.products.0.quantity must not be negative (a refund is an Order Refunded event)'],
      [3, 'properties.price must not be negative (a refund is an Order Refunded event)'],
    ]);
    await drainAll(writeKey);
    expect(await rejected(writeKey)).toHaveLength(3);
    // The one order: 10 USD, in a shop that counts in euros.
    const { body: profile } = await profileOf(writeKey, shopper);
    expect(profile).toMatchObject({ currency: 'EUR', revenue: 0, revenueByCurrency: { USD: 10 } });
  });

  it('refuses amounts no order has, so one message cannot turn revenue into Infinity (JSON null, read as 0)', async () => {
    const writeKey = await createSite();
    const shopper = uniqueId('buyer');
    const huge = (order_id: string, line: Record<string, unknown>, total?: number) => ({
      ...ordered(shopper, ['h']),
      properties: { order_id, ...(total === undefined ? {} : { total }), products: [{ ...product('h'), ...line }] },
    });
    const res = await post('/v1/batch', {
      writeKey,
      batch: [ordered(shopper, ['a']), huge('o-price', { price: 1e308, quantity: 1e308 }), huge('o-total', {}, 1e308), huge('o-units', { quantity: 1e9 })],
    });
    const body = (await res.json()) as { accepted: number; rejected: { index: number; reason: string }[] };
    expect(body.accepted).toBe(1);
    expect(body.rejected.map((r) => [r.index, r.reason])).toEqual([
      [1, 'properties.products.0.price must be at most 1e+12'],
      [2, 'properties.total must be at most 1e+12'],
      [3, 'properties.products.0.quantity must be at most 1,000,000'],
    ]);
    await drainAll(writeKey);
    const { body: profile } = await profileOf(writeKey, shopper);
    expect(profile).toMatchObject({ revenue: 10, revenueByCurrency: { USD: 10 } });
  });

  it('keeps a customer’s revenue per currency; revenue is in the site’s currency', async () => {
    const writeKey = await createSite({ settings: { currency: 'JPY' } });
    const shopper = uniqueId('buyer');
    const inCurrency = (currency: string | undefined, total: number) => ({
      ...ordered(shopper, ['x']),
      properties: { order_id: uniqueId('o'), total, ...(currency ? { currency } : {}), products: [{ product_id: 'x', price: total }] },
    });
    await sendAndStore(writeKey, [inCurrency('USD', 12.5), inCurrency('eur', 10), inCurrency('JPY', 1500), inCurrency(undefined, 500)]);
    const { body: profile } = await profileOf(writeKey, shopper);
    expect(profile).toMatchObject({ currency: 'JPY', revenue: 2000, revenueByCurrency: { USD: 12.5, EUR: 10, JPY: 2000 } });
    expect(profile.orders.map((o: { currency: string }) => o.currency).sort()).toEqual(['EUR', 'JPY', 'JPY', 'USD']);
  });
});

describe('a message naming another site', () => {
  it('is rejected with a reason, never stored in the site the request is for', async () => {
    const siteA = await createSite();
    const siteB = await createSite();
    const res = await post(
      '/v1/batch',
      { batch: [viewed('x', 'mine'), { ...viewed('x', 'theirs'), writeKey: siteB }, { ...viewed('x', 'also-mine'), writeKey: siteA }] },
      { headers: { authorization: `Basic ${btoa(`${siteA}:`)}` } },
    );
    const body = (await res.json()) as { accepted: number; rejected: { index: number; reason: string }[] };
    expect(body.accepted).toBe(2);
    expect(body.rejected).toEqual([{ index: 1, messageId: expect.any(String), reason: expect.stringContaining(`writeKey "${siteB}" names another site`) }]);
    await drainAll(siteA);
    await drainAll(siteB);
    expect((await exportEvents(siteA)).map((e) => e.properties.product_id).sort()).toEqual(['also-mine', 'mine']);
    expect(await exportEvents(siteB)).toEqual([]);
  });
});
