/**
 * The demo's four campaigns, run for real against the collector so that the
 * campaign reports of a fresh `npm start` have members, conversions and
 * intervals:
 *
 * - a cross-category coupon: coffee buyers without a coffee maker get 15% off
 *   one (50/50, 3 days);
 * - a loyalty offer to the best customers by RFM (top spend quintiles);
 * - a repurchase reminder to shoppers whose cycle says they are due;
 * - regional picks for shoppers from Bavaria.
 *
 * Each simulated shopper first becomes a member the way a real one would
 * (past orders, a visit from the region), is assigned by the collector, then
 * comes back and asks the `offer` slot as the tag would. Only those shown an
 * offer react to it (the effect each case plants); everyone buys on their
 * own at the same base rate. So the lift a report shows comes from what the
 * collector decided to show, not from a label the seed assigned.
 */
import { EVENTS, type JsonObject } from '@trailmark/schema';
import type { CatalogProduct } from '../simulate/catalog';
import { pickDevice } from '../simulate/devices';
import { Random } from '../simulate/random';
import { REGIONS, regionByKey, type RegionSpec } from '../simulate/regions';
import { headerSafe, SendError, sendVisits, serverMessage } from '../simulate/send';
import { productProperties } from '../simulate/shelves';
import { DEFAULT_SHOPPER_KNOBS, type Visit } from '../simulate/shoppers';
import { TagSession } from '../simulate/tag-session';
import type { Tastes } from '../simulate/tastes';
import { waitUntilStored } from '../simulate/admin-client';

const DAY = 86_400_000;

interface CaseSpec {
  campaignId: string;
  audienceId: string;
  audienceName: string;
  definition: unknown;
  campaign: Record<string, unknown>;
  /** What the shopper does before the campaign, so that they are a member; `aisle` is what they buy. */
  history: 'coffee' | 'big-spender' | 'due-to-reorder' | 'from-bavaria';
  /** Buys the goal within the window anyway, and the extra chance when shown the offer. */
  baseRate: number;
  offerEffect: number;
  goalAisle?: string;
}

export const DEMO_CAMPAIGN_CASES: readonly CaseSpec[] = [
  {
    campaignId: 'coffee-maker-coupon',
    audienceId: 'coffee-no-maker',
    audienceName: 'Coffee buyers without a coffee maker',
    definition: {
      all: [
        { fact: 'purchased', category: 'Grocery > Coffee', op: 'gte', value: 1 },
        { fact: 'purchased', category: 'Home & Kitchen > Coffee Makers', op: 'eq', value: 0 },
      ],
    },
    campaign: {
      name: 'Cross-category coupon: a coffee maker for coffee buyers',
      holdoutPercent: 50,
      windowDays: 3,
      goal: { event: 'Order Completed', category: 'Home & Kitchen > Coffee Makers' },
      costPerContact: 0.05,
      offer: {
        title: '15% off a coffee maker',
        body: 'Your beans deserve better: 15% off any coffee maker this week.',
        url: '/c/home-kitchen/coffee-makers',
        coupon: 'BREW15',
      },
    },
    history: 'coffee',
    baseRate: 0.04,
    offerEffect: 0.1,
    goalAisle: 'Home & Kitchen > Coffee Makers',
  },
  {
    campaignId: 'loyalty-top-tier',
    audienceId: 'top-spenders',
    audienceName: 'Best customers (RFM monetary 4–5)',
    definition: { fact: 'rfm.monetary', op: 'gte', value: 4 },
    campaign: {
      name: 'Loyalty: double points for the best customers',
      holdoutPercent: 30,
      windowDays: 7,
      goal: { event: 'Order Completed' },
      costPerContact: 0.2,
      offer: {
        title: 'Double points this week',
        body: 'Thank you for shopping with us: every order earns double points until Sunday.',
        url: '/',
        coupon: 'THANKS2X',
      },
    },
    history: 'big-spender',
    baseRate: 0.12,
    offerEffect: 0.08,
  },
  {
    campaignId: 'reorder-reminder',
    audienceId: 'due-to-reorder',
    audienceName: 'Due to reorder within 3 days',
    definition: { fact: 'reorderDueDays', op: 'lte', value: 3 },
    campaign: {
      name: 'Repurchase reminder before the predicted date',
      holdoutPercent: 50,
      windowDays: 5,
      goal: { event: 'Order Completed' },
      costPerContact: 0.01,
      offer: { title: 'Running low?', body: 'Reorder in one click: it is about time for your usual.', url: '/account' },
    },
    history: 'due-to-reorder',
    baseRate: 0.2,
    offerEffect: 0.1,
  },
  {
    campaignId: 'bavaria-picks',
    audienceId: 'bavaria',
    audienceName: 'Shoppers in Bavaria',
    definition: { fact: 'region', op: 'eq', value: 'Bavaria' },
    campaign: {
      name: 'Regional picks for Bavaria',
      holdoutPercent: 50,
      windowDays: 3,
      goal: { event: 'Order Completed' },
      costPerContact: 0.02,
      offer: { title: 'Picked for Bavaria', body: 'What your neighbours buy this week, with free delivery.', url: '/', coupon: 'SERVUS' },
    },
    history: 'from-bavaria',
    baseRate: 0.05,
    offerEffect: 0.02,
  },
];

