/**
 * The facts of contract section 7 read from one profile, at any moment.
 *
 * Each fact condition compiles to a reader: `read(facts, t)` is the fact's
 * value at time t given what the profile knows now, and, for facts that move
 * with the clock alone (days since, minutes idle, windows that expire,
 * lifecycle stages), `changeTimes(facts, now)` lists the moments after `now`
 * at which the condition's truth may flip with no new event: a superset, in
 * ascending order, so the evaluator finds the first real flip by testing them
 * in turn (condition.ts).
 */
import { audienceLifecycle, type FactCondition, type FactScalar, type LifecycleThresholds } from '@trailmark/schema';
import { DAY_MS } from '../lib/decay';
import { categoryKey, isWithin } from '../profiles/category-path';
import { lifecycleMs, lifecycleStage } from '../profiles/lifecycle';
import { cartChangedAt, type Profile } from '../profiles/profile';
import { rfmScore, type RfmBoundaries, type RfmMetric } from './rfm';

export const MINUTE_MS = 60_000;

/** What the host knows of a profile beyond its document. */
export interface AudienceSubject {
  profile: Profile;
  /** The customer id linked to the profile, if any (the identity store knows it). */
  userId?: string;
}

/** Site-wide inputs of some facts. Changing them changes memberships: see AudienceStore.invalidate. */
export interface FactSite {
  lifecycle: LifecycleThresholds;
  /** RFM quintile boundaries of the site (rfm.ts); rfm facts are unknown without them. */
  rfm?: RfmBoundaries;
}

/** A fact's value; undefined when the profile does not know it (no orders, empty cart…). */
export type FactValue = FactScalar | undefined;

/**
 * One profile's facts, with what several conditions share computed once per
 * evaluation (an event evaluates a handful of audiences against one profile).
 */
export class ProfileFacts {
  private cache = new Map<string, unknown>();

  constructor(
    readonly subject: AudienceSubject,
    readonly site: FactSite,
  ) {}

  get profile(): Profile {
    return this.subject.profile;
  }

  private memo<T>(key: string, compute: () => T): T {
    if (this.cache.has(key)) return this.cache.get(key) as T;
    const value = compute();
    this.cache.set(key, value);
    return value;
  }

  lastOrderAt(): number | undefined {
    return this.memo('lastOrderAt', () => {
      const p = this.profile;
      let latest = -Infinity;
      for (const order of p.orders) latest = Math.max(latest, order.at);
      if (latest === -Infinity) for (const history of Object.values(p.purchases)) latest = Math.max(latest, history.lastAt);
      return latest === -Infinity ? undefined : latest;
    });
  }

  cart(): { items: number; value: number } {
    return this.memo('cart', () => {
      let items = 0;
      let value = 0;
      for (const line of Object.values(this.profile.cart)) {
        items += line.quantity;
        value += (line.price ?? 0) * line.quantity;
      }
      return { items, value };
    });
  }

  /** When the cart became idle: its last change, while it holds items and no order followed. */
  cartIdleSince(): number | undefined {
    return this.memo('cartIdleSince', () => {
      if (this.cart().items <= 0) return undefined;
      const changedAt = cartChangedAt(this.profile);
      const orderedAt = this.lastOrderAt();
      if (changedAt === undefined || (orderedAt !== undefined && orderedAt >= changedAt)) return undefined;
      return changedAt;
    });
  }

  /** Interest per category key, scaled so the strongest is 1 (decay is common to all, so the ratio holds at any time). */
  interest(key: string): number {
    const shares = this.memo('interests', () => {
      const byKey = new Map<string, number>();
      let top = 0;
      for (const [category, score] of Object.entries(this.profile.interests)) {
        const k = categoryKey(category);
        if (!k) continue;
        byKey.set(k, (byKey.get(k) ?? 0) + score);
        top = Math.max(top, byKey.get(k)!);
      }
      return { byKey, top };
    });
    const score = shares.byKey.get(key) ?? 0;
    return shares.top > 0 ? score / shares.top : 0;
  }

