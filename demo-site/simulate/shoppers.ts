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
import type { JsonObject } from '@trailmark/schema';
import { EVENTS, type Message } from '@trailmark/schema';
import { type CatalogProduct, slugify, splitCategory } from './catalog';
import { type DeviceProfile, pickDevice } from './devices';
import { Random } from './random';
import { REGIONS, type RegionSpec } from './regions';
import { Shelves, productProperties } from './shelves';
import { TagSession } from './tag-session';
import { type PlantedPair, type RegionalFavourites, type TasteKnobs, type Tastes, plantTastes, siblingSubcategories } from './tastes';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

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

interface World {
  tastes: Tastes;
  shelves: Shelves;
  knobs: ShopperKnobs;
  now: number;
  siteOrigin: string;
  seed: number;
}

interface Device {
  profile: DeviceProfile;
  anonymousId: string;
  /** The tag on this device knows the userId (it persists it after a login). */
  loggedIn: boolean;
  used: boolean;
}

interface PlannedVisit {
  at: number;
  kind: 'browse' | 'reorder';
}

interface CartLine {
  product: CatalogProduct;
  quantity: number;
}

/** One shopper: who they are, when they come, and what each visit sends. */
class ShopperSimulation {
  private readonly random: Random;
  private readonly key: string;
  private readonly region: RegionSpec;
  private readonly interests: string[];
  private readonly devices: Device[];
  private readonly account?: { userId: string; traits: JsonObject };
  private readonly habit?: { product: CatalogProduct; intervalDays: number };
  private readonly plan: PlannedVisit[];
  private orders = 0;
  private loggedInOnce = false;
  private readonly habitOrders: number[] = [];

  constructor(
    private readonly world: World,
    index: number,
  ) {
    const { knobs } = world;
    this.random = new Random(world.seed, 'shopper', index);
    this.key = `shopper-${world.seed}-${index}`;
    this.region = this.random.weighted(REGIONS, (r) => r.share);
    this.interests = this.pickInterests();
    const habitProduct = this.random.chance(knobs.habitRate) ? this.pickHabitProduct() : undefined;
    if (habitProduct) {
      const intervalDays = Math.max(3, Math.round((habitProduct.repurchase_days ?? 30) * this.random.between(0.9, 1.1)));
      this.habit = { product: habitProduct, intervalDays };
    }
    const hasAccount = this.habit !== undefined || this.random.chance(knobs.accountRate);
    const returning = this.habit !== undefined || this.random.chance(knobs.returningRate);
    const first = pickDevice(this.random);
    this.devices = [{ profile: first, anonymousId: this.random.uuid(), loggedIn: false, used: false }];
    if (hasAccount && returning && this.random.chance(knobs.crossDeviceRate)) {
      this.devices.push({ profile: pickDevice(this.random, first), anonymousId: this.random.uuid(), loggedIn: false, used: false });
    }
    if (hasAccount) this.account = this.makeAccount();
    this.plan = this.planVisits(returning);
  }

  run(): SimulatedShopper {
    const visits: Visit[] = [];
    let lastEnd = -Infinity;
    for (const planned of this.plan) {
      // Two plans on the same evening must not overlap: the later one starts after 30 minutes of quiet (a new session).
      const at = Math.max(planned.at, lastEnd + 30 * 60_000 + this.random.int(0, 3600) * 1000);
      if (at > this.world.now - 2 * HOUR) continue;
      const visit = this.visit({ ...planned, at }, visits.length);
      visits.push(visit);
      lastEnd = Date.parse(visit.messages[visit.messages.length - 1]?.timestamp ?? '') || at;
    }
    const stamps = visits.flatMap((v) => v.messages.map((m) => m.timestamp ?? ''));
    const truth: ShopperTruth = {
      shopper: this.key,
      region: this.region.key,
      anonymousIds: this.devices.filter((d) => d.used).map((d) => d.anonymousId),
      interests: [...this.interests],
      visits: visits.length,
      orders: this.orders,
      firstSeenAt: stamps[0] ?? '',
      lastSeenAt: stamps[stamps.length - 1] ?? '',
    };
    if (this.account && this.loggedInOnce) truth.userId = this.account.userId;
    let cycle: RepurchaseCycle | undefined;
    // A single order is not yet a cycle anyone could see.
    if (this.habit && this.account && this.habitOrders.length >= 2) {
      const last = this.habitOrders[this.habitOrders.length - 1] as number;
      cycle = {
        shopper: this.key,
        region: this.region.key,
        userId: this.account.userId,
        anonymousIds: truth.anonymousIds,
        productId: this.habit.product.product_id,
        intervalDays: this.habit.intervalDays,
        orderedAt: this.habitOrders.map((t) => new Date(t).toISOString()),
        nextDueAt: new Date(last + this.habit.intervalDays * DAY).toISOString(),
      };
    }
    return { truth, visits, ...(cycle ? { cycle } : {}) };
  }

