/**
 * The public types of the tag and the npm package. Event shapes come from
 * `@trailmark/schema`, the same definitions the collector validates against.
 */
import type {
  CartProperties,
  OrderProperties,
  Product,
  ProductListProperties,
  RecommendationResponse,
  SearchProperties,
  Slot,
} from '@trailmark/schema';

export type { CartProperties, OrderProperties, Product, ProductListProperties, RecommendationResponse, SearchProperties, Slot };
export type { RecommendedItem } from '@trailmark/schema';

/** Free-form event properties or user traits (JSON-serialisable). */
export type Properties = Record<string, unknown>;

/** `Checkout Started`: an order that may not have its id yet. */
export type CheckoutProperties = Omit<OrderProperties, 'order_id'> & { order_id?: string };

export type ConsentStatus = 'granted' | 'denied';

export interface RecommendOptions {
  /** The product the slot is about (`product` slot: also viewed / bought together). */
  productId?: string;
  /** How many items at most. */
  limit?: number;
}

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
   * Require consent before anything is stored on the device or sent:
   * until `consent('granted')`, events are held in memory (`'hold'`, the
   * default when true) or dropped (`'drop'`). Default false.
   */
  requireConsent?: boolean | 'hold' | 'drop';
  /** When the browser sends Global Privacy Control, record nothing at all. Default false. */
  respectGpc?: boolean;
  /** Share the identity cookie across subdomains, e.g. `shop.example`. */
  cookieDomain?: string;
  /** Report LCP, INP, CLS, FCP and TTFB as `Web Vitals` events (a lazy chunk). Default true. */
  webVitals?: boolean;
  /** Name of the GA4-style data layer to read ecommerce pushes and consent commands from, or false. Default `dataLayer`. */
  dataLayer?: string | false;
  /** Record the `data-trailmark-*` attributes of the page (product, list, cart, search, add to cart). Default true. */
  declarative?: boolean;
  /** Fill `[data-trailmark-slot]` elements with recommendations (a lazy chunk). Default true. */
  slots?: boolean;
  /**
   * Renders one recommended item for automatic slots, instead of the
   * default template or a `<template>` named by `data-trailmark-template`.
   * Put only text (textContent) and checked URLs into what you return.
   */
  renderItem?: (item: import('@trailmark/schema').RecommendedItem, position: number, response: RecommendationResponse) => HTMLElement;
  /** Milliseconds to gather events into one request while the page is visible. Default 500. */
  flushInterval?: number;
}

/** The JavaScript API, the same on `window.trailmark` and from `createTracker()`. */
export interface Tracker {
  /** Records a page view of the current URL (automatic unless `autoPageviews` is false). */
  page(name?: string, properties?: Properties): void;
  track(event: string, properties?: Properties): void;
  /** Ties later events to `userId`; the collector links the anonymous history to it. */
  identify(userId: string, traits?: Properties): void;
  /** Records that `userId` is the new id of the current visitor (previous: the current userId or anonymousId). */
  alias(userId: string): void;
  /** On logout: forgets the userId and the session, and starts a new anonymousId. */
  reset(): void;
  consent(status: ConsentStatus): void;
  /** Calls back once the tracker is ready (immediately after it has loaded). */
  ready(callback: (tracker: Tracker) => void): void;
  /** Settles when everything recorded so far is delivered or safely persisted for a later delivery. */
  flush(): Promise<void>;
  anonymousId(): string;
  productViewed(product: Product): void;
  productClicked(product: Product): void;
  productListViewed(list: ProductListProperties): void;
  productsSearched(search: SearchProperties): void;
  productAdded(product: Product): void;
  productRemoved(product: Product): void;
  cartViewed(cart: CartProperties): void;
  checkoutStarted(checkout: CheckoutProperties): void;
  orderCompleted(order: OrderProperties): void;
  /** Recommendations for a slot of the page; rejects when the collector cannot answer. */
  recommend(slot: Slot, options?: RecommendOptions): Promise<RecommendationResponse>;
}
