/**
 * The k-anonymity floor of popularity scopes narrower than the site (a
 * region's popularity, trending and sales): such a scope shows a product only
 * once at least `minShoppers` distinct shoppers counted for it there (the
 * site's `regionalMinShoppers`, DEFAULT_MIN_SHOPPERS unless set); below it the
 * product is left out of the scope and the visitor sees the wider, site-wide
 * scopes instead. Without it one shopper alone in a region would put what
 * they viewed and bought on every visitor's "trending near you".
 *
 * Distinct shoppers are counted per (scope, product) from contributor keys,
 * a hash of the profile id with the scope and product (so a key names no one
 * and links no two rows), kept only until MAX_MIN_SHOPPERS of them are seen;
 * then the count stays and the keys go. Category and site-wide scopes draw on
 * every shopper of the site, so they have no floor. Popularity rows stored
 * before the floor existed count 0 shoppers: a region shows them again once
 * k shoppers have counted for them anew.
 */
export const POPULARITY_FLOOR_SCHEMA = `
ALTER TABLE popularity ADD COLUMN shoppers INTEGER NOT NULL DEFAULT 0;
CREATE TABLE IF NOT EXISTS popularity_shoppers (
  scope      TEXT NOT NULL,
  product_id TEXT NOT NULL,
  shopper    INTEGER NOT NULL,     -- hash53(profile id, scope, product)
  PRIMARY KEY (scope, product_id, shopper)
) WITHOUT ROWID;
`;

export const DEFAULT_MIN_SHOPPERS = 5;
/** The largest floor a site may set: distinct shoppers are counted up to it. */
export const MAX_MIN_SHOPPERS = 10;
/** A floored scope's top-N is taken from at most this many times N of its best rows (a bounded read). */
export const FLOOR_SCAN = 4;

/** Scopes whose shoppers are a part of the site's (a region's): they have a floor. */
export function hasFloor(scopeName: string): boolean {
  return scopeName.startsWith('r:') || scopeName.startsWith('t:r:') || scopeName.startsWith('s:r:');
}