  /** Product and list views with their category keys, keyed once for every category a condition asks about. */
  private views(): { key: string; at: number }[] {
    return this.memo('views', () => {
      const p = this.profile;
      const views: { key: string; at: number }[] = [];
      for (const view of p.recentViews) {
        const key = view.category && categoryKey(view.category);
        if (key) views.push({ key, at: view.at });
      }
      for (const list of p.recentLists) {
        const key = categoryKey(list.category);
        if (key) views.push({ key, at: list.at });
      }
      return views;
    });
  }

  /** Times of product and list views in a category or its subcategories, ascending. */
  viewTimes(key: string): number[] {
    return this.memo(`views:${key}`, () =>
      this.views()
        .filter((view) => isWithin(view.key, key))
        .map((view) => view.at)
        .sort((a, b) => a - b),
    );
  }

  /** Orders containing a product or a category: all-time count and times, ascending. */
  purchases(by: { productId?: string; category?: string }): { count: number; times: readonly number[] } {
    const key = by.productId !== undefined ? `product:${by.productId}` : `category:${by.category ?? ''}`;
    return this.memo(key, () => {
      const history = by.productId !== undefined ? this.profile.purchases[by.productId] : this.profile.categoryPurchases?.[by.category ?? ''];
      // Documents from before purchase times were kept know only the latest.
      const times = history?.times ?? (history ? [history.lastAt] : []);
      return { count: history?.count ?? 0, times: [...times].sort((a, b) => a - b) };
    });
  }

  /** Products bought on a cycle (twice or more, at least a day apart on average): when the next purchase is due. */
  cycles(): { dueAt: number; dropAt: number }[] {
    return this.memo('cycles', () =>
      Object.values(this.profile.purchases)
        .filter((h) => h.count >= 2 && h.meanIntervalMs !== undefined && h.meanIntervalMs >= DAY_MS)
        // Whole milliseconds, so the moment a day count changes is exact.
        .map((h) => ({ dueAt: Math.round(h.lastAt + h.meanIntervalMs!), dropAt: Math.round(h.lastAt + 2 * h.meanIntervalMs!) })),
    );
  }

  trait(name: string): FactValue {
    const value = this.profile.traits?.[name];
    return value === undefined ? undefined : value;
  }
}

export interface FactReader {
  read(facts: ProfileFacts, t: number): FactValue;
  /** Moments after `now`, ascending, at which the condition may flip with no new event. Absent: never. */
  changeTimes?(facts: ProfileFacts, now: number): number[];
}

/** Whole units elapsed since `origin` (0 before a whole unit has passed). */
const since = (origin: number, t: number, unit: number) => Math.max(0, Math.floor((t - origin) / unit));

/**
 * Integer values near the numbers a condition compares with: a whole-number
 * fact crossing one of them is the only way the condition's truth can change.
 */
function nearValues(numbers: number[]): number[] {
  const out = new Set<number>();
  for (const x of numbers) for (const base of [Math.floor(x), Math.ceil(x)]) for (const d of [-1, 0, 1]) out.add(base + d);
  return [...out].sort((a, b) => a - b);
}

function thresholds(leaf: FactCondition): number[] {
  const values = Array.isArray(leaf.value) ? leaf.value : [leaf.value];
  return values.filter((v): v is number => typeof v === 'number');
}

/** The distinct moments after `now`, ascending (evaluated for every audience an event touches: no intermediate sets or copies). */
function ascendingAfter(now: number, times: readonly number[]): number[] {
  const out: number[] = [];
  for (const t of times) if (t > now) out.push(t);
  if (out.length < 2) return out;
  out.sort((a, b) => a - b);
  let kept = 1;
  for (let i = 1; i < out.length; i++) if (out[i] !== out[kept - 1]) out[kept++] = out[i]!;
  out.length = kept;
  return out;
}

