/**
 * A shopper's live profile and how each event changes it. Pure: the same
 * functions run in ShopState and in the offline benchmark.
 *
 * Static facts (region, device, first seen) and dynamic behaviour (views,
 * searches, cart, orders, recency, frequency, spend), turned into decaying
 * interest scores per category and purchase intervals per product.
 */
import { DEFAULT_CURRENCY, EVENTS, type StoredMessage } from '@trailmark/schema';
import { productFacts, productsOfMessage, type ProductFacts } from '../catalog/product-facts';
import { DAY_MS, decayedWeight, LEGACY_EPOCH_MS, needsRebase, rebaseFactor, valueAt } from '../lib/decay';
import { eventTimeMs } from '../lib/event-time';
import type { LifecycleStage, LifecycleThresholds } from '@trailmark/schema';
import { categoryKeys } from './category-path';
import { orderTotal } from './order-total';
import { mergeTraits, withTraits, type Traits } from './traits';
import { countOnce, mergeCounted, type CountedDays } from './once-a-day';

export const SESSION_GAP_MS = 30 * 60_000;
export const INTEREST_HALF_LIFE_MS = 14 * DAY_MS;
const RECENT_VIEWS = 30;
/** Earlier views of the session reported with a new view (the aggregates link it to some of them). */
const PREVIOUS_VIEWS = 10;
const SESSION_VIEWS = 20;
const RECENT_LISTS = 10;
const RECENT_SEARCHES = 10;
const RECENT_ORDERS = 20;
const RECENT_REC_CLICKS = 10;
const MAX_INTERESTS = 40;
const MAX_PURCHASES = 100;
/** Purchase times kept per product and per category, for "purchased … within N days" (N ≤ 365). */
export const PURCHASE_WINDOW_MS = 366 * DAY_MS;
/** Purchase times kept per product and per category (counts within a window read at most these). */
const PRODUCT_TIMES = 6;
const CATEGORY_TIMES = 12;
/** Category paths kept for audience facts are cut to the length a condition may name. */
const MAX_CATEGORY = 200;
const MAX_CATEGORY_PURCHASES = 30;
/** How long after a recommendation click an add or order is credited to it. */
export const ATTRIBUTION_WINDOW_MS = 7 * DAY_MS;

/** How much each kind of behaviour says about an interest. */
const INTEREST_WEIGHTS = { view: 1, list: 0.5, search: 0.5, add: 3, order: 5 } as const;

export interface TimedProduct {
  productId: string;
  at: number;
  /** The product's category path (documents stored before it was kept lack it). */
  category?: string;
}

/** Orders that contained a product or a category: all-time count and the latest times (within PURCHASE_WINDOW_MS). */
export interface PurchaseHistory {
  count: number;
  lastAt: number;
  meanIntervalMs?: number;
  /** Ascending, at most PRODUCT_TIMES (CATEGORY_TIMES for a category), none older than PURCHASE_WINDOW_MS before the latest. */
  times?: number[];
}

export interface Profile {
  profileId: string;
  firstSeen: number;
  lastSeen: number;
  geo: { country?: string; region?: string; city?: string };
  device: { type?: string; browser?: string; os?: string };
  sessionCount: number;
  session: { id: string; startedAt: number; lastAt: number; views: string[] };
  counts: { events: number; pageViews: number; productViews: number; searches: number; adds: number; orders: number };
  /** Revenue in the site's currency: revenueByCurrency at the site's currency, as of the latest order. */
  revenue: number;
  /**
   * Order totals per ISO 4217 currency, never summed across currencies.
   * Absent in documents from before it, whose `revenue` counts in the site's currency.
   */
  revenueByCurrency?: Record<string, number>;
  recentViews: TimedProduct[];
  recentLists: { category: string; at: number }[];
  searches: { query: string; at: number }[];
  cart: Record<string, { quantity: number; price?: number; at: number }>;
  orders: { orderId: string; at: number; total: number; currency?: string; productIds: string[] }[];
  /** Category → decayed score (see lib/decay), relative to `interestsEpoch`. */
  interests: Record<string, number>;
  /** Epoch of the interest scores; documents from before epochs moved have none (LEGACY_EPOCH_MS). */
  interestsEpoch?: number;
  /** Product → purchase history, for repurchase cycles. */
  purchases: Record<string, PurchaseHistory>;
  recClicks: { recId: string; slot: string; variant: string; productId: string; at: number }[];
  /** Identify traits (personal data: never in a public answer). Absent until the first identify. */
  traits?: Traits;
  /** Last time a product was added to or removed from the cart. Older documents: the latest line's `at`. */
  cartChangedAt?: number;
  /** Category key (lower case, see category-path) and each ancestor → orders containing it. */
  categoryPurchases?: Record<string, Omit<PurchaseHistory, 'meanIntervalMs'>>;
  /** What this shopper's events already counted for in the shop-wide aggregates (once-a-day.ts); absent in older documents. */
  counted?: CountedDays;
}

