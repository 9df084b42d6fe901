/**
 * The npm package: `createTracker(options)` gives the same API as the
 * script tag's `window.trailmark`, for shops built with a framework.
 *
 * Importing it touches no browser global, so it is safe in server-side
 * rendering; `createTracker()` called on the server returns a tracker that
 * does nothing. Lazy features (web vitals, recommendation slots) are
 * separate chunks the app's bundler splits off.
 */
import type { Tracker, TrackerOptions } from './types';
import { startTracker } from './tracker';
import { warn } from './lib/warn';

export type * from './types';
export { EVENTS } from '@trailmark/schema';

/** A tracker that records nothing: what server-side rendering gets. */
function inertTracker(): Tracker {
  const nothing = () => {};
  const tracker: Tracker = {
    page: nothing,
    track: nothing,
    identify: nothing,
    alias: nothing,
    reset: nothing,
    consent: nothing,
    ready: nothing,
    flush: () => Promise.resolve(),
    anonymousId: () => '',
    productViewed: nothing,
    productClicked: nothing,
    productListViewed: nothing,
    productsSearched: nothing,
    productAdded: nothing,
    productRemoved: nothing,
    cartViewed: nothing,
    checkoutStarted: nothing,
    orderCompleted: nothing,
    recommend: () => Promise.reject(new Error('recommend() needs a browser')),
  };
  return tracker;
}

/**
 * Starts a tracker for this page. Call it once, early (e.g. in the root
 * component), and share the result.
 *
 * @example
 * const trailmark = createTracker({ writeKey: 'KEY', apiHost: 'https://collector.example' });
 * trailmark.productViewed({ product_id: 'SKU-1', name: 'Tent', price: 129, currency: 'EUR' });
 */
export function createTracker(options: TrackerOptions): Tracker {
  if (typeof window == 'undefined' || typeof document == 'undefined') return inertTracker();
  if (!options?.writeKey) {
    warn('createTracker() needs a writeKey');
    return inertTracker();
  }
  return startTracker(options, (name) => chunks[name]() as never);
}

/** Literal import() calls, so that the app's bundler splits each feature into its own chunk. */
const chunks = {
  vitals: () => import('./vitals'),
  slots: () => import('./slots'),
  declarative: () => import('./declarative'),
  ga4: () => import('./ga4'),
};