/** A count of whole units since a moment; the condition can only flip when the count reaches a value near its thresholds. */
function sinceReader(origin: (facts: ProfileFacts) => number | undefined, unit: number, leaf: FactCondition): FactReader {
  const near = nearValues(thresholds(leaf)).filter((c) => c >= 1);
  return {
    read: (facts, t) => {
      const at = origin(facts);
      return at === undefined ? undefined : since(at, t, unit);
    },
    changeTimes: (facts, now) => {
      const at = origin(facts);
      return at === undefined
        ? []
        : ascendingAfter(
            now,
            near.map((c) => at + c * unit),
          );
    },
  };
}

/** The number of ascending `times` after `after` (binary search: the scan of change times reads it at each). */
function countAfter(times: readonly number[], after: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! > after) hi = mid;
    else lo = mid + 1;
  }
  return times.length - lo;
}

/** How many of the moments (ascending) fall within the `window` before t; changes only as each leaves the window. */
function windowReader(times: (facts: ProfileFacts) => readonly number[], window: number): FactReader {
  return {
    read: (facts, t) => countAfter(times(facts), t - window),
    changeTimes: (facts, now) =>
      ascendingAfter(
        now,
        times(facts).map((at) => at + window),
      ),
  };
}

const staticReader = (read: (facts: ProfileFacts) => FactValue): FactReader => ({ read: (facts) => read(facts) });

function rfmReader(metric: RfmMetric): FactReader {
  if (metric !== 'recency') {
    return staticReader((facts) => {
      const p = facts.profile;
      if (!facts.site.rfm || p.counts.orders <= 0) return undefined;
      return rfmScore(metric, metric === 'frequency' ? p.counts.orders : p.revenue, facts.site.rfm);
    });
  }
  // Recency is scored on whole days since the latest order: the score drops as the days reach each boundary.
  return {
    read: (facts, t) => {
      const at = facts.lastOrderAt();
      if (!facts.site.rfm || at === undefined) return undefined;
      return rfmScore('recency', since(at, t, DAY_MS), facts.site.rfm);
    },
    changeTimes: (facts, now) => {
      const at = facts.lastOrderAt();
      if (!facts.site.rfm || at === undefined) return [];
      const near = nearValues(facts.site.rfm.recency.filter(Number.isFinite)).filter((c) => c >= 1);
      return ascendingAfter(
        now,
        near.map((c) => at + c * DAY_MS),
      );
    },
  };
}

function lifecycleReader(): FactReader {
  return {
    read: (facts, t) => audienceLifecycle(lifecycleStage(facts.profile, t, facts.site.lifecycle)),
    // A stage changes one millisecond after a threshold is passed (lifecycleStage compares with <=).
    changeTimes: (facts, now) => {
      const { lastSeen, firstSeen } = facts.profile;
      const t = facts.site.lifecycle;
      return ascendingAfter(now, [
        lastSeen + lifecycleMs(t.activeDays) + 1,
        lastSeen + lifecycleMs(t.atRiskDays) + 1,
        lastSeen + lifecycleMs(t.lapsedDays) + 1,
        firstSeen + lifecycleMs(t.activeDays) + 1,
      ]);
    },
  };
}

/**
 * Days until the soonest predicted repurchase, negative when overdue; a
 * cycle overdue by a whole interval is taken as broken and no longer counts.
 */
function reorderReader(leaf: FactCondition): FactReader {
  const near = nearValues(thresholds(leaf));
  return {
    read: (facts, t) => {
      let soonest: number | undefined;
      for (const { dueAt, dropAt } of facts.cycles()) {
        if (t >= dropAt) continue;
        const days = Math.ceil((dueAt - t) / DAY_MS);
        if (soonest === undefined || days < soonest) soonest = days;
      }
      return soonest;
    },
    // The soonest value reaches a value near a threshold when one product's count does, or changes when a cycle drops out.
    changeTimes: (facts, now) =>
      ascendingAfter(
        now,
        facts.cycles().flatMap(({ dueAt, dropAt }) => [dropAt, ...near.map((c) => dueAt - c * DAY_MS)]),
      ),
  };
}

