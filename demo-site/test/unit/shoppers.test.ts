import { parseMessage } from '@trailmark/schema/message-schema';
import { EVENTS, type Message, type TrackMessage } from '@trailmark/schema';
import { isbot } from 'isbot';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { generateCatalog } from '../../simulate/catalog';
import { DEVICES } from '../../simulate/devices';
import { REGIONS, regionByKey } from '../../simulate/regions';
import { type Simulation, type Visit, simulateShoppers } from '../../simulate/shoppers';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const DAY = 86_400_000;
const catalog = generateCatalog({ size: 240, seed: 1 });

// Each test is a second or less of pure computation alone, but `npm test` runs this file next to the
// Workers pool on two shared cores, where the default 5 s per test was sometimes not enough. Nothing
// here is timed: the bound only ends a test that would never finish.
vi.setConfig({ testTimeout: 60_000 });

// Enough shoppers for the planted structure to show; a smaller set for per-message checks (validation is the slow part).
let sim: Simulation;
let small: Simulation;
const messagesOf = new Map<Simulation, Message[]>();
// A few seconds alone; the whole suite runs it next to the Workers pool on two shared cores, where 10 s was not enough.
beforeAll(() => {
  sim = simulateShoppers({ catalog, seed: 3, visitors: 1000, now: NOW });
  small = simulateShoppers({ catalog, seed: 4, visitors: 150, now: NOW });
}, 60_000);

/** Every message of a simulation, gathered once (the large one holds tens of thousands). */
const allMessages = (from = sim): Message[] => {
  let messages = messagesOf.get(from);
  if (!messages) messagesOf.set(from, (messages = from.visits.flatMap((v) => v.messages)));
  return messages;
};
const tracks = (visit: Visit, event: string) => visit.messages.filter((m): m is TrackMessage => m.type === 'track' && m.event === event);
const productIds = (m: TrackMessage) => ((m.properties?.products ?? []) as { product_id: string }[]).map((p) => p.product_id);
const regionOfShopper = () => new Map(sim.truth.shoppers.map((s) => [s.shopper, s.region]));

describe('simulated shoppers: determinism', () => {
  it('gives the same messages for the same catalog, seed and now', () => {
    const a = simulateShoppers({ catalog, seed: 11, visitors: 20, now: NOW });
    const b = simulateShoppers({ catalog, seed: 11, visitors: 20, now: NOW });
    expect(JSON.stringify(a.visits)).toBe(JSON.stringify(b.visits));
    expect(a.truth).toEqual(b.truth);
  });

  it('keeps shopper i the same whatever the number of shoppers asked for', () => {
    const few = simulateShoppers({ catalog, seed: 11, visitors: 5, now: NOW });
    const more = simulateShoppers({ catalog, seed: 11, visitors: 25, now: NOW });
    expect(JSON.stringify(more.visits.slice(0, few.visits.length))).toBe(JSON.stringify(few.visits));
  });

  it('gives other shoppers for another seed, with the same planted tastes', () => {
    const other = simulateShoppers({ catalog, seed: 12, visitors: 20, now: NOW });
    const same = simulateShoppers({ catalog, seed: 11, visitors: 20, now: NOW });
    expect(other.visits[0]?.messages[0]?.messageId).not.toBe(same.visits[0]?.messages[0]?.messageId);
    expect(other.truth.regions).toEqual(same.truth.regions);
    expect(other.truth.pairs).toEqual(same.truth.pairs);
  });

  it('stops at about maxEvents, with whole shoppers', () => {
    const limited = simulateShoppers({ catalog, seed: 11, maxEvents: 2000, now: NOW });
    expect(limited.events).toBeGreaterThanOrEqual(2000);
    const lastShopper = limited.visits.at(-1)?.shopper;
    const withoutLast = limited.visits.filter((v) => v.shopper !== lastShopper).reduce((n, v) => n + v.messages.length, 0);
    expect(withoutLast).toBeLessThan(2000);
  });
});