export function newProfile(profileId: string, at: number): Profile {
  return {
    profileId,
    firstSeen: at,
    lastSeen: at,
    geo: {},
    device: {},
    sessionCount: 0,
    session: { id: '', startedAt: at, lastAt: 0, views: [] },
    counts: { events: 0, pageViews: 0, productViews: 0, searches: 0, adds: 0, orders: 0 },
    revenue: 0,
    revenueByCurrency: {},
    recentViews: [],
    recentLists: [],
    searches: [],
    cart: {},
    orders: [],
    interests: {},
    interestsEpoch: at,
    purchases: {},
    recClicks: [],
    counted: [],
  };
}

/** Credit of an add or an order to the recommendation that led to it. */
export interface Attribution {
  recId: string;
  slot: string;
  variant: string;
  productId: string;
}

/**
 * What an event changed, for the shop-wide aggregates and the stored message.
 * `counts` says whether the behaviour is this shopper's first of its kind on
 * the product that day, the only one that adds to what everyone sees.
 */
export interface EventEffects {
  /** A product view, with the session's earlier views, most recent first. */
  viewed?: { product: ProductFacts; previous: string[]; counts: boolean };
  /** A cart addition, with what else was in the cart. */
  added?: { product: ProductFacts; cartOthers: string[]; counts: boolean };
  /** An order; `counted` holds the ids of its products that count. */
  ordered?: { products: ProductFacts[]; orderId: string; counted: string[] };
  /** Products bought again, with the days since the previous purchase. */
  repurchased?: { productId: string; intervalMs: number }[];
  attributions?: Attribution[];
}

const pushCapped = <T>(list: T[], item: T, cap: number) => {
  list.push(item);
  if (list.length > cap) list.splice(0, list.length - cap);
};

/** Scores of `interests` (relative to `fromEpoch`) made relative to `toEpoch`. */
function rebasedInterests(interests: Record<string, number>, fromEpoch: number, toEpoch: number): Record<string, number> {
  const factor = rebaseFactor(fromEpoch, toEpoch, INTEREST_HALF_LIFE_MS);
  return Object.fromEntries(Object.entries(interests).map(([category, score]) => [category, score * factor]));
}

function addInterest(profile: Profile, category: string | undefined, weight: number, at: number): void {
  if (!category) return;
  let epoch = profile.interestsEpoch ?? LEGACY_EPOCH_MS;
  if (needsRebase(at, INTEREST_HALF_LIFE_MS, epoch)) {
    profile.interests = rebasedInterests(profile.interests, epoch, at);
    profile.interestsEpoch = epoch = at;
  }
  // "Top > Sub" counts for the subcategory and, at half weight, for the top category.
  const parts = category.split('>').map((p) => p.trim()).filter(Boolean);
  const leaf = parts.join(' > ');
  profile.interests[leaf] = (profile.interests[leaf] ?? 0) + decayedWeight(weight, at, INTEREST_HALF_LIFE_MS, epoch);
  if (parts.length > 1) profile.interests[parts[0]!] = (profile.interests[parts[0]!] ?? 0) + decayedWeight(weight / 2, at, INTEREST_HALF_LIFE_MS, epoch);
  const keys = Object.keys(profile.interests);
  if (keys.length > MAX_INTERESTS) {
    const weakest = keys.sort((a, b) => profile.interests[a]! - profile.interests[b]!)[0]!;
    delete profile.interests[weakest];
  }
}