  // ── who the shopper is ──────────────────────────────────────────────

  private pickInterests(): string[] {
    const { tastes, knobs } = this.world;
    const favourites = this.region.favouriteSubcategories
      .map((sub) => [...tastes.subcategoryWeight.keys()].find((path) => splitCategory(path).sub === sub))
      .filter((path): path is string => path !== undefined);
    const all = [...tastes.subcategoryWeight.keys()];
    const wanted = this.random.weighted([1, 2, 3], (n) => [0.35, 0.4, 0.25][n - 1] ?? 0);
    const interests: string[] = [];
    for (let attempt = 0; interests.length < wanted && attempt < 20; attempt++) {
      const fromRegion = favourites.length > 0 && this.random.chance(knobs.regionalBias);
      const path = fromRegion ? this.random.pick(favourites) : this.random.weighted(all, (p) => tastes.subcategoryWeight.get(p) ?? 0);
      if (!interests.includes(path)) interests.push(path);
    }
    return interests;
  }

  /** A consumable from the shopper's interests if there is one, else one their region likes, else any. */
  private pickHabitProduct(): CatalogProduct | undefined {
    const { tastes, knobs } = this.world;
    // At least two purchases must fit in the window for a cycle to be visible.
    const fits = (p: CatalogProduct) => p.consumable && p.in_stock && (p.repurchase_days ?? Infinity) * 1.1 <= knobs.days / 2;
    const inAisles = (paths: string[]) => paths.flatMap((path) => (tastes.bySubcategory.get(path) ?? []).filter(fits));
    const regional = this.region.favouriteSubcategories
      .map((sub) => [...tastes.subcategoryWeight.keys()].find((path) => splitCategory(path).sub === sub))
      .filter((path): path is string => path !== undefined);
    for (const candidates of [inAisles(this.interests), inAisles(regional), tastes.products.filter(fits)]) {
      if (candidates.length > 0) return this.random.weighted(candidates, (p) => this.weightOf(p));
    }
    return undefined;
  }

  private makeAccount(): { userId: string; traits: JsonObject } {
    const firstName = this.random.pick(this.region.firstNames);
    const lastName = this.random.pick(this.region.lastNames);
    const userId = `user-${this.random.hex(10)}`;
    const local = `${firstName}.${lastName}`.normalize('NFKD').replace(/[^A-Za-z.]/g, '').toLowerCase();
    return {
      userId,
      traits: { email: `${local}.${userId.slice(-4)}@example.com`, firstName, lastName, name: `${firstName} ${lastName}` },
    };
  }

  // ── when the shopper comes ──────────────────────────────────────────

  private planVisits(returning: boolean): PlannedVisit[] {
    const { now, knobs } = this.world;
    const start = now - knobs.days * DAY;
    const latest = now - 2 * HOUR;
    const plan: PlannedVisit[] = [];
    if (returning) {
      let t = this.random.between(start, now - 2 * DAY);
      for (let n = 0; t < latest && n < 10; n++) {
        plan.push({ at: t, kind: 'browse' });
        t += (0.1 + this.random.exponential(knobs.meanDaysBetweenVisits)) * DAY;
      }
    } else {
      plan.push({ at: this.random.between(start, latest), kind: 'browse' });
    }
    if (this.habit) {
      const interval = this.habit.intervalDays * DAY;
      // Early enough for a second order even with the latest jitter and a move to the evening.
      let t = this.random.between(start, Math.max(start, now - 1.1 * interval - 2 * DAY));
      while (t < latest) {
        plan.push({ at: t, kind: 'reorder' });
        t += interval * this.random.between(0.93, 1.07);
      }
    }
    return plan.map((p) => ({ ...p, at: this.atLocalTime(p.at, latest) })).sort((a, b) => a.at - b.at);
  }