describe('simulated shoppers: messages as the tag sends them', () => {
  it('are all valid Segment messages of type page, track or identify', () => {
    const problems: string[] = [];
    const messages = allMessages(small);
    expect(messages.length).toBeGreaterThan(3000);
    for (const message of messages) {
      const parsed = parseMessage(message);
      if (!parsed.ok) problems.push(`${message.messageId}: ${parsed.reason}`);
      if (!['page', 'track', 'identify'].includes(message.type)) problems.push(`${message.messageId}: type ${message.type}`);
    }
    expect(problems).toEqual([]);
  });

  it('use only Ecommerce v2 event names', () => {
    const names = new Set<string>(Object.values(EVENTS));
    const others = allMessages().filter((m) => m.type === 'track' && !names.has(m.event));
    expect(others.map((m) => `${m.messageId}: ${(m as TrackMessage).event}`)).toEqual([]);
  });

  it('have unique UUID message ids, an anonymousId and timestamps within the history', () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const ids = new Set<string>();
    const problems: string[] = [];
    for (const m of allMessages()) {
      ids.add(m.messageId);
      const t = Date.parse(m.timestamp ?? '');
      if (!uuid.test(m.messageId) || !uuid.test(m.anonymousId ?? '')) problems.push(`ids of ${m.messageId}`);
      if (!(t <= NOW && t > NOW - 62 * DAY)) problems.push(`timestamp ${m.timestamp}`);
    }
    expect(problems).toEqual([]);
    expect(ids.size).toBe(allMessages().length);
  });

  it('move forward in time within a visit, and visits of a shopper do not overlap', () => {
    const byShopper = new Map<string, Visit[]>();
    for (const v of sim.visits) byShopper.set(v.shopper, [...(byShopper.get(v.shopper) ?? []), v]);
    for (const visits of byShopper.values()) {
      let previousEnd = 0;
      for (const v of visits) {
        const times = v.messages.map((m) => Date.parse(m.timestamp ?? ''));
        expect(times).toEqual([...times].sort((a, b) => a - b));
        expect(times[0]).toBeGreaterThan(previousEnd);
        previousEnd = times.at(-1) ?? 0;
      }
    }
  });

  it('carry a real browser user agent (never a bot), the region locale and timezone, and the page', () => {
    const regionOf = regionOfShopper();
    const agents = new Set(DEVICES.map((d) => d.userAgent));
    const problems: string[] = [];
    for (const visit of sim.visits) {
      const region = regionByKey(regionOf.get(visit.shopper) ?? '');
      expect(visit.geo).toEqual({ country: region.country, region: region.region, city: region.city });
      for (const m of visit.messages) {
        const c = m.context;
        if (!agents.has(c?.userAgent ?? '') || c?.userAgent !== visit.userAgent) problems.push(`userAgent of ${m.messageId}`);
        if (c?.locale !== region.locale || c?.timezone !== region.timezone) problems.push(`locale of ${m.messageId}`);
        if (c?.sessionId !== visit.messages[0]?.context?.sessionId) problems.push(`sessionId of ${m.messageId}`);
        if (m.type !== 'identify' && !c?.page?.url?.startsWith('http://localhost:8787/')) problems.push(`page of ${m.messageId}`);
      }
    }
    expect(problems).toEqual([]);
    for (const agent of agents) expect(isbot(agent)).toBe(false);
    const kinds = new Set(sim.visits.map((v) => DEVICES.find((d) => d.userAgent === v.userAgent)?.kind));
    expect(kinds).toEqual(new Set(['desktop', 'mobile', 'tablet']));
  });

  it('use the Ecommerce v2 snake_case properties', () => {
    const seen = new Set<string>();
    for (const m of allMessages(small)) {
      if (m.type !== 'track') continue;
      const p = m.properties ?? {};
      seen.add(m.event);
      switch (m.event) {
        case EVENTS.productsSearched:
          expect(typeof p.query).toBe('string');
          expect(p.query).not.toBe('');
          expect(p.result_count).toBeGreaterThan(0);
          break;
        case EVENTS.productListViewed:
          expect(Array.isArray(p.products)).toBe(true);
          expect((p.products as { position: number }[]).map((x) => x.position)).toEqual((p.products as unknown[]).map((_, i) => i + 1));
          break;
        case EVENTS.productViewed:
          expect(p).toMatchObject({
            product_id: expect.any(String),
            name: expect.any(String),
            category: expect.stringContaining(' > '),
            price: expect.any(Number),
            currency: 'USD',
            url: expect.any(String),
            image_url: expect.any(String),
          });
          break;
        case EVENTS.productAdded:
        case EVENTS.productRemoved:
          expect(p).toMatchObject({ product_id: expect.any(String), price: expect.any(Number), quantity: expect.any(Number), cart_id: expect.any(String) });
          break;
        case EVENTS.cartViewed:
          expect(p).toMatchObject({ cart_id: expect.any(String), products: expect.any(Array) });
          break;
        case EVENTS.checkoutStarted:
          expect(p).toMatchObject({ order_id: expect.any(String), revenue: expect.any(Number), currency: 'USD' });
          break;
        case EVENTS.orderCompleted: {
          expect(p).toMatchObject({ order_id: expect.any(String), total: expect.any(Number), revenue: expect.any(Number), currency: 'USD' });
          const lines = p.products as { price: number; quantity: number }[];
          expect(lines.length).toBeGreaterThan(0);
          const sum = lines.reduce((s, l) => s + l.price * l.quantity, 0);
          expect(p.revenue).toBeCloseTo(sum, 2);
          expect(p.total as number).toBeGreaterThanOrEqual(p.revenue as number);
          break;
        }
      }
    }
    for (const event of [
      'Products Searched',
      'Product List Viewed',
      'Product Viewed',
      'Product Added',
      'Product Removed',
      'Cart Viewed',
      'Checkout Started',
      'Order Completed',
    ]) {
      expect(seen).toContain(event);
    }
  });

  it('never adds an out-of-stock product to a cart', () => {
    const byId = new Map(catalog.map((p) => [p.product_id, p]));
    const adds = allMessages().filter((m): m is TrackMessage => m.type === 'track' && m.event === EVENTS.productAdded);
    expect(adds.length).toBeGreaterThan(0);
    expect(adds.filter((m) => byId.get(String(m.properties?.product_id))?.in_stock !== true).map((m) => String(m.properties?.product_id))).toEqual([]);
  });
});