function attributionFor(profile: Profile, productId: string, at: number): Attribution | undefined {
  for (let i = profile.recClicks.length - 1; i >= 0; i--) {
    const click = profile.recClicks[i]!;
    if (click.productId === productId && at - click.at <= ATTRIBUTION_WINDOW_MS && at >= click.at) {
      return { recId: click.recId, slot: click.slot, variant: click.variant, productId };
    }
  }
  return undefined;
}

const str = (value: unknown) => (typeof value === 'string' && value ? value : undefined);

/** What a site's settings say about applying its events to a profile. */
export interface ApplyOptions {
  /** The site's currency: an order without one is in it, and `revenue` counts in it. */
  currency: string;
}

const DEFAULT_APPLY: ApplyOptions = { currency: DEFAULT_CURRENCY };

/** The profile's revenue per currency; an older document's single sum counts in the site's currency. */
export function revenueByCurrency(profile: Profile, siteCurrency: string): Record<string, number> {
  return profile.revenueByCurrency ?? (profile.revenue ? { [siteCurrency]: profile.revenue } : {});
}

/** Applies one stored message to the profile (mutating it) and says what it changed. */
export function applyEvent(profile: Profile, message: StoredMessage, options: ApplyOptions = DEFAULT_APPLY): EventEffects {
  const at = eventTimeMs(message);
  const effects: EventEffects = {};
  profile.counts.events++;
  profile.firstSeen = Math.min(profile.firstSeen, at);
  if (at >= profile.lastSeen) {
    profile.lastSeen = at;
    const { geo, device } = message.context;
    if (geo.country) profile.geo = { country: geo.country, region: geo.region, city: geo.city };
    if (device.type && device.type !== 'other') profile.device = { type: device.type, browser: device.browser, os: device.os };
  }

  const sessionId = typeof message.context.sessionId === 'string' ? message.context.sessionId : undefined;
  const newSession = sessionId ? sessionId !== profile.session.id : at - profile.session.lastAt > SESSION_GAP_MS;
  if (newSession && at >= profile.session.lastAt) {
    profile.sessionCount++;
    profile.session = { id: sessionId ?? `s${at}`, startedAt: at, lastAt: at, views: [] };
  } else {
    profile.session.lastAt = Math.max(profile.session.lastAt, at);
  }

  if (message.type === 'page' || message.type === 'screen') {
    profile.counts.pageViews++;
    return effects;
  }
  if (message.type === 'identify') {
    profile.traits = withTraits(profile.traits, message.traits);
    return effects;
  }
  if (message.type !== 'track') return effects;
  const properties = (message.properties ?? {}) as Record<string, unknown>;

  switch (message.event) {
    case EVENTS.productViewed: {
      const product = productFacts(properties);
      if (!product) break;
      profile.counts.productViews++;
      const previous = profile.session.views.filter((id) => id !== product.productId).slice(-PREVIOUS_VIEWS).reverse();
      effects.viewed = { product, previous, counts: countOnce((profile.counted ??= []), 'view', product.productId, at) };
      profile.session.views = profile.session.views.filter((id) => id !== product.productId);
      pushCapped(profile.session.views, product.productId, SESSION_VIEWS);
      profile.recentViews = profile.recentViews.filter((v) => v.productId !== product.productId);
      pushCapped(profile.recentViews, { productId: product.productId, at, ...(product.category ? { category: product.category.slice(0, MAX_CATEGORY) } : {}) }, RECENT_VIEWS);
      addInterest(profile, product.category, INTEREST_WEIGHTS.view, at);
      break;
    }
    case EVENTS.productListViewed: {
      const category = str(properties.category) ?? str(properties.list_id);
      if (category) {
        pushCapped(profile.recentLists, { category, at }, RECENT_LISTS);
        addInterest(profile, str(properties.category), INTEREST_WEIGHTS.list, at);
      }
      break;
    }
    case EVENTS.productsSearched: {
      const query = str(properties.query);
      if (query) {
        profile.counts.searches++;
        pushCapped(profile.searches, { query: query.slice(0, 200), at }, RECENT_SEARCHES);
      }
      break;
    }
    case EVENTS.productAdded: {
      const product = productFacts(properties);
      if (!product) break;
      profile.counts.adds++;
      const cartOthers = Object.keys(profile.cart).filter((id) => id !== product.productId);
      const current = profile.cart[product.productId];
      profile.cart[product.productId] = { quantity: (current?.quantity ?? 0) + (product.quantity ?? 1), price: product.price, at };
      profile.cartChangedAt = Math.max(cartChangedAt(profile) ?? at, at);
      addInterest(profile, product.category, INTEREST_WEIGHTS.add, at);
      effects.added = { product, cartOthers, counts: countOnce((profile.counted ??= []), 'add', product.productId, at) };
      const credit = attributionFor(profile, product.productId, at);
      if (credit) effects.attributions = [credit];
      break;
    }
    case EVENTS.productRemoved: {
      const product = productFacts(properties);
      if (!product) break;
      const current = profile.cart[product.productId];
      if (!current) break;
      const left = current.quantity - (product.quantity ?? current.quantity);
      profile.cartChangedAt = Math.max(cartChangedAt(profile) ?? at, at);
      if (left > 0) current.quantity = left;
      else delete profile.cart[product.productId];
      break;
    }
    case EVENTS.orderCompleted: {
      const products = productsOfMessage(message);
      const orderId = str(properties.order_id) ?? message.messageId;
      const { total, currency } = orderTotal(properties, products, options.currency);
      profile.counts.orders++;
      const money = revenueByCurrency(profile, options.currency);
      money[currency] = (money[currency] ?? 0) + total;
      profile.revenueByCurrency = money;
      profile.revenue = money[options.currency] ?? 0;
      pushCapped(profile.orders, { orderId, at, total, currency, productIds: products.map((p) => p.productId) }, RECENT_ORDERS);
      const repurchased: { productId: string; intervalMs: number }[] = [];
      const attributions: Attribution[] = [];
      for (const product of products) {
        addInterest(profile, product.category, INTEREST_WEIGHTS.order, at);
        const history = profile.purchases[product.productId];
        if (history && at > history.lastAt) {
          const intervalMs = at - history.lastAt;
          history.meanIntervalMs = history.meanIntervalMs === undefined ? intervalMs : (history.meanIntervalMs * (history.count - 1) + intervalMs) / history.count;
          history.count++;
          history.lastAt = at;
          history.times = mergeTimes(history.times, [at], PRODUCT_TIMES);
          repurchased.push({ productId: product.productId, intervalMs });
        } else if (!history) {
          profile.purchases[product.productId] = { count: 1, lastAt: at, times: [at] };
        }
        delete profile.cart[product.productId];
        const credit = attributionFor(profile, product.productId, at);
        if (credit) attributions.push(credit);
      }
      trimPurchases(profile);
      recordCategoryPurchases(profile, products, at);
      const counted = products.filter((p) => countOnce((profile.counted ??= []), 'order', p.productId, at)).map((p) => p.productId);
      effects.ordered = { products, orderId, counted };
      if (repurchased.length) effects.repurchased = repurchased;
      if (attributions.length) effects.attributions = attributions;
      break;
    }
    case EVENTS.recommendationClicked: {
      const recId = str(properties.rec_id);
      const productId = str(properties.product_id);
      if (recId && productId) {
        pushCapped(
          profile.recClicks,
          { recId, slot: str(properties.slot) ?? 'unknown', variant: str(properties.variant) ?? 'treatment', productId, at },
          RECENT_REC_CLICKS,
        );
      }
      break;
    }
    default:
      break;
  }
  return effects;
}

