/**
 * A shopper's live profile document: its shape, the empty profile, how long
 * each of its lists may grow, and the readers that give fields older
 * documents lack their defaults. Pure: ShopState, the profile shards and the
 * offline benchmarks share it.
 *
 * Static facts (region, device, first seen) and dynamic behaviour (views,
 * searches, cart, orders, recency, frequency, spend), turned into decaying
 * interest scores per category (interests.ts) and purchase histories per
 * product and category (purchase-history.ts). One event changes it through
 * apply-event.ts, two of them become one through merge.ts, and lifecycle.ts
 * reads the stage from it.
 */
import type { Traits } from './traits';
import type { CountedDays } from './once-a-day';

/** How many of each list the document keeps (the oldest go first). */
export const RECENT_VIEWS = 30;
export const RECENT_LISTS = 10;
export const RECENT_SEARCHES = 10;
export const RECENT_ORDERS = 20;
export const RECENT_REC_CLICKS = 10;
/** Category paths kept for audience facts are cut to the length a condition may name. */
export const MAX_CATEGORY = 200;

export interface TimedProduct {
  productId: string;
  at: number;
  /** The product's category path (documents stored before it was kept lack it). */
  category?: string;
}

/** Orders that contained a product or a category: all-time count and the latest times (within PURCHASE_WINDOW_MS, purchase-history.ts). */
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

/** The profile's revenue per currency; an older document's single sum counts in the site's currency. */
export function revenueByCurrency(profile: Profile, siteCurrency: string): Record<string, number> {
  return profile.revenueByCurrency ?? (profile.revenue ? { [siteCurrency]: profile.revenue } : {});
}

/** When the cart last changed; documents stored before the field existed fall back to the latest line. */
export function cartChangedAt(profile: Profile): number | undefined {
  if (profile.cartChangedAt !== undefined) return profile.cartChangedAt;
  const lines = Object.values(profile.cart);
  return lines.length ? Math.max(...lines.map((line) => line.at)) : undefined;
}