describe('simulated shoppers: identity', () => {
  it('keep the userId on every message after a login, in that visit and later ones on the device', () => {
    const loggedIn = new Set<string>();
    for (const visit of sim.visits) {
      let userId: string | undefined;
      for (const m of visit.messages) {
        if (m.type === 'identify') {
          expect(m.userId).toBeDefined();
          expect(m.traits?.email).toMatch(/@example\.com$/);
          userId = m.userId;
          loggedIn.add(m.anonymousId ?? '');
        } else if (userId) {
          expect(m.userId).toBe(userId);
        }
      }
      // A visit that starts logged in comes from a browser that logged in before.
      const first = visit.messages[0] as Message;
      if (first.userId) expect(loggedIn.has(first.anonymousId ?? '')).toBe(true);
    }
  });

  it('include shoppers who log in midway, who come back on other days, and who use two devices', () => {
    const midway = sim.visits.filter((v) => {
      const at = v.messages.findIndex((m) => m.type === 'identify');
      return at > 0 && v.messages[0]?.userId === undefined;
    });
    expect(midway.length).toBeGreaterThan(20);
    const returning = sim.truth.shoppers.filter((s) => Date.parse(s.lastSeenAt) - Date.parse(s.firstSeenAt) > 2 * DAY);
    expect(returning.length).toBeGreaterThan(100);
    const crossDevice = sim.truth.shoppers.filter((s) => s.anonymousIds.length === 2 && s.userId);
    expect(crossDevice.length).toBeGreaterThan(10);
    const identifies = allMessages().filter((m) => m.type === 'identify');
    for (const shopper of crossDevice) {
      const identified = new Set(identifies.filter((m) => m.userId === shopper.userId).map((m) => m.anonymousId));
      expect(identified).toEqual(new Set(shopper.anonymousIds));
    }
  });

  it('spread last visits over the whole history, so lifecycle stages differ', () => {
    const ages = sim.truth.shoppers.map((s) => (NOW - Date.parse(s.lastSeenAt)) / DAY);
    expect(ages.filter((d) => d < 7).length).toBeGreaterThan(50);
    expect(ages.filter((d) => d >= 7 && d < 30).length).toBeGreaterThan(50);
    expect(ages.filter((d) => d >= 30).length).toBeGreaterThan(50);
  });
});

