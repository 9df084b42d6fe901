/** The dashboard's statistics equal counts over the stored events, and erasure takes its share back out. */
import { SELF, env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { relativeLift } from '../src/lib/lift';
import { ingestShards } from '../src/storage/ingest-shard-choice';
import { ADMIN, BASE, createSite, drainAll, exportEvents, post, rejected, uniqueId } from './support/collector';
import { added, event, ordered, product, profileOf, recommendations, sendAndStore, viewed } from './support/shop';
import { funnelOf } from './support/recount';

async function stats(writeKey: string, from: string, to: string) {
  const res = await SELF.fetch(`${BASE}/v1/admin/stats?writeKey=${writeKey}&from=${from}&to=${to}`, { headers: ADMIN });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, any>;
}

const hourStart = (ms: number) => new Date(Math.floor(ms / 3600_000) * 3600_000).toISOString();

describe('GET /v1/admin/stats', () => {
  it('equals counts computed from the exported events', async () => {
    const writeKey = await createSite({ settings: { holdoutPercent: 50 } });
    const bavaria = { country: 'DE', region: 'Bavaria' };
    const texas = { country: 'US', region: 'Texas' };
    const shoppers = Array.from({ length: 12 }, (_, i) => `shopper-${i}`);
    for (const [i, id] of shoppers.entries()) {
      const geo = i % 2 ? bavaria : texas;
      const recs = await recommendations(writeKey, { slot: 'home', anonymousId: id }, geo).catch(() => null);
      const batch: unknown[] = [
        { type: 'page', anonymousId: id, messageId: uniqueId('m'), name: 'Home' },
        viewed(id, i % 2 ? 'stein' : 'boots', { category: i % 2 ? 'Kitchen > Mugs' : 'Apparel > Shoes' }),
        viewed(id, 'hat', { category: 'Apparel > Hats' }),
      ];
      if (recs) {
        batch.push(event(id, 'Recommendation Viewed', { rec_id: recs.recId, slot: 'home', variant: recs.variant, product_ids: ['hat'] }));
        if (i % 3 === 0)
          batch.push(event(id, 'Recommendation Clicked', { rec_id: recs.recId, slot: 'home', variant: recs.variant, product_id: 'hat', position: 0 }));
      }
      if (i % 3 === 0) batch.push(added(id, 'hat'));
      if (i % 4 === 0) batch.push(event(id, 'Checkout Started', { products: [product('hat')] }));
      if (i % 4 === 0) batch.push(ordered(id, ['hat', i % 2 ? 'stein' : 'boots']));
      await sendAndStore(writeKey, batch, geo);
    }
    // A bot's events are stored but never counted.
    await sendAndStore(writeKey, [{ ...viewed('crawler', 'hat'), context: { userAgent: 'Googlebot/2.1 (+http://www.google.com/bot.html)' } }]);

    const from = hourStart(Date.now() - 3600_000);
    const to = hourStart(Date.now() + 2 * 3600_000);
    const figures = await stats(writeKey, from, to);
    const stored = (await exportEvents(writeKey)).filter((e) => !e.context.bot);
    expect((await exportEvents(writeKey)).length).toBe(stored.length + 1);

    const count = (pred: (e: Record<string, any>) => boolean) => stored.filter(pred).length;
    expect(figures.events.total).toBe(stored.length);
    expect(figures.events.byType.track).toBe(count((e) => e.type === 'track'));
    expect(figures.events.byType.page).toBe(count((e) => e.type === 'page'));
    // People, not events: each shopper once per step, in order, within a day of their first product view.
    const people = funnelOf(stored, ['Product Viewed', 'Product Added', 'Checkout Started', 'Order Completed'], 86_400_000, Date.parse(from), Date.parse(to));
    expect(figures.funnel.map((s: { count: number }) => s.count)).toEqual(people.map((p) => p.length));
    expect(people[0]).toHaveLength(12);
    expect(figures.funnel[3].fromPrevious).toBeCloseTo(people[3]!.length / people[2]!.length);

    const bavarian = figures.regions.find((r: { region: string }) => r.region === 'Bavaria');
    expect(bavarian.views).toBe(count((e) => e.event === 'Product Viewed' && e.context.geo.region === 'Bavaria'));
    expect(bavarian.topProducts[0]).toMatchObject({ productId: 'hat', name: 'Product hat' });
    const orderedUnits = (region: string, productId: string) =>
      stored
        .filter((e) => e.event === 'Order Completed' && e.context.geo.region === region)
        .flatMap((e) => e.properties.products)
        .filter((p: { product_id: string }) => p.product_id === productId).length;
    expect(bavarian.topProducts.find((p: { productId: string }) => p.productId === 'stein')?.units ?? 0).toBe(orderedUnits('Bavaria', 'stein'));
    expect(bavarian.topCategories.map((c: { category: string }) => c.category)).toContain('Kitchen > Mugs');

    const home = figures.slots.find((s: { slot: string }) => s.slot === 'home');
    for (const variant of ['treatment', 'control'] as const) {
      const viewedRecs = stored.filter((e) => e.event === 'Recommendation Viewed' && e.properties.variant === variant);
      expect(home[variant].impressions).toBe(viewedRecs.length);
      expect(home[variant].clicks).toBe(count((e) => e.event === 'Recommendation Clicked' && e.properties.variant === variant));
      expect(home[variant].creditedAdds).toBe(count((e) => e.event === 'Product Added' && e.context.attribution?.[0]?.variant === variant));
      expect(home[variant].shoppers).toBe(new Set(viewedRecs.map((e) => e.profileId)).size);
      const buyers = stored.filter((e) => e.event === 'Order Completed');
      expect(home[variant].converted).toBe(new Set(viewedRecs.map((e) => e.profileId).filter((p) => buyers.some((b) => b.profileId === p))).size);
      // Order values after the first impression, in the site's currency.
      const spent = viewedRecs
        .flatMap((v) => buyers.filter((b) => b.profileId === v.profileId && b.timestamp >= v.timestamp))
        .reduce((sum, b) => sum + b.properties.total, 0);
      expect(home[variant].revenue).toBeCloseTo(spent, 2);
    }
    expect(figures.lifecycle.counts.new).toBe(12);
  });

  it('stores and counts every order it acknowledges, whatever shape its products came in, and rejects the rest with a reason', async () => {
    const writeKey = await createSite();
    const geo = { country: 'FR', region: 'Brittany' };
    const shopper = uniqueId('odd');
    const order = (products: unknown, extra: Record<string, unknown> = {}) =>
      event(shopper, 'Order Completed', { order_id: uniqueId('o'), currency: 'USD', products, ...extra });
    const accepted = [
      order([{ product_id: 'crepe', price: '4.50', quantity: '2' }], { total: '9.00' }), // numbers as strings
      order([null, { product_id: 'cidre', price: 6 }, null]), // null entries
      order([
        { product_id: 1234, price: 3 },
        { sku: 'galette', price: 5, quantity: 1 },
      ]), // a numeric id, a sku only
      order([{ productId: 'crepe', price: 4.5 }]), // camelCase
      order(null), // no products at all
    ];
    const refused = [
      order(['crepe', 'cidre']), // a list of ids
      order('crepe,cidre'), // a string
      order({ product_id: 'crepe', price: 4.5 }), // one object instead of a list
      order([{ product_id: 'crepe', price: '4,50' }]), // a price in words
    ];
    const res = await post('/v1/batch', { writeKey, batch: [...accepted, ...refused] }, { cf: geo });
    const answer = (await res.json()) as { accepted: number; rejected: { index: number; reason: string }[] };
    expect(answer.accepted).toBe(accepted.length);
    expect(answer.rejected.map((r) => r.index)).toEqual(refused.map((_, i) => accepted.length + i));
    for (const r of answer.rejected) expect(r.reason).toMatch(/^properties\.products/);
    await drainAll(writeKey);

    // Acknowledged means stored: nothing in the dead letters, every accepted order exported…
    expect((await Promise.all(ingestShards(env, writeKey).map((s) => s.deadLetters()))).flat()).toEqual([]);
    const stored = await exportEvents(writeKey);
    expect(stored.map((e) => e.messageId).sort()).toEqual(accepted.map((m) => m.messageId).sort());
    expect((await rejected(writeKey)).map((r) => r.messageId).sort()).toEqual(refused.map((m) => m.messageId).sort());

    // …and counted: units and revenue per product equal sums over the export, and the profile has every order.
    const figures = await stats(writeKey, hourStart(Date.now() - 3600_000), hourStart(Date.now() + 2 * 3600_000));
    const region = figures.regions.find((r: { region: string }) => r.region === 'Brittany');
    const lines = stored.flatMap((e) => (e.properties.products ?? []).filter(Boolean)) as { product_id: string; price?: number; quantity?: number }[];
    const byProduct = new Map<string, { units: number; revenue: number }>();
    for (const line of lines) {
      const sum = byProduct.get(line.product_id) ?? { units: 0, revenue: 0 };
      sum.units += line.quantity ?? 1;
      sum.revenue += (line.price ?? 0) * (line.quantity ?? 1);
      byProduct.set(line.product_id, sum);
    }
    expect([...byProduct.keys()].sort()).toEqual(['1234', 'cidre', 'crepe', 'galette']);
    for (const [productId, sum] of byProduct) {
      expect(
        region.topProducts.find((p: { productId: string }) => p.productId === productId),
        productId,
      ).toMatchObject({
        units: sum.units,
        sales: [{ currency: 'USD', amount: sum.revenue }],
      });
    }
    const overview = await SELF.fetch(`${BASE}/v1/admin/stats/overview?writeKey=${writeKey}&from=${hourStart(Date.now() - 3600_000)}`, { headers: ADMIN });
    expect(((await overview.json()) as { current: { orders: number } }).current.orders).toBe(accepted.length);
    const { body: profile } = await profileOf(writeKey, shopper);
    expect(profile.counts.orders).toBe(accepted.length);
    expect(profile.revenue).toBeCloseTo(9 + 6 + 3 + 5 + 4.5);
  });

  it('credits a slot only with what the collector attributed, never with an attribution the sender wrote', async () => {
    const writeKey = await createSite();
    const shopper = uniqueId('forger');
    const forged = [
      { ...added(shopper, 'hat'), context: { attribution: [{ recId: 'r', slot: 'home', variant: 'treatment', productId: 'hat' }] } },
      { ...ordered(shopper, ['hat']), context: { attribution: 'home' } },
    ];
    await sendAndStore(writeKey, forged);
    expect((await Promise.all(ingestShards(env, writeKey).map((s) => s.deadLetters()))).flat()).toEqual([]);
    const stored = await exportEvents(writeKey);
    expect(stored).toHaveLength(2);
    for (const e of stored) expect(e.context.attribution).toBeUndefined();
    const figures = await stats(writeKey, hourStart(Date.now() - 3600_000), hourStart(Date.now() + 2 * 3600_000));
    expect(figures.slots).toEqual([]);
  });

  it('answers zeros for an empty range, and 400 for a bad one', async () => {
    const writeKey = await createSite();
    const empty = await stats(writeKey, '2020-01-01T00:00:00Z', '2020-01-02T00:00:00Z');
    expect(empty.events).toMatchObject({ total: 0, byType: {}, overTime: [] });
    expect(empty.funnel.map((s: { count: number }) => s.count)).toEqual([0, 0, 0, 0]);
    expect(empty.regions).toEqual([]);
    expect(empty.slots).toEqual([]);
    for (const query of ['from=yesterday', 'from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z']) {
      const res = await SELF.fetch(`${BASE}/v1/admin/stats?writeKey=${writeKey}&${query}`, { headers: ADMIN });
      expect(res.status, query).toBe(400);
    }
    // The summary is kept per site: a filter it cannot apply is refused, not silently ignored.
    const filtered = await SELF.fetch(`${BASE}/v1/admin/stats?writeKey=${writeKey}&device=mobile`, { headers: ADMIN });
    expect(filtered.status).toBe(400);
    expect(((await filtered.json()) as { message: string }).message).toMatch(/takes no filters \(got device\).*\/v1\/admin\/stats\/overview/);
  });

  it('takes an erased person’s events back out of the figures', async () => {
    const writeKey = await createSite();
    await sendAndStore(writeKey, [viewed('stays', 'a'), viewed('goes', 'a'), ordered('goes', ['a'])], { country: 'DE', region: 'Bavaria' });
    const from = hourStart(Date.now() - 3600_000);
    const to = hourStart(Date.now() + 2 * 3600_000);
    expect((await stats(writeKey, from, to)).events.total).toBe(3);
    await SELF.fetch(`${BASE}/v1/admin/users/goes?writeKey=${writeKey}`, { method: 'DELETE', headers: ADMIN });
    const after = await stats(writeKey, from, to);
    expect(after.events.total).toBe(1);
    expect(after.regions[0]).toMatchObject({ views: 1, units: 0, sales: [{ currency: after.currency, amount: 0 }] });
  });
});

describe('relativeLift', () => {
  it('estimates the lift with a 95% interval that narrows as samples grow', () => {
    const small = relativeLift({ n: 100, sum: 12, sumSquares: 12 }, { n: 100, sum: 10, sumSquares: 10 });
    const large = relativeLift({ n: 10_000, sum: 1200, sumSquares: 1200 }, { n: 10_000, sum: 1000, sumSquares: 1000 });
    expect(small.estimate).toBeCloseTo(0.2);
    expect(large.estimate).toBeCloseTo(0.2);
    expect(small.low!).toBeLessThan(0);
    expect(large.low!).toBeGreaterThan(0.1);
    expect(large.high! - large.low!).toBeLessThan(small.high! - small.low!);
    expect(relativeLift({ n: 50, sum: 3, sumSquares: 3 }, { n: 50, sum: 0, sumSquares: 0 })).toEqual({ estimate: null, low: null, high: null });
  });
});
