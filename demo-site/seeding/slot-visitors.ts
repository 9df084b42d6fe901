/**
 * Visitors who meet the recommendation slots, so the dashboard's slot table
 * (impressions, CTR, conversion, lift over the holdout) has something to say
 * right after `npm start`. The shopper model of `simulate/` browses and buys
 * but never sees a slot: only a live collector can say what a slot shows.
 *
 * Each visitor asks the collector for a slot's items (as the tag would, from
 * their region), sees them, and reacts to what is shown, not to the variant:
 * an item from their region's favourite aisles is far more tempting than one
 * that is not. Treatment (regional and personal picks) and control (global
 * best sellers) then differ only as much as the picks do, so the lift the
 * dashboard reports is earned by the recommender, not planted.
 */
import { EVENTS, type JsonObject } from '@trailmark/schema';
import type { CatalogProduct } from '../simulate/catalog';
import { pickDevice } from '../simulate/devices';
import { Random } from '../simulate/random';
import { REGIONS, type RegionSpec } from '../simulate/regions';
import { type SendSummary, headerSafe, sendVisits } from '../simulate/send';
import { productProperties } from '../simulate/shelves';
import type { Visit } from '../simulate/shoppers';
import { TagSession } from '../simulate/tag-session';
import type { Tastes } from '../simulate/tastes';

/** How likely a shown item is clicked, by how well it fits the visitor's region. */
const CLICK_CHANCE = { favouriteProduct: 0.06, favouriteAisle: 0.025, other: 0.006 } as const;
const ADD_AFTER_CLICK = 0.45;
const ORDER_AFTER_ADD = 0.6;
/** Visitors who buy something of their own finding, slot or not: the baseline both groups share. */
const BUYS_ANYWAY = 0.05;
const SLOT_MIX = [
  { slot: 'home', weight: 0.5 },
  { slot: 'product', weight: 0.3 },
  { slot: 'trending', weight: 0.2 },
] as const;

export interface SlotVisitorOptions {
  url: string;
  writeKey: string;
  tastes: Tastes;
  visitors: number;
  /** Days the visits spread over, ending now (the slots are asked for now; the visits are dated back). */
  days?: number;
  seed?: number;
  now?: number;
}

interface Shown {
  recId: string;
  slot: string;
  variant: string;
  items: { productId: string }[];
}

/** Visitors whose recommendations are asked for at once: the requests overlap, the visits stay in order. */
const AT_ONCE = 16;

export async function sendSlotVisitors(options: SlotVisitorOptions): Promise<SendSummary> {
  const seed = options.seed ?? 1;
  const random = new Random('slot-visitors', seed);
  const now = options.now ?? Date.now();
  const days = options.days ?? 14;
  const minutesAgo = Array.from({ length: options.visitors }, () => random.int(1, days * 24 * 60) * 60_000);
  async function* visits(): AsyncGenerator<Visit> {
    for (let first = 0; first < options.visitors; first += AT_ONCE) {
      const group = minutesAgo.slice(first, first + AT_ONCE).map((ago, i) => slotVisit(options, new Random('slot-visitor', seed, first + i), ago, now));
      yield* await Promise.all(group);
    }
  }
  return sendVisits({ url: options.url, writeKey: options.writeKey, visits: visits() });
}

