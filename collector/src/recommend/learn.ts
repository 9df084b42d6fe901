/**
 * Turns what one event changed in a profile into updates of the shop-wide
 * aggregates: popularity (overall, in the visitor's region, in the product's
 * category; long-term, trending, sold), session co-views weighted by how
 * close the two views were, co-purchases, item totals and repurchase intervals.
 *
 * Events are untrusted (the write key is public), so only what counts does:
 * a shopper's view, add or order of a product adds at most once a day (the
 * profile's once-a-day memory decides), an order adds per buyer rather than
 * per unit, and a repurchase shorter than a day is not a cycle.
 */
import { DAY_MS } from '../lib/decay';
import type { EventEffects } from '../profiles/apply-event';
import { AggregateStore, HALF_LIFE, scope } from './aggregate-store';

/** Weight of each behaviour in popularity: buying says more than looking. */
export const POPULARITY_WEIGHTS = { view: 1, add: 3, order: 5 } as const;
/**
 * Session co-views: a view is linked to this many earlier views of the
 * session, weighted 1/distance. On Diginetica a window of 3 scores within
 * 0.005 HR@10 of 5 or 8 with 40% fewer writes per view; dropping the
 * backward links costs 0.02.
 */
export const LEARNING = {
  window: 3,
  /** A co-view in the other direction (b seen before a) counts this much of a forward one. */
  backward: 0.5,
};
/** Adding to a cart that holds other items is a weak "bought together". */
export const CO_ADD_LINK = 0.3;
/**
 * Products of one order (or cart) linked with each other: pairs grow with the
 * square, and a real basket rarely holds more distinct products than this.
 */
export const MAX_LINKED_BASKET = 20;

export interface EventPlace {
  atMs: number;
  /** "country/region" of the visitor, when known. */
  region?: string;
  /** The shopper's profile id: a region counts a product only once enough distinct shoppers did (popularity-floor.ts). */
  shopper?: string;
}

export function regionKey(geo: { country?: string; region?: string }): string | undefined {
  if (!geo.country) return undefined;
  return geo.region ? `${geo.country}/${geo.region}` : geo.country;
}

export function learnFromEvent(store: AggregateStore, effects: EventEffects, place: EventPlace): void {
  const { atMs, region, shopper } = place;
  const popular = (productId: string, weight: number, category?: string) => {
    store.bumpPopularity(scope.all, productId, weight, atMs, HALF_LIFE.popular);
    store.bumpPopularity(scope.trendingAll, productId, weight, atMs, HALF_LIFE.trending);
    if (region) {
      store.bumpPopularity(scope.region(region), productId, weight, atMs, HALF_LIFE.popular);
      store.bumpPopularity(scope.trendingRegion(region), productId, weight, atMs, HALF_LIFE.trending);
      if (shopper) {
        store.noteShopper(scope.region(region), productId, shopper, atMs);
        store.noteShopper(scope.trendingRegion(region), productId, shopper, atMs);
      }
    }
    if (category) store.bumpPopularity(scope.category(category), productId, weight, atMs, HALF_LIFE.popular);
  };

  if (effects.viewed?.counts) {
    const { product, previous } = effects.viewed;
    popular(product.productId, POPULARITY_WEIGHTS.view, product.category);
    store.bumpTotals(product.productId, 1, 0);
    previous.slice(0, LEARNING.window).forEach((earlier, index) => {
      const closeness = 1 / (index + 1);
      store.bumpLink('v', earlier, product.productId, closeness);
      if (LEARNING.backward > 0) store.bumpLink('v', product.productId, earlier, closeness * LEARNING.backward);
    });
  }

  if (effects.added?.counts) {
    const { product, cartOthers } = effects.added;
    popular(product.productId, POPULARITY_WEIGHTS.add, product.category);
    for (const other of cartOthers.slice(-MAX_LINKED_BASKET)) {
      store.bumpLink('b', other, product.productId, CO_ADD_LINK);
      store.bumpLink('b', product.productId, other, CO_ADD_LINK);
    }
  }

  if (effects.ordered) {
    const { products, counted } = effects.ordered;
    const counts = new Set(counted);
    const ids = [...new Set(products.map((p) => p.productId))].slice(0, MAX_LINKED_BASKET);
    for (const product of products) {
      // Once per product (a list may name it twice), and per buyer rather than per unit: one order of a thousand is one shopper's choice.
      if (!counts.delete(product.productId)) continue;
      popular(product.productId, POPULARITY_WEIGHTS.order, product.category);
      store.bumpPopularity(scope.soldAll, product.productId, 1, atMs, HALF_LIFE.sold);
      if (region) {
        store.bumpPopularity(scope.soldRegion(region), product.productId, 1, atMs, HALF_LIFE.sold);
        if (shopper) store.noteShopper(scope.soldRegion(region), product.productId, shopper, atMs);
      }
      store.bumpTotals(product.productId, 0, 1);
      for (const other of ids) if (other !== product.productId) store.bumpLink('b', product.productId, other, 1);
    }
  }

  for (const { productId, intervalMs } of effects.repurchased ?? []) {
    if (intervalMs >= DAY_MS) store.recordRepurchase(productId, intervalMs);
  }
}
