/**
 * The k-anonymity floor of popularity scopes narrower than the site (a
 * region's popularity, trending and sales): such a scope shows a product only
 * once at least `minShoppers` distinct shoppers counted for it there within
 * the scope's window (the site's `regionalMinShoppers`, DEFAULT_MIN_SHOPPERS
 * unless set); below it the product is left out of the scope and the visitor
 * sees the wider, site-wide scopes instead. Without it one shopper alone in a
 * region would put what they viewed and bought on every visitor's "trending
 * near you".
 *
 * Distinct shoppers are counted per (scope, product) from contributor keys,
 * a hash of the profile id with the scope and product (so a key names no one
 * and links no two rows), each with the hour it last counted. Only shoppers
 * within the scope's window of its newest contribution count (two half-lives
 * of the scope's decay, FLOOR_WINDOW_HOURS): a regional list weighs recent
 * activity most, so shoppers who counted weeks ago must not vouch for the one
 * shopper who put a product on today's trending list. The newest
 * MAX_MIN_SHOPPERS keys are enough to decide any floor up to it, so no more
 * are kept. Category and site-wide scopes draw on every shopper of the site,
 * so they have no floor. Rows counted before keys had hours count again from
 * their next contribution.
 */

export const HOUR_MS = 3_600_000;

/** How far back, from a (scope, product)'s newest contribution, shoppers count for its floor: two half-lives of the scope (aggregate-store.ts HALF_LIFE). */
export const FLOOR_WINDOW_HOURS = {
  /** `t:r:`, trending in a region: half-life one day. */
  trending: 48,
  /** `r:`, popular in a region: half-life a week. */
  popular: 14 * 24,
  /** `s:r:`, sold in a region: half-life 30 days. */
  sold: 60 * 24,
} as const;

export const DEFAULT_MIN_SHOPPERS = 5;
/** The largest floor a site may set: distinct shoppers are counted up to it, and no more keys are kept per product. */
export const MAX_MIN_SHOPPERS = 10;
/** A floored scope's top-N is taken from at most this many times N of its best rows (a bounded read). */
export const FLOOR_SCAN = 4;

/** Scopes whose shoppers are a part of the site's (a region's): they have a floor. */
export function hasFloor(scopeName: string): boolean {
  return floorWindowHours(scopeName) !== undefined;
}

/** The window of a floored scope, in hours; undefined for a scope without a floor. */
export function floorWindowHours(scopeName: string): number | undefined {
  if (scopeName.startsWith('t:r:')) return FLOOR_WINDOW_HOURS.trending;
  if (scopeName.startsWith('r:')) return FLOOR_WINDOW_HOURS.popular;
  if (scopeName.startsWith('s:r:')) return FLOOR_WINDOW_HOURS.sold;
  return undefined;
}