async function slotVisit(options: SlotVisitorOptions, random: Random, minutesAgo: number, now: number): Promise<Visit> {
  const { tastes } = options;
  const region = random.weighted(REGIONS, (r) => r.share);
  const device = pickDevice(random);
  const anonymousId = random.uuid();
  const favourites = tastes.regionalFavourites.find((f) => f.region === region.key);
  const favouriteAisles = new Set(favourites?.categories ?? []);
  const favouriteProducts = tastes.favouriteSet.get(region.key) ?? new Set<string>();
  const session = new TagSession({ random, anonymousId, device, region, siteOrigin: options.url, startAt: now - minutesAgo });
  const geo = { country: region.country, region: region.region, city: region.city };

  // Where the slot is: the home page, a product page of an aisle the visitor likes, or the trending shelf.
  const { slot } = random.weighted(SLOT_MIX, (s) => s.weight);
  const aisle = random.pick([...favouriteAisles].length > 0 ? [...favouriteAisles] : [...tastes.subcategoryWeight.keys()]);
  const onPage = slot === 'product' ? random.pick(tastes.bySubcategory.get(aisle) ?? tastes.products) : undefined;
  if (onPage) {
    session.pageView('Product', onPage.url, onPage.name);
    session.track(EVENTS.productViewed, { ...productProperties(onPage) });
  } else {
    session.pageView('Home', '/', 'Home');
  }
  const shown = await recommend(options, region, device.userAgent, anonymousId, slot, onPage?.product_id);
  session.think(4, 1);
  session.track(EVENTS.recommendationViewed, {
    rec_id: shown.recId,
    slot: shown.slot,
    variant: shown.variant,
    product_ids: shown.items.map((i) => i.productId),
  });

  const appeal = (productId: string) => {
    if (favouriteProducts.has(productId)) return CLICK_CHANCE.favouriteProduct;
    const product = tastes.byId.get(productId);
    return product && favouriteAisles.has(product.category) ? CLICK_CHANCE.favouriteAisle : CLICK_CHANCE.other;
  };
  const clickedAt = shown.items.findIndex((item) => random.chance(appeal(item.productId)));
  const clicked = clickedAt >= 0 ? tastes.byId.get(shown.items[clickedAt]!.productId) : undefined;
  let bought: CatalogProduct | undefined;
  if (clicked) {
    session.track(EVENTS.recommendationClicked, {
      rec_id: shown.recId,
      slot: shown.slot,
      variant: shown.variant,
      product_id: clicked.product_id,
      position: clickedAt + 1,
    });
    session.pageView('Product', clicked.url, clicked.name);
    session.track(EVENTS.productViewed, { ...productProperties(clicked) });
    if (clicked.in_stock && random.chance(ADD_AFTER_CLICK) && random.chance(ORDER_AFTER_ADD)) bought = clicked;
    else if (clicked.in_stock && random.chance(ADD_AFTER_CLICK)) addToCart(session, clicked);
  }
  if (!bought && random.chance(BUYS_ANYWAY)) {
    bought = random.pick((tastes.bySubcategory.get(aisle) ?? tastes.products).filter((p) => p.in_stock));
    if (bought) {
      session.pageView('Product', bought.url, bought.name);
      session.track(EVENTS.productViewed, { ...productProperties(bought) });
    }
  }
  if (bought) {
    addToCart(session, bought);
    order(session, random, bought);
  }
  return { shopper: `slot-visitor-${anonymousId}`, geo, userAgent: device.userAgent, messages: session.messages };
}

const ATTEMPTS = 6;

/**
 * GET /v1/recommendations from the visitor's region (the dev-only X-Geo-*
 * headers), as the tag asks; retried like the tag retries (a busy local
 * server drops a connection now and then, and a seed should not fail for it).
 */
async function recommend(
  options: SlotVisitorOptions,
  region: RegionSpec,
  userAgent: string,
  anonymousId: string,
  slot: string,
  productId?: string,
): Promise<Shown> {
  const query = new URLSearchParams({ writeKey: options.writeKey, slot, anonymousId, limit: '6' });
  if (productId) query.set('productId', productId);
  for (let attempt = 1; ; attempt++) {
    let problem: string;
    try {
      const response = await fetch(`${options.url}/v1/recommendations?${query}`, {
        headers: { 'user-agent': userAgent, 'x-geo-country': region.country, 'x-geo-region': headerSafe(region.region), 'x-geo-city': headerSafe(region.city) },
      });
      if (response.ok) return (await response.json()) as Shown;
      problem = `answered ${response.status}: ${(await response.text()).slice(0, 200)}`;
      if (response.status < 500 && response.status !== 429) throw new Error(`GET /v1/recommendations (${slot}) ${problem}`);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('GET /v1/recommendations')) throw error;
      problem = `failed: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (attempt >= ATTEMPTS) throw new Error(`GET /v1/recommendations (${slot}) ${problem} (${ATTEMPTS} attempts)`);
    await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt * (0.5 + Math.random())));
  }
}

function addToCart(session: TagSession, product: CatalogProduct): void {
  session.think(8, 1);
  session.track(EVENTS.productAdded, { ...productProperties(product), quantity: 1 });
}

function order(session: TagSession, random: Random, product: CatalogProduct): void {
  const products: JsonObject[] = [{ ...productProperties(product), quantity: 1, position: 1 }];
  const revenue = product.price;
  const shipping = revenue >= 50 ? 0 : 4.99;
  const tax = Math.round(revenue * 8) / 100;
  const orderId = `order-${random.hex(12)}`;
  session.think(6);
  session.pageView('Cart', '/cart', 'Your cart');
  session.track(EVENTS.cartViewed, { products });
  session.think(10);
  session.pageView('Checkout', '/checkout', 'Checkout');
  session.track(EVENTS.checkoutStarted, { value: revenue, revenue, currency: 'USD', products });
  session.think(40, 15);
  session.pageView('Order Confirmation', `/order?id=${orderId}`, 'Thank you for your order');
  session.track(EVENTS.orderCompleted, {
    order_id: orderId,
    total: Math.round((revenue + shipping + tax) * 100) / 100,
    revenue,
    shipping,
    tax,
    currency: 'USD',
    products,
  });
}