/** Both lists of times as one: ascending, within the window of the latest, at most `cap`. */
function mergeTimes(a: number[] | undefined, b: number[] | undefined, cap: number): number[] {
  const all = [...(a ?? []), ...(b ?? [])].sort((x, y) => x - y);
  const latest = all[all.length - 1] ?? 0;
  return all.filter((t) => t > latest - PURCHASE_WINDOW_MS).slice(-cap);
}

/** One order counts once for each category (and ancestor) its products belong to. */
function recordCategoryPurchases(profile: Profile, products: ProductFacts[], at: number): void {
  const keys = new Set(products.flatMap((p) => (p.category ? categoryKeys(p.category.slice(0, MAX_CATEGORY)) : [])));
  if (keys.size === 0) return;
  const byCategory = (profile.categoryPurchases ??= {});
  for (const key of keys) {
    const history = byCategory[key];
    if (history) {
      history.count++;
      history.lastAt = Math.max(history.lastAt, at);
      history.times = mergeTimes(history.times, [at], CATEGORY_TIMES);
    } else {
      byCategory[key] = { count: 1, lastAt: at, times: [at] };
    }
  }
  trimCategoryPurchases(byCategory);
}

function trimCategoryPurchases(byCategory: NonNullable<Profile['categoryPurchases']>): void {
  const keys = Object.keys(byCategory);
  if (keys.length <= MAX_CATEGORY_PURCHASES) return;
  keys.sort((a, b) => byCategory[a]!.lastAt - byCategory[b]!.lastAt);
  for (const key of keys.slice(0, keys.length - MAX_CATEGORY_PURCHASES)) delete byCategory[key];
}

