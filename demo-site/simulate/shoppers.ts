/**
 * A seeded model of shoppers, producing the Segment messages our tag would
 * send from their browsers: page views, Ecommerce v2 events, logins.
 *
 * Pure: the same catalog, seed, `now` and knobs give the same visits, byte
 * for byte, and shopper i is the same whatever the number of shoppers asked
 * for (each has its own random stream).
 *
 * Structure planted for a recommender to find (and for tests to check it
 * did), on top of the catalog-level tastes of `tastes.ts`:
 * - each shopper lives in one region and is interested in 1–3 aisles, mostly
 *   (regionalBias) the region's favourite aisles;
 * - views follow the shop's structure: a product's planted partner, its
 *   neighbours by price, the same aisle, sibling aisles, other interests;
 * - purchases favour the region's favourite products (favouritePurchaseRate)
 *   and bring the planted partner along (pairPurchaseRate);
 * - some shoppers buy a consumable on a cycle (habitRate), logged in, every
 *   `intervalDays` for the last ~60 days;
 * - some return over several days, some log in midway (identify), some use
 *   a second device and log in there too (cross-device stitching).
 */
import type { Message } from '@trailmark/schema';
import type { CatalogProduct } from './catalog';
import { ShopperSimulation } from './shopper-simulation';
import { Shelves } from './shelves';
import { type PlantedPair, type RegionalFavourites, type TasteKnobs, type Tastes, plantTastes } from './tastes';

export interface ShopperKnobs {
  /** Days of history the visits spread over, ending at `now`. */
  days: number;
  /** Chance that each of a shopper's interests is one of the region's favourite aisles. */
  regionalBias: number;
  /** How much more often a region's favourite products are picked by its own shoppers. */
  favouriteBoost: number;
  /** Chance that a purchase is one of the region's favourite products. */
  favouritePurchaseRate: number;
  /** After viewing one product of a pair, chance the next view is its partner. */
  pairViewRate: number;
  /** Chance that a purchase (not of a regional favourite) is one product of a planted pair. */
  pairTargetRate: number;
  /** Adding one product of a pair to the cart adds its partner with this chance. */
  pairPurchaseRate: number;
  /** Chance the next view is a neighbour by price in the same aisle. */
  similarViewRate: number;
  /** Mean product views in a session (at least one). */
  meanViews: number;
  /** Shoppers who come back on other days. */
  returningRate: number;
  meanDaysBetweenVisits: number;
  /** Shoppers who buy a consumable on a cycle. */
  habitRate: number;
  /** Shoppers with an account, who log in at some point. */
  accountRate: number;
  /** Returning account holders who also shop from a second device. */
  crossDeviceRate: number;
  /** Browsing sessions that end in an order. */
  conversionRate: number;
  /** Browsing sessions without an order that still put something in the cart. */
  cartAbandonRate: number;
}

export const DEFAULT_SHOPPER_KNOBS: ShopperKnobs = {
  days: 60,
  regionalBias: 0.6,
  favouriteBoost: 8,
  favouritePurchaseRate: 0.35,
  pairViewRate: 0.35,
  pairTargetRate: 0.3,
  pairPurchaseRate: 0.6,
  similarViewRate: 0.4,
  meanViews: 5,
  returningRate: 0.4,
  meanDaysBetweenVisits: 8,
  habitRate: 0.08,
  accountRate: 0.45,
  crossDeviceRate: 0.25,
  conversionRate: 0.12,
  cartAbandonRate: 0.2,
};

export interface VisitGeo {
  country: string;
  region: string;
  city: string;
}

/** One browsing session: where it comes from (the X-Geo-* headers) and what the tag sent. */
export interface Visit {
  /** Groups the visits of one shopper (send them in order, one after another). */
  shopper: string;
  geo: VisitGeo;
  userAgent: string;
  messages: Message[];
}

export interface ShopperTruth {
  shopper: string;
  region: string;
  /** Every anonymousId the shopper used (one per device). */
  anonymousIds: string[];
  /** Present once the shopper has logged in (identify) at least once. */
  userId?: string;
  /** "Top > Sub" aisles the shopper is interested in. */
  interests: string[];
  visits: number;
  orders: number;
  firstSeenAt: string;
  lastSeenAt: string;
}

