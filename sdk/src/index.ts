/**
 * The npm package: `createTracker(options)` gives the same API as the
 * script tag's `window.trailmark`, for shops built with a framework.
 *
 * Importing it touches no browser global, so it is safe in server-side
 * rendering; `createTracker()` called on the server returns a tracker that
 * does nothing. Lazy features (the delivery queue, web vitals,
 * recommendation slots, no-code capture, the GA4 mapping) are separate
 * chunks the app's bundler splits off.
 */
import type { EventMap, Tracker, TrackerOptions } from './types';
import { publicTracker } from './surface';
import { startTracker, type Core } from './tracker';
import { warn } from './lib/warn';

export type * from './types';
export { EVENTS } from '@trailmark/schema';

/** A core that records nothing: what server-side rendering gets. */
function inertCore(): Core {
  const nothing = () => {};
  return {
    record: nothing,
    page: nothing,
    moved: nothing,
    settings: nothing,
    device: '{}',
    identity: () => ({ anonymousId: '', traits: {}, groupTraits: {} }),
    save: nothing,
    reset: nothing,
    consent: nothing,
    flush: () => Promise.resolve(),
    // (What recommend() loads: there is nothing to recommend on a server.)
    load: () => Promise.reject(new Error('recommend() needs a browser')),
    debug: nothing,
    start: nothing,
  };
}

/**
 * Starts a tracker for this page. Call it once, early (e.g. in the root
 * component), and share the result. The type parameter, optional, names the
 * shop's own events and their properties.
 *
 * @example
 * const trailmark = createTracker({ writeKey: 'KEY', apiHost: 'https://collector.example' });
 * trailmark.productViewed({ product_id: 'SKU-1', name: 'Tent', price: 129, currency: 'EUR' });
 */
export function createTracker<Events extends EventMap = EventMap>(options: TrackerOptions): Tracker<Events> {
  let core: Core;
  if (typeof window == 'undefined' || typeof document == 'undefined') core = inertCore();
  else if (!options?.writeKey) {
    warn('createTracker() needs a writeKey');
    core = inertCore();
  } else core = startTracker(options, (name) => chunks[name]() as never);
  const tracker = publicTracker(core, chunks.api);
  if (options?.debug) tracker.debug(true);
  core.start(tracker);
  return tracker as unknown as Tracker<Events>;
}

/** Literal import() calls, so that the app's bundler splits each feature into its own chunk. */
const chunks = {
  api: () => import('./analytics'),
  page: () => import('./page'),
  queue: () => import('./queue'),
  vitals: () => import('./vitals'),
  slots: () => import('./slots'),
  declarative: () => import('./declarative'),
  datalayer: () => import('./datalayer'),
};
