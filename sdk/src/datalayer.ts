/**
 * Lazy chunk: no-code capture from a GA4-style data layer, as Google Tag
 * Manager sites and gtag.js fill it, loaded once the layer holds anything
 * (the tracker watches its `push`):
 * - ecommerce events (`dataLayer.push({event: 'view_item', ecommerce:
 *   {...}})` or `gtag('event', 'view_item', {...})`), mapped to Ecommerce v2
 *   by ga4.ts;
 * - Google Consent Mode commands (`gtag('consent', 'default' | 'update',
 *   {analytics_storage})`);
 * - who the visitor is: a `user_id` set with `gtag('set' | 'config', …)` or
 *   pushed with a `login` / `sign_up` event (with `user_properties` as
 *   traits, and `user_hash`, the shop server's proof of the id, passed as
 *   identify's `userHash`) identifies them; a `logout` event resets.
 * Entries pushed before the tag loaded are read first, in order, before
 * anything is sent: a consent default there decides the first page view.
 */
import type { Core } from './tracker';
import type { ConsentStatus, Tracker } from './types';
import { mapGa4Event } from './ga4';
import { warn } from './lib/warn';

export interface DataLayerListener {
  consent(status: ConsentStatus, isDefault: boolean): void;
  ecommerce(name: string, params: Record<string, unknown>): void;
  identify(userId: string, traits?: Record<string, unknown>, userHash?: string): void;
  logout(): void;
}

type Entry = ArrayLike<unknown> & Record<string, unknown>;
const object = (value: unknown) => (value && typeof value == 'object' ? value : {}) as Record<string, unknown>;

/** Reads one entry: the `{event, ecommerce}` object form, or a gtag() `arguments` object. */
export function readDataLayerEntry(entry: unknown, listener: DataLayerListener): void {
  const e = object(entry) as Entry;
  const command = e[0];
  const name = typeof command == 'string' ? e[1] : e.event;
  const params = object(typeof command == 'string' ? e[2] : e.ecommerce || e);
  const storage = params.analytics_storage as ConsentStatus;
  // gtag('set', {user_id}) has its parameters first; gtag('config', id, {user_id}) second; pushes carry it at the top.
  const user = command == 'set' ? object(name) : command == 'config' ? params : e;
  const userId = user.user_id;
  if (command == 'consent' && (storage == 'granted' || storage == 'denied')) listener.consent(storage, name == 'default');
  else if (typeof userId == 'string' && userId && (command == 'set' || command == 'config' || name == 'login' || name == 'sign_up')) {
    // A login push may carry the customer's user_properties; they become the identify traits.
    const hash = user.user_hash;
    listener.identify(
      userId,
      e.user_properties && typeof e.user_properties == 'object' ? object(e.user_properties) : undefined,
      typeof hash == 'string' ? hash : undefined,
    );
  } else if (command == undefined && name == 'logout') listener.logout();
  // Every GA4 ecommerce event has items, except the searches, which have a search term.
  else if ((command == 'event' || command == undefined) && typeof name == 'string' && (Array.isArray(params.items) || params.search_term)) {
    listener.ecommerce(name, params);
  }
}

/** Returns the reader of `layer`: each call reads the entries pushed since the last one. */
export function readDataLayer(layer: unknown[], core: Pick<Core, 'consent'>, tracker: Tracker): () => void {
  const listener: DataLayerListener = {
    // Consent Mode's default is the site's starting point, not the visitor's decision.
    consent: core.consent,
    logout: () => tracker.user().id() && tracker.reset(),
    ecommerce: (name, params) => mapGa4Event(name, params).forEach((e) => tracker.track(e.event, e.properties)),
    identify(userId, traits, userHash) {
      // Tag Manager sites re-send the user id on every page: identify only when something is new.
      if (userId != tracker.user().id() || traits || userHash) tracker.identify(userId, traits, userHash ? { userHash } : {});
    },
  };
  let next = 0;
  return () => {
    while (next < layer.length) {
      try {
        readDataLayerEntry(layer[next++], listener);
      } catch (error) {
        warn(error);
      }
    }
  };
}