/** The reader of a (validated) fact condition. */
export function factReader(leaf: FactCondition): FactReader {
  const fact = leaf.fact;
  if (fact.startsWith('trait.')) {
    const name = fact.slice('trait.'.length);
    return staticReader((facts) => facts.trait(name));
  }
  switch (fact) {
    case 'lifecycle':
      return lifecycleReader();
    case 'country':
      return staticReader((facts) => facts.profile.geo.country);
    case 'region':
      return staticReader((facts) => facts.profile.geo.region);
    case 'device':
      return staticReader((facts) => facts.profile.device.type);
    case 'identified':
      return staticReader((facts) => facts.subject.userId !== undefined && facts.subject.userId !== '');
    case 'firstSeenDays':
      return sinceReader((facts) => facts.profile.firstSeen, DAY_MS, leaf);
    case 'lastSeenDays':
      return sinceReader((facts) => facts.profile.lastSeen, DAY_MS, leaf);
    case 'sessions':
      return staticReader((facts) => facts.profile.sessionCount);
    case 'orders':
      return staticReader((facts) => facts.profile.counts.orders);
    case 'revenue':
      return staticReader((facts) => facts.profile.revenue);
    case 'averageOrderValue':
      return staticReader((facts) => (facts.profile.counts.orders > 0 ? facts.profile.revenue / facts.profile.counts.orders : undefined));
    case 'lastOrderDays':
      return sinceReader((facts) => facts.lastOrderAt(), DAY_MS, leaf);
    case 'rfm.recency':
      return rfmReader('recency');
    case 'rfm.frequency':
      return rfmReader('frequency');
    case 'rfm.monetary':
      return rfmReader('monetary');
    case 'interest': {
      const key = categoryKey(leaf.category ?? '') ?? '';
      return staticReader((facts) => facts.interest(key));
    }
    case 'viewedCategory': {
      const key = categoryKey(leaf.category ?? '') ?? '';
      return windowReader((facts) => facts.viewTimes(key), (leaf.withinMinutes ?? 0) * MINUTE_MS);
    }
    case 'purchased': {
      const by = leaf.productId !== undefined ? { productId: leaf.productId } : { category: categoryKey(leaf.category ?? '') ?? '' };
      if (leaf.withinDays === undefined) return staticReader((facts) => facts.purchases(by).count);
      return windowReader((facts) => facts.purchases(by).times, leaf.withinDays * DAY_MS);
    }
    case 'cartItems':
      return staticReader((facts) => facts.cart().items);
    case 'cartValue':
      return staticReader((facts) => facts.cart().value);
    case 'cartIdleMinutes':
      return sinceReader((facts) => facts.cartIdleSince(), MINUTE_MS, leaf);
    case 'reorderDueDays':
      return reorderReader(leaf);
    default:
      throw new Error(`unknown fact ${fact}: validate definitions with parseAudienceDefinition first`);
  }
}

/** Facts that take no qualifier, in the catalogue's order (the profile API lists them). */
const PLAIN_FACTS = [
  'lifecycle',
  'country',
  'region',
  'device',
  'identified',
  'firstSeenDays',
  'lastSeenDays',
  'sessions',
  'orders',
  'revenue',
  'averageOrderValue',
  'lastOrderDays',
  'rfm.recency',
  'rfm.frequency',
  'rfm.monetary',
  'cartItems',
  'cartValue',
  'cartIdleMinutes',
  'reorderDueDays',
] as const;

/**
 * A profile's facts at `now` as conditions see them, for the profile API:
 * every fact without qualifiers that the profile knows, and its traits as
 * `trait.NAME` (admin only: traits are personal data).
 */
export function describeFacts(facts: ProfileFacts, now: number): Record<string, FactScalar> {
  const out: Record<string, FactScalar> = {};
  for (const fact of PLAIN_FACTS) {
    const value = factReader({ fact, op: 'exists' }).read(facts, now);
    if (value !== undefined) out[fact] = typeof value === 'number' ? Math.round(value * 100) / 100 : value;
  }
  for (const [name, value] of Object.entries(facts.profile.traits ?? {})) out[`trait.${name}`] = value;
  return out;
}