  /** Moves a time to a likely hour of that local day: evenings most, lunch a little, nights rarely. */
  private atLocalTime(t: number, latest: number): number {
    const offset = this.region.utcOffset * HOUR;
    const localMidnight = Math.floor((t + offset) / DAY) * DAY - offset;
    const hour = this.random.weighted(HOURS, (h) => HOUR_WEIGHTS[h] ?? 0);
    let at = localMidnight + hour * HOUR + this.random.int(0, 3599) * 1000;
    while (at > latest) at -= DAY;
    return at;
  }

  // ── what happens in a visit ─────────────────────────────────────────

  private visit(planned: PlannedVisit, index: number): Visit {
    const { knobs } = this.world;
    const device = this.deviceFor(index);
    device.used = true;
    const landing = this.landingSource();
    const session = new TagSession({
      random: this.random,
      anonymousId: device.anonymousId,
      ...(device.loggedIn && this.account ? { userId: this.account.userId } : {}),
      device: device.profile,
      region: this.region,
      siteOrigin: this.world.siteOrigin,
      startAt: planned.at,
      ...landing,
    });
    const run = new VisitRun(this, session, device);
    if (planned.kind === 'reorder' && this.habit) {
      run.reorder(this.habit.product);
    } else {
      const willBuy = this.random.chance(knobs.conversionRate * (index > 0 ? 1.3 : 1));
      // Shoppers with two devices sign in on each (that is what links the two browsers); others sign in to buy, or half the time.
      const twoDevices = this.devices.length > 1;
      const loginMidway = this.account !== undefined && !device.loggedIn && (willBuy || twoDevices || this.random.chance(0.5));
      run.browse(willBuy, loginMidway);
    }
    return {
      shopper: this.key,
      geo: { country: this.region.country, region: this.region.region, city: this.region.city },
      userAgent: device.profile.userAgent,
      messages: session.messages,
    };
  }

  private deviceFor(visitIndex: number): Device {
    const [first, second] = this.devices as [Device, Device | undefined];
    if (!second || visitIndex === 0) return first;
    return this.random.chance(0.4) ? second : first;
  }

  private landingSource(): { referrer?: string; campaign?: { name: string; source: string; medium: string } } {
    const r = this.random.next();
    if (r < 0.35) return {};
    if (r < 0.7) return { referrer: 'https://www.google.com/' };
    if (r < 0.85) return { referrer: 'https://mail.example.com/', campaign: { name: 'weekly-picks', source: 'newsletter', medium: 'email' } };
    return { referrer: 'https://www.instagram.com/', campaign: { name: 'spring-collection', source: 'instagram', medium: 'social' } };
  }

  // ── helpers the visit script uses ───────────────────────────────────

  get rng(): Random {
    return this.random;
  }
  get knobs(): ShopperKnobs {
    return this.world.knobs;
  }
  get tastes(): Tastes {
    return this.world.tastes;
  }
  get interestPaths(): readonly string[] {
    return this.interests;
  }

  /** How likely this shopper picks the product among its aisle: its appeal, boosted for the region's favourites. */
  weightOf(product: CatalogProduct): number {
    return this.world.shelves.weight(this.region.key, product);
  }

  get shelves(): Shelves {
    return this.world.shelves;
  }

