/**
 * The public types of the tag and the npm package. Event shapes come from
 * `@trailmark/schema`, the same definitions the collector validates against.
 *
 * The call surface is analytics.js's (Segment), with its names and argument
 * forms; analytics.ts turns those forms into the one form per verb of the
 * core (tracker.ts).
 */
import type {
  CartProperties,
  OrderProperties,
  Product,
  ProductListProperties,
  RecommendationResponse as SlotResponse,
  RecommendedItem,
  SearchProperties,
  Slot,
  OfferView,
} from '@trailmark/schema';

export type { CartProperties, OfferView, OrderProperties, Product, ProductListProperties, RecommendedItem, SearchProperties, Slot };

/**
 * What `recommend()` answers: the slot's items; for the `offer` slot, no
 * items and the campaign offer of a treated shopper (null for everyone else).
 */
export type RecommendationResponse = Omit<SlotResponse, 'slot'> & { slot: Slot | 'offer'; offer?: OfferView | null };

/** Free-form event properties (JSON-serialisable). */
export type Properties = Record<string, unknown>;
/** Free-form traits of a user or a group (JSON-serialisable). */
export type Traits = Record<string, unknown>;

/**
 * A shop's own events and their properties, for typed `track()` calls:
 *
 *   type ShopEvents = { 'Newsletter Signed Up': { list: string }; 'Store Located': { city: string } };
 *   const trailmark = createTracker<ShopEvents>({ writeKey });
 *   trailmark.track('Newsletter Signed Up', { list: 'weekly' }); // a misspelt name or property fails to compile
 */
export type EventMap = Record<string, Properties>;

/** The options of one call, as analytics.js takes them. */
export interface Options {
  /** Merged into the message's `context`; its `page` fields override the page's own. */
  context?: Record<string, unknown>;
  /** When it happened (default: now). */
  timestamp?: Date | string;
  /** This visitor's anonymousId from now on (as analytics.js does: it sets it for later calls too). */
  anonymousId?: string;
  /** Which destinations should receive the message: stored as its `integrations`. */
  integrations?: Record<string, unknown>;
  /**
   * identify(): proof that the userId is the visitor's, `hex(HMAC-SHA256(identitySecret, userId))`
   * computed by the shop's server; sent as `context.userHash`.
   */
  userHash?: string;
  /** Any other key goes into the message's `context`, as with analytics.js. */
  [key: string]: unknown;
}

/** Called about 300 ms after the call, giving the browser time to send it first (analytics.js's timing). */
export type Callback = () => void;

export type ConsentStatus = 'granted' | 'denied';

export interface RecommendOptions {
  /** The product the slot is about (`product` slot: also viewed / bought together). */
  productId?: string;
  /** How many items at most. */
  limit?: number;
  /** Products the page already shows, left out of the answer (automatic slots pass what the earlier ones show). */
  exclude?: string[];
}

/** `user()`: who the visitor is, kept across pages. */
export interface User {
  id(): string | null;
  anonymousId(): string;
  traits(): Traits;
}

/** `group()`: the visitor's group (company, account), kept across pages. */
export interface Group {
  id(): string | null;
  traits(): Traits;
}

/** What `on(name, handler)` hands to the handler, per call. */
export interface Emitted {
  track: [event: string, properties: Properties, options: Options];
  page: [category: string | null, name: string | null, properties: Properties, options: Options];
  identify: [userId: string | null, traits: Traits, options: Options];
  group: [groupId: string | null, traits: Traits, options: Options];
  alias: [userId: string, previousId: string, options: Options];
  reset: [];
}

/** Elements for `trackLink` / `trackForm`: one, a list, or a jQuery-style object. */
export type Elements<E extends Element> = E | ArrayLike<E> | { toArray(): E[] } | null | undefined;

export interface TrackerOptions {
  /** The site's public write key. */
  writeKey: string;
  /**
   * Base URL of the collector, path prefix included, e.g. `https://shop.example/t`.
   * The tag defaults to where it was loaded from; the npm package to the page's origin.
   */
  apiHost?: string;
  /** Record a page view at start, on single-page-app navigations and on back/forward cache restores. Default true. */
  autoPageviews?: boolean;
  /**
   * Whether consent is required, and whether Global Privacy Control is honoured, are the site's
   * settings (`requireConsent`, `honorGpc`), which the tag reads from the collector: one place to
   * configure them. This option only picks what happens to events recorded before consent where
   * it is required: held in memory until it comes (`'hold'`, the default), or discarded (`'drop'`).
   */
  requireConsent?: 'hold' | 'drop';
  /** Share the identity cookie across subdomains, e.g. `shop.example`. */
  cookieDomain?: string;
  /** Report LCP, INP, CLS, FCP and TTFB as `Web Vitals` events (a lazy chunk). Default true. */
  webVitals?: boolean;
  /** Name of the GA4-style data layer to read ecommerce pushes, consent commands and user ids from, or false. Default `dataLayer`. */
  dataLayer?: string | false;
  /** Record the `data-trailmark-*` attributes of the page (product, list, cart, search, add to cart, `data-trailmark-track`). Default true. */
  declarative?: boolean;
  /** Fill `[data-trailmark-slot]` elements with recommendations (a lazy chunk). Default true. */
  slots?: boolean;
  /**
   * Renders one recommended item for automatic slots, instead of the
   * default template or a `<template>` named by `data-trailmark-template`.
   * Put only text (textContent) and checked URLs into what you return.
   */
  renderItem?: (item: RecommendedItem, position: number, response: RecommendationResponse) => HTMLElement;
  /** Milliseconds to gather events into one request while the page is visible. Default 500. */
  flushInterval?: number;
  /** Log each call and each delivery on the console (as `debug(true)`). */
  debug?: boolean;
}