/** When the cart last changed; documents stored before the field existed fall back to the latest line. */
export function cartChangedAt(profile: Profile): number | undefined {
  if (profile.cartChangedAt !== undefined) return profile.cartChangedAt;
  const lines = Object.values(profile.cart);
  return lines.length ? Math.max(...lines.map((line) => line.at)) : undefined;
}

function trimPurchases(profile: Profile): void {
  const ids = Object.keys(profile.purchases);
  if (ids.length <= MAX_PURCHASES) return;
  ids.sort((a, b) => profile.purchases[a]!.lastAt - profile.purchases[b]!.lastAt);
  for (const id of ids.slice(0, ids.length - MAX_PURCHASES)) delete profile.purchases[id];
}

/** Joins `from` into `into` (an anonymous browser meeting its customer): histories interleave by time. */
export function mergeProfiles(into: Profile, from: Profile, siteCurrency: string = DEFAULT_CURRENCY): Profile {
  const money = { ...revenueByCurrency(into, siteCurrency) };
  for (const [currency, amount] of Object.entries(revenueByCurrency(from, siteCurrency))) money[currency] = (money[currency] ?? 0) + amount;
  const byTime = <T extends { at: number }>(a: T[], b: T[], cap: number) => [...a, ...b].sort((x, y) => x.at - y.at).slice(-cap);
  const merged: Profile = {
    ...into,
    firstSeen: Math.min(into.firstSeen, from.firstSeen),
    lastSeen: Math.max(into.lastSeen, from.lastSeen),
    geo: from.lastSeen > into.lastSeen && from.geo.country ? from.geo : into.geo,
    device: from.lastSeen > into.lastSeen && from.device.type ? from.device : into.device,
    sessionCount: into.sessionCount + from.sessionCount,
    session: from.session.lastAt > into.session.lastAt ? from.session : into.session,
    counts: Object.fromEntries(
      Object.entries(into.counts).map(([key, value]) => [key, value + from.counts[key as keyof Profile['counts']]]),
    ) as Profile['counts'],
    revenue: money[siteCurrency] ?? 0,
    revenueByCurrency: money,
    recentViews: dedupeLatest(byTime(into.recentViews, from.recentViews, RECENT_VIEWS * 2)).slice(-RECENT_VIEWS),
    recentLists: byTime(into.recentLists, from.recentLists, RECENT_LISTS),
    searches: byTime(into.searches, from.searches, RECENT_SEARCHES),
    cart: { ...into.cart, ...from.cart },
    orders: byTime(into.orders, from.orders, RECENT_ORDERS),
    interests: { ...into.interests },
    purchases: { ...into.purchases },
    recClicks: byTime(into.recClicks, from.recClicks, RECENT_REC_CLICKS),
    counted: mergeCounted(into.counted ?? [], from.counted ?? []),
  };
  const traits = from.lastSeen > into.lastSeen ? mergeTraits(into.traits, from.traits) : mergeTraits(from.traits, into.traits);
  if (traits) merged.traits = traits;
  const changedAt = Math.max(cartChangedAt(into) ?? -Infinity, cartChangedAt(from) ?? -Infinity);
  if (Number.isFinite(changedAt)) merged.cartChangedAt = changedAt;
  // Interest scores add up once they share an epoch: the later of the two.
  const intoEpoch = into.interestsEpoch ?? LEGACY_EPOCH_MS;
  const fromEpoch = from.interestsEpoch ?? LEGACY_EPOCH_MS;
  const epoch = Math.max(intoEpoch, fromEpoch);
  merged.interestsEpoch = epoch;
  merged.interests = rebasedInterests(into.interests, intoEpoch, epoch);
  for (const [category, score] of Object.entries(rebasedInterests(from.interests, fromEpoch, epoch))) {
    merged.interests[category] = (merged.interests[category] ?? 0) + score;
  }
  for (const [productId, history] of Object.entries(from.purchases)) {
    const mine = merged.purchases[productId];
    merged.purchases[productId] = mine
      ? {
          count: mine.count + history.count,
          lastAt: Math.max(mine.lastAt, history.lastAt),
          meanIntervalMs: mine.meanIntervalMs ?? history.meanIntervalMs,
          times: mergeTimes(mine.times, history.times, PRODUCT_TIMES),
        }
      : history;
  }
  if (from.categoryPurchases) {
    const byCategory = { ...into.categoryPurchases };
    for (const [key, history] of Object.entries(from.categoryPurchases)) {
      const mine = byCategory[key];
      byCategory[key] = mine ? { count: mine.count + history.count, lastAt: Math.max(mine.lastAt, history.lastAt), times: mergeTimes(mine.times, history.times, CATEGORY_TIMES) } : history;
    }
    trimCategoryPurchases(byCategory);
    merged.categoryPurchases = byCategory;
  }
  return merged;
}