  /** What this shopper sets out to buy in a buying session. */
  purchaseTarget(focus: string): CatalogProduct | undefined {
    const { tastes, knobs } = this.world;
    if (this.random.chance(knobs.favouritePurchaseRate)) {
      const favourites = (tastes.favouriteSet.get(this.region.key) ?? new Set<string>());
      const candidates = [...favourites].map((id) => tastes.byId.get(id)).filter((p): p is CatalogProduct => p?.in_stock === true);
      if (candidates.length > 0) return this.random.pick(candidates);
    }
    if (this.random.chance(knobs.pairTargetRate)) {
      // Pair products are best sellers; shoppers buy the ones in their aisles, else any.
      const paired = [...tastes.partnerOf.keys()].map((id) => tastes.byId.get(id)).filter((p): p is CatalogProduct => p?.in_stock === true);
      const mine = paired.filter((p) => this.interests.includes(p.category));
      const candidates = mine.length > 0 ? mine : paired;
      if (candidates.length > 0) return this.random.weighted(candidates, (p) => this.weightOf(p));
    }
    const aisle = this.random.chance(0.7) ? focus : this.random.pick(this.interests);
    return this.productIn(aisle, true) ?? this.productIn(focus, true);
  }

  productIn(path: string, sellableOnly = false): CatalogProduct | undefined {
    return this.world.shelves.pick(this.random, this.region.key, path, sellableOnly);
  }

  identify(session: TagSession, device: Device): void {
    if (!this.account || device.loggedIn) return;
    session.identify(this.account.userId, { ...this.account.traits });
    device.loggedIn = true;
    this.loggedInOnce = true;
  }

  orderPlaced(productIds: string[], at: number, onCycle: boolean): void {
    this.orders++;
    // Only the cycle's own orders count: an occasional extra purchase is not part of the planted rhythm.
    if (onCycle && this.habit && productIds.includes(this.habit.product.product_id)) this.habitOrders.push(at);
  }
}

/** The steps of one visit, in the order a shopper clicks through the storefront. */
class VisitRun {
  private readonly random: Random;
  private readonly cartId: string;
  private readonly cart: CartLine[] = [];
  private readonly viewed: CatalogProduct[] = [];
  private aisle: string | undefined;
  private onCycle = false;

  constructor(
    private readonly shopper: ShopperSimulation,
    private readonly session: TagSession,
    private readonly device: Device,
  ) {
    this.random = shopper.rng;
    this.cartId = this.random.uuid();
  }

  browse(willBuy: boolean, loginMidway: boolean): void {
    const { knobs, tastes } = this.shopper;
    const focus = this.random.chance(0.8)
      ? this.random.pick(this.shopper.interestPaths)
      : this.random.weighted([...tastes.subcategoryWeight.keys()], (p) => tastes.subcategoryWeight.get(p) ?? 0);
    // Capped so that a session never runs past `now` (visits start at least two hours before it).
    const views = Math.min(40, this.random.count(1, knobs.meanViews));
    const target = willBuy ? this.shopper.purchaseTarget(focus) : undefined;
    const targetStep = target ? this.random.int(0, views - 1) : -1;
    const loginStep = loginMidway ? this.random.int(0, views) : -1;

    let current = this.land(focus);
    for (let step = current ? 1 : 0; step < views; step++) {
      if (step === loginStep) this.login();
      this.session.think();
      if (step === targetStep && target) {
        this.goTo(target);
        current = target;
        this.addToCart(target);
        const partner = tastes.partnerOf.get(target.product_id);
        const partnerProduct = partner ? tastes.byId.get(partner) : undefined;
        if (partnerProduct?.in_stock && this.random.chance(knobs.pairPurchaseRate)) {
          this.session.think(15);
          this.viewProduct(partnerProduct);
          this.addToCart(partnerProduct);
          current = partnerProduct;
        }
        continue;
      }
      current = this.next(current, focus);
    }
    if (target && this.cart.length === 0) {
      // The target was meant for a step the landing page already used up.
      this.session.think();
      this.goTo(target);
      this.addToCart(target);
    }
    if (loginStep >= 0) this.login();

    if (this.cart.length > 0) {
      this.checkout();
    } else if (current?.in_stock && this.random.chance(knobs.cartAbandonRate)) {
      this.addToCart(current);
      if (this.random.chance(0.4)) this.viewCart();
      if (this.random.chance(0.3)) this.removeFromCart(0);
    }
  }

