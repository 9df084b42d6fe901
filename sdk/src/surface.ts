/**
 * The public tracker (`window.trailmark`, `createTracker()`), as the page
 * first meets it. The initial tag holds what must answer at once
 * (`anonymousId()`, `user()`, `group()`, `setAnonymousId()`) and what must
 * never wait, because a page calls it just before it goes away: `track()`
 * and the Ecommerce helpers (a click that leaves for the cart or the
 * payment page), `page()`, `reset()` (a logout), `consent()`. Every other
 * method (identify, alias, group(id), on/off, debug, trackLink… :
 * analytics.ts) is a lazy chunk, loaded the first time a page calls one of
 * them; calls made meanwhile wait for it, and so do those after them, so
 * that every call takes effect in the order it was made. Once it is there,
 * every call goes through it (its listeners hear them all).
 *
 * A page left before the chunk arrived (`identify()` and at once a redirect)
 * would lose the calls waiting for it. They go to the next page instead: as
 * the page goes (`pagehide`), those that are the visitor's rather than the
 * page's are kept on the device when consent allows storing (callbacks left
 * out), and the next page loads the chunk for them at once; they take effect
 * there first, its own page view after them. (They carry that page's time
 * and URL: a fraction of a second later.)
 */
import type { Core } from './tracker';
import type { Group, Tracker, User } from './types';
import { CALLBACK_DELAY_MS, trackArguments, type Methods, type Waiting } from './analytics';
import { WAITING_KEY } from './identity';
import { readStorage } from './lib/storage';
import { warn } from './lib/warn';

/** The waiting calls kept across a navigation: the visitor's. (Not page(), listeners, elements, which are the page's.) */
const KEPT = /^(identify|alias|group|track|reset|consent)$/;

/** The Ecommerce v2 helpers, each named after its event: `productListViewed` records `Product List Viewed`. */
export const ECOMMERCE =
  'productViewed productClicked productListViewed productsSearched productAdded productRemoved cartViewed checkoutStarted orderCompleted';
export const eventOf = (helper: string) => helper[0]!.toUpperCase() + helper.slice(1).replace(/[A-Z]/g, ' $&');

/**
 * @param own what the tracker is made on (the tag's callable global)
 */
export function publicTracker<T extends object>(core: Core, loadApi: () => Promise<typeof import('./analytics')>, own = {} as T): T & Tracker {
  let api: Methods | undefined;
  /** Calls waiting for the chunk, in order, with what settles the promise each answered with. */
  let waiting: Waiting | undefined;
  const identity = core.identity;

  function run(name: string, args: unknown[], methods = api!): unknown {
    try {
      // (A method that does not exist throws here: said on the console.)
      return methods[name]!(...args);
    } catch (error) {
      warn(name, error);
    }
  }

  /** Runs a method of the chunk: at once once it is there; else once it is, after the calls made before. */
  function call(name: string, args: unknown[]): unknown {
    if (api) return run(name, args);
    if (!waiting) {
      const calls: Waiting = (waiting = []);
      loadApi().then((chunk) => {
        // (It puts the calls an earlier page left first.)
        const methods = chunk.createApi(core, tracker, calls);
        // Calls made while these run (a callback, a listener) join the end of the list.
        for (const [name, args, settle] of calls) settle(run(name, args, methods));
        api = methods;
        waiting = undefined;
      }, warn);
    }
    return new Promise((settle) => waiting!.push([name, args, settle]));
  }

  // (Traits and the group kept by earlier pages are read by the chunk, when it loads.)
  const user: User = {
    id: () => identity().userId ?? null,
    anonymousId: () => identity().anonymousId,
    traits: () => identity().traits || {},
  };
  const group: Group = {
    id: () => identity().groupId ?? null,
    traits: () => identity().groupTraits || {},
  };

  /** A method that runs here while the chunk is neither there nor awaited, and through the chunk otherwise. */
  const direct =
    (name: string, method: (...args: unknown[]) => unknown) =>
    (...args: unknown[]) =>
      api || waiting ? call(name, args) : method(...args);

  const methods: Methods = {
    track: direct('track', (...args) => {
      const [event, properties, options, callback] = trackArguments(args);
      if (event) core.record('track', { event, properties }, options);
      if (callback) setTimeout(callback, CALLBACK_DELAY_MS);
    }),
    page: direct('page', (...args) => (args[0] ? call('page', args) : core.page())),
    reset: direct('reset', core.reset),
    consent: direct('consent', core.consent as Methods[string]),
    group: (...args: unknown[]) => (args[0] ? call('group', args) : group),
    user: () => user,
    setAnonymousId(id?: unknown) {
      if (id) {
        identity().anonymousId = `${id}`;
        core.save();
      }
      return user.anonymousId();
    },
    anonymousId: user.anonymousId,
  };
  // As the page goes, its waiting calls are handed on: whichever page's chunk arrives first takes them (this one,
  // back from the back/forward cache, or the next), so they are made once. Not at a mere hide: a page in a
  // background tab is still there when the chunk arrives. (On a server there is no such event, nor anything to keep.)
  globalThis.addEventListener?.('pagehide', () => {
    if (waiting?.[0])
      core.save(
        WAITING_KEY,
        waiting.splice(0).filter(([name]) => KEPT.test(name)),
      );
  });
  // Calls an earlier page kept: the chunk is fetched at once for them, and everything waits behind them.
  if (readStorage(WAITING_KEY)) call('load', []);
  // (Each is track(): through the chunk once it is there, like any call.)
  for (const name of ECOMMERCE.split(' ')) methods[name] = (...args: unknown[]) => tracker.track(eventOf(name), ...(args as []));
  // Every other method is the chunk's: calling it loads the chunk. ("then" is not one: the tracker is not a promise.)
  const tracker = new Proxy(Object.assign(own, methods), {
    get: (target, name) =>
      (target as Methods)[name as string] ?? (typeof name == 'string' && name != 'then' ? (...args: unknown[]) => call(name, args) : undefined),
  }) as T & Tracker;
  return tracker;
}
