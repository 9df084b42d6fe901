/**
 * No-code capture from a GA4-style data layer, as Google Tag Manager sites
 * and gtag.js fill it: ecommerce events (`dataLayer.push({event:
 * 'view_item', ecommerce: {...}})` or `gtag('event', 'view_item', {...})`)
 * Google Consent Mode commands (`gtag('consent', 'default' | 'update',
 * {analytics_storage})`), and who the visitor is: a `user_id` set with
 * `gtag('set' | 'config', …)` or pushed with a `login` / `sign_up` event
 * (with `user_properties` as traits) identifies them, a `logout` event resets. Entries pushed before the tag
 * loaded are read first, in order, then every later push.
 *
 * Consent commands take effect at once, before anything else is recorded.
 * Ecommerce events are handed on as they are; their mapping to Ecommerce v2
 * (ga4.ts) is a lazy chunk, since most sites never push any.
 */
import type { ConsentStatus } from './types';
import { warn } from './lib/warn';

export interface DataLayerListener {
  consent(status: ConsentStatus, isDefault: boolean): void;
  ecommerce(name: string, params: Record<string, unknown>): void;
  identify(userId: string, traits?: Record<string, unknown>): void;
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
  const userId = (command == 'set' ? object(name) : command == 'config' ? params : e).user_id;
  if (command == 'consent' && (storage == 'granted' || storage == 'denied')) listener.consent(storage, name == 'default');
  else if (typeof userId == 'string' && userId && (command == 'set' || command == 'config' || name == 'login' || name == 'sign_up')) {
    // A login push may carry the customer's user_properties; they become the identify traits.
    listener.identify(userId, e.user_properties && typeof e.user_properties == 'object' ? object(e.user_properties) : undefined);
  }
  else if (command == undefined && name == 'logout') listener.logout();
  // Every GA4 ecommerce event has items, except `search`, which has a search term.
  else if ((command == 'event' || command == undefined) && typeof name == 'string' && (Array.isArray(params.items) || params.search_term)) {
    listener.ecommerce(name, params);
  }
}

export function listenToDataLayer(name: string, listener: DataLayerListener): void {
  const w = window as unknown as Record<string, unknown>;
  const layer = (w[name] ||= []) as unknown[];
  if (!Array.isArray(layer)) return;
  const read = (entry: unknown) => {
    try {
      readDataLayerEntry(entry, listener);
    } catch (error) {
      warn(error);
    }
  };
  layer.forEach(read);
  // Google Tag Manager wraps push the same way when it loads later, and calls through to this one.
  const push = layer.push;
  layer.push = function (this: unknown[], ...entries: unknown[]) {
    const length = push.apply(this, entries);
    entries.forEach(read);
    return length;
  };
}