export interface CampaignSeedOptions {
  url: string;
  adminToken: string;
  writeKey: string;
  tastes: Tastes;
  /** Shoppers per campaign. */
  members: number;
  /** Destinations the campaigns deliver `campaign.entered` to (the demo webhook). */
  destinations?: string[];
  seed?: number;
  now?: number;
}

export interface CampaignSeedResult {
  campaigns: string[];
  events: number;
}

export async function seedCampaigns(options: CampaignSeedOptions): Promise<CampaignSeedResult> {
  const now = options.now ?? Date.now();
  const seed = options.seed ?? 1;
  for (const spec of DEMO_CAMPAIGN_CASES) {
    await admin(options, `/v1/admin/audiences/${spec.audienceId}`, { name: spec.audienceName, definition: spec.definition });
    await admin(options, `/v1/admin/campaigns/${spec.campaignId}`, { ...spec.campaign, audienceId: spec.audienceId, destinations: options.destinations ?? [] });
  }
  // First the shoppers' past: it makes them members, and the collector assigns them as they enter.
  const shoppers = DEMO_CAMPAIGN_CASES.flatMap((spec, c) =>
    Array.from({ length: options.members }, (_, i) => {
      const random = new Random('campaign-shopper', seed, c * 100_000 + i);
      const region =
        spec.history === 'from-bavaria'
          ? regionByKey('de-by')
          : random.weighted(
              REGIONS.filter((r) => r.key !== 'de-by'),
              (r) => r.share,
            );
      return { spec, random, region, device: pickDevice(random), anonymousId: random.uuid() };
    }),
  );
  const past = await sendVisits({ url: options.url, writeKey: options.writeKey, visits: list(shoppers.map((s) => pastVisit(s, options.tastes, now))) });
  // Stored means assigned: each shopper enters the audience with the batch that makes them a member, and is assigned in its transaction.
  await waitUntilStored(options);
  // Then they come back: the page asks the offer slot, and only an offer shown can make a difference.
  const returns: Visit[] = [];
  for (let i = 0; i < shoppers.length; i += 32) {
    returns.push(...(await Promise.all(shoppers.slice(i, i + 32).map((s) => returnVisit(options, s, options.tastes)))));
  }
  const back = await sendVisits({ url: options.url, writeKey: options.writeKey, visits: list(returns) });
  return { campaigns: DEMO_CAMPAIGN_CASES.map((c) => c.campaignId), events: past.events + back.events };
}

interface Shopper {
  spec: CaseSpec;
  random: Random;
  region: RegionSpec;
  device: ReturnType<typeof pickDevice>;
  anonymousId: string;
}

async function* list(visits: Visit[]): AsyncGenerator<Visit> {
  yield* visits;
}

function session(shopper: Shopper, url: string, startAt: number): TagSession {
  return new TagSession({ random: shopper.random, anonymousId: shopper.anonymousId, device: shopper.device, region: shopper.region, siteOrigin: url, startAt });
}

function visit(shopper: Shopper, s: TagSession): Visit {
  return {
    shopper: `campaign-${shopper.anonymousId}`,
    geo: { country: shopper.region.country, region: shopper.region.region, city: shopper.region.city },
    userAgent: shopper.device.userAgent,
    messages: s.messages,
  };
}

function inStock(tastes: Tastes, aisle: string): CatalogProduct[] {
  return (tastes.bySubcategory.get(aisle) ?? []).filter((p) => p.in_stock);
}

/** What made the shopper a member: past orders (days ago) or a visit from the region. */
function pastVisit(shopper: Shopper, tastes: Tastes, now: number): Visit {
  const { random, spec } = shopper;
  const s = session(shopper, '', now - 20 * 60_000);
  switch (spec.history) {
    case 'coffee':
      orderAt(s, random, [random.pick(inStock(tastes, 'Grocery > Coffee'))], now - random.int(5, 25) * DAY);
      break;
    case 'big-spender': {
      // Several large baskets over the last two months: the top spend quintiles.
      const products = tastes.products.filter((p) => p.in_stock && p.price >= 40);
      for (let k = 0; k < 3; k++) orderAt(s, random, [random.pick(products), random.pick(products)], now - random.int(3, 60) * DAY);
      break;
    }
    case 'due-to-reorder': {
      // The same everyday item every 30 days; the last one 28 days ago: due in about 2.
      const product = random.pick(inStock(tastes, 'Pets > Cat Litter').concat(inStock(tastes, 'Grocery > Coffee')));
      orderAt(s, random, [product], now - 58 * DAY);
      orderAt(s, random, [product], now - 28 * DAY);
      break;
    }
    case 'from-bavaria':
      s.pageView('Home', '/', 'Home');
      break;
  }
  return visit(shopper, s);
}

