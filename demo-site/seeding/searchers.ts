/**
 * Visitors who come to search, so the dashboard's search report has what a
 * real shop's has: popular terms, misspellings and things the shop does not
 * carry (searches without results), and searches nobody clicks. The shopper
 * model of `simulate/` always finds what it looks for; people do not.
 *
 * Each visit is a search page as the storefront sends it (`Products
 * Searched` with `result_count`, the number of products the page showed),
 * then, by what was found: a product view and sometimes a purchase, a second
 * search, a look at an aisle, or leaving.
 */
import { EVENTS, type JsonObject } from '@trailmark/schema';
import { type CatalogProduct, slugify, splitCategory } from '../simulate/catalog';
import { pickDevice } from '../simulate/devices';
import { Random } from '../simulate/random';
import { REGIONS } from '../simulate/regions';
import { type SendSummary, sendVisits } from '../simulate/send';
import { productProperties } from '../simulate/shelves';
import type { Visit } from '../simulate/shoppers';
import { TagSession } from '../simulate/tag-session';

/** What people type that this shop cannot answer: things it does not sell, and slips of the keyboard. */
const NOT_CARRIED = ['gift card', 'surfboard', 'vinyl records', 'bike helmet', 'baby stroller', 'garden hose', 'kayak', 'wedding dress'];
const MISSPELLINGS: [wrong: string, right: string][] = [
  ['expresso', 'espresso'],
  ['snekers', 'sneakers'],
  ['hedphones', 'headphones'],
  ['sunglases', 'sunglasses'],
  ['choclate', 'chocolate'],
  ['yoga mtt', 'yoga mat'],
];

export interface SearcherOptions {
  url: string;
  writeKey: string;
  products: readonly CatalogProduct[];
  visitors: number;
  /** Days of history the visits spread over, ending now. */
  days?: number;
  seed?: number;
  now?: number;
}

export async function sendSearchers(options: SearcherOptions): Promise<SendSummary> {
  const seed = options.seed ?? 1;
  const now = options.now ?? Date.now();
  const days = options.days ?? 28;
  const visits: Visit[] = [];
  for (let i = 0; i < options.visitors; i++) {
    const random = new Random('searcher', seed, i);
    visits.push(searchVisit(options, random, now - random.int(2 * 3600, days * 86_400) * 1000));
  }
  return sendVisits({ url: options.url, writeKey: options.writeKey, visits });
}

function searchVisit(options: SearcherOptions, random: Random, startAt: number): Visit {
  const region = random.weighted(REGIONS, (r) => r.share);
  const device = pickDevice(random);
  const session = new TagSession({
    random,
    anonymousId: random.uuid(),
    device,
    region,
    siteOrigin: options.url,
    startAt,
    ...(random.chance(0.4) ? { referrer: 'https://www.google.com/' } : {}),
  });
  session.pageView('Home', '/', 'Home');
  session.think(6);
  const r = random.next();
  if (r < 0.14) {
    // Something the shop does not carry: nothing found; some look at what is popular instead.
    search(session, options.products, random.pick(NOT_CARRIED));
    if (random.chance(0.3)) viewSomething(session, random, options.products);
  } else if (r < 0.24) {
    // A typo: nothing found, then most try again, spelled right.
    const [wrong, right] = random.pick(MISSPELLINGS);
    search(session, options.products, wrong);
    if (random.chance(0.7)) {
      session.think(5);
      const found = search(session, options.products, right);
      if (found.length > 0 && random.chance(0.6)) view(session, random.pick(found));
    }
  } else {
    // A product's kind, as people type it: mostly found, often clicked, sometimes bought.
    const target = random.pick(options.products);
    const found = search(session, options.products, kindOf(target));
    if (found.length > 0 && random.chance(0.72)) {
      const product = random.chance(0.6) && found.includes(target) ? target : random.pick(found);
      view(session, product);
      if (product.in_stock && random.chance(0.12)) buy(session, random, product);
    } else if (random.chance(0.3)) {
      const { top, sub } = splitCategory(target.category);
      session.think();
      session.pageView('Category', `/category/${slugify(top)}/${slugify(sub)}`, sub);
    }
  }
  return {
    shopper: `searcher-${session.sessionId}`,
    geo: { country: region.country, region: region.region, city: region.city },
    userAgent: device.userAgent,
    messages: session.messages,
  };
}

/** The storefront's search: every word must start a word of the name, brand or aisle. */
function search(session: TagSession, products: readonly CatalogProduct[], query: string): CatalogProduct[] {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  const found = products.filter((p) => {
    const words = `${p.name} ${p.brand} ${p.category}`.toLowerCase().split(/[^a-z0-9]+/);
    return terms.every((t) => words.some((w) => w.startsWith(t) || w.startsWith(t.replace(/e?s$/, ''))));
  });
  session.pageView('Search', `/search?q=${encodeURIComponent(query)}`, `Search: ${query}`);
  session.track(EVENTS.productsSearched, { query, result_count: found.length });
  if (found.length > 0) {
    session.track(EVENTS.productListViewed, {
      list_id: 'search-results',
      products: found.slice(0, 12).map((p, i) => ({ ...productProperties(p), position: i + 1 })),
    });
  }
  return found;
}

function view(session: TagSession, product: CatalogProduct): void {
  session.think(8);
  session.pageView('Product', product.url, product.name);
  session.track(EVENTS.productViewed, { ...productProperties(product) });
}

function viewSomething(session: TagSession, random: Random, products: readonly CatalogProduct[]): void {
  view(session, random.pick(products.filter((p) => p.in_stock)));
}

function buy(session: TagSession, random: Random, product: CatalogProduct): void {
  const line: JsonObject = { ...productProperties(product), quantity: 1, position: 1 };
  session.think(8, 1);
  session.track(EVENTS.productAdded, { ...productProperties(product), quantity: 1 });
  session.think(20);
  session.pageView('Checkout', '/checkout', 'Checkout');
  session.track(EVENTS.checkoutStarted, { value: product.price, revenue: product.price, currency: 'USD', products: [line] });
  session.think(40, 15);
  const orderId = `order-${random.hex(12)}`;
  const shipping = product.price >= 50 ? 0 : 4.99;
  const tax = Math.round(product.price * 8) / 100;
  session.pageView('Order Confirmation', `/order?id=${orderId}`, 'Thank you for your order');
  session.track(EVENTS.orderCompleted, {
    order_id: orderId,
    total: Math.round((product.price + shipping + tax) * 100) / 100,
    revenue: product.price,
    shipping,
    tax,
    currency: 'USD',
    products: [line],
  });
}

/** What someone types to find a product: its kind, the last word or two of its name without brand or variant. */
function kindOf(product: CatalogProduct): string {
  const withoutVariant = (product.name.split(',')[0] ?? product.name).replace(/\s+[IVX]+$/, '');
  return withoutVariant.slice(product.brand.length).trim().split(' ').slice(-2).join(' ').toLowerCase();
}