  /** A shopper on a cycle: straight to the usual product, into the cart, checkout. */
  reorder(product: CatalogProduct): void {
    this.onCycle = true;
    this.session.pageView('Home', '/', 'Home');
    this.login();
    this.session.think(10);
    if (this.random.chance(0.5)) {
      this.session.pageView('Order History', '/account/orders', 'Your orders');
      this.session.think(10);
      this.viewProduct(product);
    } else {
      this.search(product.category, queryFor(product));
      this.session.think(8);
      this.viewProduct(product);
    }
    this.addToCart(product, this.random.chance(0.25) ? 2 : 1);
    this.checkout();
  }

  // ── page flows ───────────────────────────────────────────────────────

  /** The first page: home, a category, a search, or a product page from a link. Returns the product if it was one. */
  private land(focus: string): CatalogProduct | undefined {
    const r = this.random.next();
    if (r < 0.3) {
      this.session.pageView('Home', '/', 'Home');
      this.session.think();
      this.listAisle(focus);
      return undefined;
    }
    if (r < 0.55) {
      this.listAisle(focus);
      return undefined;
    }
    if (r < 0.8) {
      this.session.pageView('Home', '/', 'Home');
      this.session.think(12);
      this.search(focus);
      return undefined;
    }
    const product = this.shopper.productIn(focus);
    if (!product) return undefined;
    this.viewProduct(product);
    return product;
  }

  /** The next product view, following the shop's structure from the current one. */
  private next(current: CatalogProduct | undefined, focus: string): CatalogProduct | undefined {
    const { knobs, tastes } = this.shopper;
    if (!current) return this.pickFromAisle(this.aisle ?? focus);
    const partner = tastes.partnerOf.get(current.product_id);
    if (partner && this.random.chance(knobs.pairViewRate)) return this.viewById(partner);
    const r = this.random.next();
    let edge = knobs.similarViewRate;
    if (r < edge) {
      const near = tastes.similar.get(current.product_id) ?? [];
      if (near.length > 0) return this.viewById(this.random.weighted(near, (_, i) => near.length - i));
    }
    if (r < (edge += 0.25)) return this.pickFromAisle(current.category);
    if (r < (edge += 0.07) && this.viewed.length > 1) return this.viewById(this.random.pick(this.viewed).product_id);
    if (r < (edge += 0.1)) {
      const siblings = siblingSubcategories(tastes, current.category);
      if (siblings.length > 0) return this.listAndPick(this.random.pick(siblings));
    }
    const elsewhere = this.shopper.interestPaths.filter((p) => p !== current.category);
    return this.listAndPick(elsewhere.length > 0 ? this.random.pick(elsewhere) : focus);
  }

  /** Goes to a product, through its aisle's list when the shopper is elsewhere. */
  private goTo(product: CatalogProduct): void {
    if (this.aisle !== product.category && this.random.chance(0.5)) {
      this.listAisle(product.category);
      this.session.think();
    }
    this.viewProduct(product);
  }

  private listAndPick(path: string): CatalogProduct | undefined {
    if (this.random.chance(0.3)) this.search(path);
    else this.listAisle(path);
    this.session.think();
    return this.pickFromAisle(path);
  }

  private pickFromAisle(path: string): CatalogProduct | undefined {
    const product = this.shopper.productIn(path);
    if (product) this.viewProduct(product);
    return product;
  }

  private viewById(id: string): CatalogProduct | undefined {
    const product = this.shopper.tastes.byId.get(id);
    if (product) this.viewProduct(product);
    return product;
  }

  private listAisle(path: string): void {
    const { top, sub } = splitCategory(path);
    this.aisle = path;
    this.session.pageView('Category', `/category/${slugify(top)}/${slugify(sub)}`, sub);
    const products = this.shopper.shelves.list(`aisle|${path}`, () => this.shopper.tastes.bySubcategory.get(path) ?? []);
    this.session.track(EVENTS.productListViewed, { list_id: `category-${slugify(sub)}`, category: path, products });
  }