function dedupeLatest(views: TimedProduct[]): TimedProduct[] {
  const latest = new Map<string, TimedProduct>();
  for (const view of views) latest.set(view.productId, view);
  return [...latest.values()].sort((a, b) => a.at - b.at);
}

/**
 * Lifecycle by recency and frequency: new (first seen within the active
 * window, on their first visit), active (seen within activeDays), at risk
 * (idle up to atRiskDays), sleeping (idle up to lapsedDays), lapsed (longer).
 */
export function lifecycleStage(profile: Profile, nowMs: number, t: LifecycleThresholds): LifecycleStage {
  // In whole milliseconds, so the moment a stage changes is exact (audiences wake up at it).
  const idleMs = nowMs - profile.lastSeen;
  const active = lifecycleMs(t.activeDays);
  if (idleMs <= active) {
    const firstVisit = nowMs - profile.firstSeen <= active && profile.sessionCount <= 1;
    return firstVisit ? 'new' : 'active';
  }
  if (idleMs <= lifecycleMs(t.atRiskDays)) return 'at-risk';
  if (idleMs <= lifecycleMs(t.lapsedDays)) return 'sleeping';
  return 'lapsed';
}

/** A lifecycle threshold in whole milliseconds. */
export const lifecycleMs = (days: number) => Math.round(days * DAY_MS);

/** Interest tags now: categories with their decayed scores scaled so the strongest is 1. */
export function interestTags(profile: Profile, nowMs: number, limit = 10): { category: string; score: number }[] {
  const epoch = profile.interestsEpoch ?? LEGACY_EPOCH_MS;
  const scored = Object.entries(profile.interests).map(([category, score]) => ({ category, score: valueAt(score, nowMs, INTEREST_HALF_LIFE_MS, epoch) }));
  const top = Math.max(...scored.map((s) => s.score), 0);
  return scored
    .sort((a, b) => b.score - a.score)
    .slice(0, limit)
    .map((s) => ({ category: s.category, score: top > 0 ? Math.round((s.score / top) * 1000) / 1000 : 0 }));
}