/**
 * The JavaScript API, the same on `window.trailmark` (and `window.analytics`
 * with the analytics.js snippet) and from `createTracker()`. No method throws
 * into the page: a failure is reported on the console.
 */
export interface Tracker<Events extends EventMap = EventMap> {
  /** A page view of the current URL (automatic unless `autoPageviews` is false). */
  page(category: string, name: string, properties?: Properties, options?: Options, callback?: Callback): void;
  page(category: string, name: string, callback: Callback): void;
  page(name?: string, properties?: Properties, options?: Options, callback?: Callback): void;
  page(properties?: Properties, options?: Options, callback?: Callback): void;
  page(name: string, callback: Callback): void;
  page(callback: Callback): void;
  track<E extends keyof Events & string>(event: E, properties?: Events[E], options?: Options, callback?: Callback): void;
  track<E extends keyof Events & string>(event: E, properties: Events[E], callback: Callback): void;
  track<E extends keyof Events & string>(event: E, callback: Callback): void;
  /** Ties later events to `userId` (traits are merged for the same user); the collector links the anonymous history. */
  identify(userId: string | number | null, traits?: Traits, options?: Options, callback?: Callback): void;
  identify(userId: string | number | null, traits: Traits, callback: Callback): void;
  identify(userId: string | number, callback: Callback): void;
  /** Traits of the current user (or of an anonymous visitor). */
  identify(traits: Traits, options?: Options, callback?: Callback): void;
  /** The visitor's group (company, account) and its traits. */
  group(groupId: string | number, traits?: Traits, options?: Options, callback?: Callback): void;
  group(groupId: string | number, traits: Traits, callback: Callback): void;
  group(): Group;
  /** `userId` is the visitor's new id; `previousId` defaults to the current userId, or the anonymousId. */
  alias(userId: string | number, previousId?: string | number, options?: Options, callback?: Callback): void;
  alias(userId: string | number, previousId: string | number, callback: Callback): void;
  alias(userId: string | number, callback: Callback): void;
  /** What the analytics.js snippet calls to put the tag on the page; once it is there, nothing. */
  load(writeKey?: string): void;
  /** On logout: forgets the userId, traits, group and session, and starts a new anonymousId. */
  reset(): void;
  /** Calls back once the tracker is ready (at once, once it has loaded), with the tracker. */
  ready(callback: (tracker: Tracker<Events>) => void): void;
  user(): User;
  /** Sets the visitor's anonymousId (returns it); without an argument, returns it. */
  setAnonymousId(id?: string): string;
  /** Calls `handler` after each call of that kind, with its arguments as recorded. */
  on<K extends keyof Emitted>(name: K, handler: (...args: Emitted[K]) => void): void;
  once<K extends keyof Emitted>(name: K, handler: (...args: Emitted[K]) => void): void;
  off<K extends keyof Emitted>(name: K, handler?: (...args: Emitted[K]) => void): void;
  /** Logs each call and each delivery on the console; `debug(false)` stops. */
  debug(on?: boolean): void;
  /**
   * Tracks clicks on links. The navigation is never held up or lost: the event leaves with the
   * page (keepalive), so no delay is added. `event` and `properties` may be functions of the element.
   */
  trackLink(
    elements: Elements<Element>,
    event: string | ((el: Element) => string),
    properties?: Properties | ((el: Element) => Properties),
    options?: Options,
  ): void;
  /** Tracks form submissions, leaving the submit itself to the browser (nothing is prevented or replayed). */
  trackForm(
    forms: Elements<HTMLFormElement>,
    event: string | ((el: HTMLFormElement) => string),
    properties?: Properties | ((el: HTMLFormElement) => Properties),
    options?: Options,
  ): void;
  consent(status: ConsentStatus): void;
  /** Settles when everything recorded so far is delivered or safely persisted for a later delivery. */
  flush(): Promise<void>;
  anonymousId(): string;
  productViewed(product: Product, options?: Options, callback?: Callback): void;
  productClicked(product: Product, options?: Options, callback?: Callback): void;
  productListViewed(list: ProductListProperties, options?: Options, callback?: Callback): void;
  productsSearched(search: SearchProperties, options?: Options, callback?: Callback): void;
  productAdded(product: Product, options?: Options, callback?: Callback): void;
  productRemoved(product: Product, options?: Options, callback?: Callback): void;
  cartViewed(cart: CartProperties, options?: Options, callback?: Callback): void;
  checkoutStarted(checkout: CheckoutProperties, options?: Options, callback?: Callback): void;
  orderCompleted(order: OrderProperties, options?: Options, callback?: Callback): void;
  /** Recommendations for a slot of the page; rejects with the collector's message when it cannot answer. */
  recommend(slot: Slot | 'offer', options?: RecommendOptions): Promise<RecommendationResponse>;
}

/** `Checkout Started`: an order that may not have its id yet. */
export type CheckoutProperties = Omit<OrderProperties, 'order_id'> & { order_id?: string };