/** The shopper comes back: sees the offer if the collector shows one, and buys (or not). */
async function returnVisit(options: CampaignSeedOptions, shopper: Shopper, tastes: Tastes): Promise<Visit> {
  const { random, spec } = shopper;
  // Now, after the collector assigned them (the seed's start time would predate the assignment, and count for nothing).
  const s = session(shopper, options.url, Date.now() + random.int(1, 30) * 1000);
  s.pageView('Home', '/', 'Home');
  const offer = await askOffer(options, shopper);
  let chance = spec.baseRate;
  if (offer) {
    s.track('Offer Viewed', { campaignId: offer.campaignId, title: offer.title });
    if (random.chance(0.3)) s.track('Offer Clicked', { campaignId: offer.campaignId });
    chance += spec.offerEffect;
  }
  if (random.chance(chance)) {
    const aisle = spec.goalAisle ?? aisleOfTheirOwn(shopper, tastes);
    const product = random.pick(inStock(tastes, aisle).length ? inStock(tastes, aisle) : tastes.products.filter((p) => p.in_stock));
    s.pageView('Product', product.url, product.name);
    s.track(EVENTS.productViewed, { ...productProperties(product) });
    orderAt(s, random, [product]);
  }
  return visit(shopper, s);
}

/**
 * Where a shopper buys when no offer sends them somewhere: mostly their
 * region's favourite aisles, like every simulated shopper (shoppers.ts,
 * regionalBias). These are the seed's latest orders, so they are what a
 * region's "trending near you" (a half-life of a day) is made of.
 */
function aisleOfTheirOwn(shopper: Shopper, tastes: Tastes): string {
  const { random, region } = shopper;
  const favourites = tastes.regionalFavourites.find((f) => f.region === region.key)?.categories ?? [];
  if (favourites.length > 0 && random.chance(DEFAULT_SHOPPER_KNOBS.regionalBias)) return random.pick(favourites);
  return random.weighted([...tastes.subcategoryWeight.keys()], (path) => tastes.subcategoryWeight.get(path) ?? 0);
}

/** Adds to cart and orders; with `at`, the two messages are dated then (a past order). */
function orderAt(s: TagSession, random: Random, products: CatalogProduct[], at?: number): void {
  const lines: JsonObject[] = products.map((p, i) => ({ ...productProperties(p), quantity: 1, position: i + 1 }));
  const total = Math.round(products.reduce((sum, p) => sum + p.price, 0) * 100) / 100;
  s.track(EVENTS.productAdded, { ...productProperties(products[0]!), quantity: 1 });
  s.track(EVENTS.orderCompleted, { order_id: `order-${random.hex(12)}`, total, revenue: total, currency: products[0]!.currency, products: lines });
  if (at !== undefined) {
    for (const message of s.messages.slice(-2)) (message as { timestamp: string }).timestamp = new Date(at + random.int(1, 60) * 1000).toISOString();
  }
}

async function askOffer(options: CampaignSeedOptions, shopper: Shopper): Promise<{ campaignId: string; title: string } | null> {
  const query = new URLSearchParams({ writeKey: options.writeKey, slot: 'offer', anonymousId: shopper.anonymousId });
  const response = await fetch(`${options.url}/v1/recommendations?${query}`, {
    headers: {
      'user-agent': shopper.device.userAgent,
      'x-geo-country': shopper.region.country,
      'x-geo-region': headerSafe(shopper.region.region),
      'x-geo-city': headerSafe(shopper.region.city),
    },
  });
  if (!response.ok)
    throw new SendError(`GET /v1/recommendations?slot=offer answered ${response.status}: ${serverMessage(await response.text())}`, response.status);
  return ((await response.json()) as { offer: { campaignId: string; title: string } | null }).offer;
}

async function admin(options: CampaignSeedOptions, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${options.url}${path}?writeKey=${encodeURIComponent(options.writeKey)}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${options.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new SendError(`PUT ${path} answered ${response.status}: ${serverMessage(await response.text())}`, response.status);
}

/** One line per demo campaign: what its report says now (GET /v1/admin/campaigns/:id/report). */
export async function campaignVerdicts(url: string, adminToken: string, ids: string[]): Promise<string[]> {
  return Promise.all(
    ids.map(async (id) => {
      const response = await fetch(`${url}/v1/admin/campaigns/${id}/report`, { headers: { authorization: `Bearer ${adminToken}` } });
      if (!response.ok) return `  campaign ${id}: report unavailable (${response.status})`;
      const report = (await response.json()) as { groups: Record<'treatment' | 'control', { members: number }>; verdict: { conversionRate: { text: string } } };
      return `  campaign ${id} (${report.groups.treatment.members} treatment, ${report.groups.control.members} control): ${report.verdict.conversionRate.text}`;
    }),
  );
}