  private search(path: string, query = queryFor(this.shopper.rng.pick(this.shopper.tastes.bySubcategory.get(path) ?? []))): void {
    this.aisle = path;
    this.session.pageView('Search', `/search?q=${encodeURIComponent(query)}`, `Search: ${query}`);
    const words = query.toLowerCase().split(' ');
    const inAisle = this.shopper.tastes.bySubcategory.get(path) ?? [];
    const matches = inAisle.filter((p) => words.every((w) => p.name.toLowerCase().includes(w)));
    const found = matches.length > 0 ? matches : inAisle;
    // The page says how many results it shows, as the storefront's search page does.
    this.session.track(EVENTS.productsSearched, { query, result_count: found.length });
    const products = this.shopper.shelves.list(`search|${path}|${query}`, () => found);
    this.session.track(EVENTS.productListViewed, { list_id: 'search-results', products });
  }

  private viewProduct(product: CatalogProduct): void {
    this.session.pageView('Product', product.url, product.name);
    this.session.track(EVENTS.productViewed, { ...productProperties(product) });
    this.viewed.push(product);
  }

  private addToCart(product: CatalogProduct, quantity = product.consumable && this.random.chance(0.3) ? 2 : 1): void {
    this.session.think(8, 1);
    this.cart.push({ product, quantity });
    this.session.track(EVENTS.productAdded, { cart_id: this.cartId, ...productProperties(product), quantity });
  }

  private removeFromCart(index: number): void {
    const [line] = this.cart.splice(index, 1);
    if (!line) return;
    this.session.think(6, 1);
    this.session.track(EVENTS.productRemoved, { cart_id: this.cartId, ...productProperties(line.product), quantity: line.quantity });
  }

  private viewCart(): void {
    this.session.think(6);
    this.session.pageView('Cart', '/cart', 'Your cart');
    this.session.track(EVENTS.cartViewed, { cart_id: this.cartId, products: this.cart.map(cartItem) });
  }

  private checkout(): void {
    this.viewCart();
    this.session.think(10);
    this.login();
    const orderId = `order-${this.random.hex(12)}`;
    const products = this.cart.map(cartItem);
    const revenue = round2(this.cart.reduce((sum, line) => sum + line.product.price * line.quantity, 0));
    const shipping = revenue >= 50 ? 0 : 4.99;
    const tax = round2(revenue * 0.08);
    this.session.pageView('Checkout', '/checkout', 'Checkout');
    this.session.track(EVENTS.checkoutStarted, { order_id: orderId, value: revenue, revenue, currency: 'USD', products });
    this.session.think(45, 15);
    this.session.pageView('Order Confirmation', `/order/${orderId}`, 'Thank you for your order');
    this.session.track(EVENTS.orderCompleted, {
      order_id: orderId,
      checkout_id: this.cartId,
      total: round2(revenue + shipping + tax),
      revenue,
      shipping,
      tax,
      currency: 'USD',
      products,
    });
    this.shopper.orderPlaced(
      this.cart.map((l) => l.product.product_id),
      this.session.now,
      this.onCycle,
    );
  }

  private login(): void {
    this.shopper.identify(this.session, this.device);
  }
}

export { productProperties } from './shelves';

function cartItem(line: CartLine, index: number): JsonObject {
  return { ...productProperties(line.product), quantity: line.quantity, position: index + 1 };
}

/** What someone types to find a product: its kind, without brand, style or pack size. */
function queryFor(product: CatalogProduct | undefined): string {
  if (!product) return 'gift ideas';
  const withoutVariant = (product.name.split(',')[0] ?? product.name).replace(/\s+[IVX]+$/, '');
  const words = withoutVariant.slice(product.brand.length).trim().split(' ');
  return words.slice(-2).join(' ').toLowerCase();
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

const HOURS = Array.from({ length: 24 }, (_, h) => h);
// Relative traffic by local hour: quiet nights, a lunch bump, the evening peak.
const HOUR_WEIGHTS = [2, 1, 0.5, 0.3, 0.3, 0.5, 1, 2, 3, 4, 4, 5, 6, 6, 5, 5, 5, 6, 7, 9, 10, 10, 8, 4];
