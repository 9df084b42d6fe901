/**
 * One simulated shopper (shoppers.ts): who they are (region, interests, a
 * habit, an account, their devices), when they come (visits planned over
 * the window at likely local hours), and each visit's device, landing and
 * intent; the clicks of a visit are visit-run.ts's.
 */
import type { JsonObject } from '@trailmark/schema';
import { type CatalogProduct, splitCategory } from './catalog';
import { type DeviceProfile, pickDevice } from './devices';
import { Random } from './random';
import { REGIONS, type RegionSpec } from './regions';
import type { Shelves } from './shelves';
import type { RepurchaseCycle, ShopperKnobs, ShopperTruth, SimulatedShopper, Visit } from './shoppers';
import { TagSession } from './tag-session';
import type { Tastes } from './tastes';
import { VisitRun } from './visit-run';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface World {
  tastes: Tastes;
  shelves: Shelves;
  knobs: ShopperKnobs;
  now: number;
  siteOrigin: string;
  seed: number;
}

export interface Device {
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

/** One shopper: who they are, when they come, and what each visit sends. */
export class ShopperSimulation {
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
    const local = `${firstName}.${lastName}`
      .normalize('NFKD')
      .replace(/[^A-Za-z.]/g, '')
      .toLowerCase();
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
      const favourites = tastes.favouriteSet.get(this.region.key) ?? new Set<string>();
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

const HOURS = Array.from({ length: 24 }, (_, h) => h);
// Relative traffic by local hour: quiet nights, a lunch bump, the evening peak.
const HOUR_WEIGHTS = [2, 1, 0.5, 0.3, 0.3, 0.5, 1, 2, 3, 4, 4, 5, 6, 6, 5, 5, 5, 6, 7, 9, 10, 10, 8, 4];