describe('simulated shoppers: planted structure', () => {
  it('has every region with its own favourite products, bought far more there than elsewhere', () => {
    expect(sim.truth.regions.map((r) => r.region).sort()).toEqual(REGIONS.map((r) => r.key).sort());
    const regionOf = regionOfShopper();
    // Who bought what, once per shopper: a preference of the region's people, not of one repeat buyer's cycle.
    const lines = new Map<string, string[]>();
    const seen = new Set<string>();
    for (const visit of sim.visits) {
      for (const order of tracks(visit, EVENTS.orderCompleted)) {
        const region = regionOf.get(visit.shopper) ?? '';
        const fresh = productIds(order).filter((id) => !seen.has(`${visit.shopper}|${id}`));
        for (const id of fresh) seen.add(`${visit.shopper}|${id}`);
        lines.set(region, [...(lines.get(region) ?? []), ...fresh]);
      }
    }
    for (const favourites of sim.truth.regions) {
      expect(favourites.productIds).toHaveLength(6);
      const own = lines.get(favourites.region) ?? [];
      const elsewhere = [...lines].filter(([r]) => r !== favourites.region).flatMap(([, ids]) => ids);
      const share = (ids: string[]) => ids.filter((id) => favourites.productIds.includes(id)).length / ids.length;
      expect(share(own)).toBeGreaterThan(0.25);
      expect(share(own)).toBeGreaterThan(10 * share(elsewhere));
      // The products most of the region's shoppers buy are mostly its favourites.
      const counts = new Map<string, number>();
      for (const id of own) counts.set(id, (counts.get(id) ?? 0) + 1);
      const top = [...counts]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 6)
        .map(([id]) => id);
      expect(top.filter((id) => favourites.productIds.includes(id)).length).toBeGreaterThanOrEqual(3);
    }
  });

  it("gives shoppers interests mostly in their region's favourite aisles", () => {
    const inFavourites = sim.truth.shoppers.flatMap((s) => {
      const favourites = sim.truth.regions.find((r) => r.region === s.region)?.categories ?? [];
      return s.interests.map((aisle) => favourites.includes(aisle));
    });
    expect(inFavourites.filter(Boolean).length / inFavourites.length).toBeGreaterThan(0.5);
  });

  it('has pairs bought together, across aisles, and viewed one after the other', () => {
    expect(sim.truth.pairs.length).toBeGreaterThanOrEqual(10);
    const partner = new Map(
      sim.truth.pairs.flatMap(
        (p) =>
          [
            [p.a, p.b],
            [p.b, p.a],
          ] as [string, string][],
      ),
    );
    const category = new Map(catalog.map((p) => [p.product_id, p.category]));
    for (const { a, b } of sim.truth.pairs) expect(category.get(a)).not.toBe(category.get(b));

    let withPairItem = 0;
    let withBoth = 0;
    let viewedPairItem = 0;
    let nextIsPartner = 0;
    for (const visit of sim.visits) {
      for (const order of tracks(visit, EVENTS.orderCompleted)) {
        const ids = productIds(order);
        for (const id of ids.filter((x) => partner.has(x))) {
          withPairItem++;
          if (ids.includes(partner.get(id) ?? '')) withBoth++;
        }
      }
      const views = tracks(visit, EVENTS.productViewed).map((m) => String(m.properties?.product_id));
      views.slice(0, -1).forEach((id, i) => {
        if (!partner.has(id)) return;
        viewedPairItem++;
        if (views[i + 1] === partner.get(id)) nextIsPartner++;
      });
    }
    expect(withPairItem).toBeGreaterThan(30);
    expect(withBoth / withPairItem).toBeGreaterThan(0.4);
    expect(nextIsPartner / viewedPairItem).toBeGreaterThan(0.25);
  });

  it('has views that follow the shop: mostly the same aisle or a planted associate', () => {
    const category = new Map(catalog.map((p) => [p.product_id, p.category]));
    const partner = new Map(
      sim.truth.pairs.flatMap(
        (p) =>
          [
            [p.a, p.b],
            [p.b, p.a],
          ] as [string, string][],
      ),
    );
    let steps = 0;
    let structured = 0;
    for (const visit of sim.visits) {
      const views = tracks(visit, EVENTS.productViewed).map((m) => String(m.properties?.product_id));
      for (let i = 1; i < views.length; i++) {
        steps++;
        const [prev, next] = [views[i - 1] as string, views[i] as string];
        if (category.get(prev) === category.get(next) || partner.get(prev) === next) structured++;
      }
    }
    expect(structured / steps).toBeGreaterThan(0.6);
  });

  it('has repurchase cycles: the same consumable ordered again every intervalDays', () => {
    expect(sim.truth.cycles.length).toBeGreaterThan(20);
    const byId = new Map(catalog.map((p) => [p.product_id, p]));
    for (const cycle of sim.truth.cycles) {
      expect(byId.get(cycle.productId)?.consumable).toBe(true);
      expect(cycle.orderedAt.length).toBeGreaterThanOrEqual(2);
      const times = cycle.orderedAt.map(Date.parse);
      for (let i = 1; i < times.length; i++) {
        const days = ((times[i] as number) - (times[i - 1] as number)) / DAY;
        // Each order lands on a likely hour of the due day, so up to a day off, plus ±7% of the interval.
        expect(Math.abs(days - cycle.intervalDays)).toBeLessThanOrEqual(cycle.intervalDays * 0.08 + 1.05);
      }
      expect(Date.parse(cycle.nextDueAt) - (times.at(-1) as number)).toBe(cycle.intervalDays * DAY);
      // The orders are really in the shopper's messages, under their userId.
      const orders = sim.visits
        .filter((v) => v.shopper === cycle.shopper)
        .flatMap((v) => tracks(v, EVENTS.orderCompleted))
        .filter((m) => productIds(m).includes(cycle.productId));
      expect(orders.length).toBeGreaterThanOrEqual(cycle.orderedAt.length);
      for (const order of orders) expect(order.userId).toBe(cycle.userId);
    }
  });
});