export interface RepurchaseCycle {
  shopper: string;
  region: string;
  userId: string;
  anonymousIds: string[];
  productId: string;
  intervalDays: number;
  /** Timestamps of the orders that contained the product, oldest first. */
  orderedAt: string[];
  /** Last order + interval: when the reorder slot should bring the product back. */
  nextDueAt: string;
}

export interface PlantedTruth {
  regions: RegionalFavourites[];
  pairs: PlantedPair[];
  /** product → neighbours by price in its aisle, which shoppers compare. */
  similar: Record<string, string[]>;
  cycles: RepurchaseCycle[];
  shoppers: ShopperTruth[];
}

export interface SimulationOptions {
  catalog: readonly CatalogProduct[];
  seed: number;
  /** Number of shoppers (people, each with one or more visits). Default 100. */
  visitors?: number;
  /** Stop after the shopper whose visits reach this many messages. */
  maxEvents?: number;
  /** The end of the simulated history (default: the current time). */
  now?: number | Date | string;
  /** Origin of the storefront pages in context.page.url. */
  siteOrigin?: string;
  knobs?: Partial<ShopperKnobs>;
  tasteKnobs?: Partial<TasteKnobs>;
}

export interface SimulatedShopper {
  truth: ShopperTruth;
  cycle?: RepurchaseCycle;
  visits: Visit[];
}

export interface Simulation {
  visits: Visit[];
  truth: PlantedTruth;
  tastes: Tastes;
  events: number;
}

/** Every visit of every shopper, grouped by shopper and in time order within each, plus the planted truth. */
export function simulateShoppers(options: SimulationOptions): Simulation {
  const tastes = plantTastes(options.catalog, options.tasteKnobs);
  const visits: Visit[] = [];
  const shoppers: ShopperTruth[] = [];
  const cycles: RepurchaseCycle[] = [];
  let events = 0;
  for (const shopper of shopperStream(options, tastes)) {
    visits.push(...shopper.visits);
    shoppers.push(shopper.truth);
    if (shopper.cycle) cycles.push(shopper.cycle);
    events += shopper.visits.reduce((sum, v) => sum + v.messages.length, 0);
  }
  return {
    visits,
    events,
    tastes,
    truth: plantedTruth(tastes, shoppers, cycles),
  };
}

/** The catalog-level tastes plus what the shoppers did, as plain data. */
export function plantedTruth(tastes: Tastes, shoppers: ShopperTruth[], cycles: RepurchaseCycle[]): PlantedTruth {
  return {
    regions: tastes.regionalFavourites.map((r) => ({ ...r, categories: [...r.categories], productIds: [...r.productIds] })),
    pairs: tastes.pairs.map((p) => ({ ...p })),
    similar: Object.fromEntries([...tastes.similar].map(([id, near]) => [id, [...near]])),
    cycles,
    shoppers,
  };
}

/** Shoppers one at a time, for callers that send as they generate (100k events need not sit in memory). */
export function* shopperStream(options: SimulationOptions, tastes = plantTastes(options.catalog, options.tasteKnobs)): Generator<SimulatedShopper> {
  const knobs = { ...DEFAULT_SHOPPER_KNOBS, ...options.knobs };
  const shelves = new Shelves(tastes, knobs.favouriteBoost);
  const now = toMillis(options.now ?? Date.now());
  const siteOrigin = (options.siteOrigin ?? 'http://localhost:8787').replace(/\/+$/, '');
  const visitors = options.visitors ?? (options.maxEvents === undefined ? 100 : Number.POSITIVE_INFINITY);
  let events = 0;
  for (let index = 0; index < visitors; index++) {
    if (options.maxEvents !== undefined && events >= options.maxEvents) return;
    const shopper = new ShopperSimulation({ tastes, shelves, knobs, now, siteOrigin, seed: options.seed }, index).run();
    events += shopper.visits.reduce((sum, v) => sum + v.messages.length, 0);
    yield shopper;
  }
}

function toMillis(value: number | Date | string): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : value;
  if (!Number.isFinite(ms)) throw new RangeError(`now is not a valid time: ${String(value)}`);
  return ms;
}
