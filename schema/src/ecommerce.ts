/**
 * Segment Ecommerce v2 event names and their standard properties.
 * https://segment.com/docs/connections/spec/ecommerce/v2/
 */

/** A site's currency unless it says otherwise (ISO 4217). */
export const DEFAULT_CURRENCY = 'USD';

export const EVENTS = {
  productsSearched: 'Products Searched',
  productListViewed: 'Product List Viewed',
  productClicked: 'Product Clicked',
  productViewed: 'Product Viewed',
  productAdded: 'Product Added',
  productRemoved: 'Product Removed',
  cartViewed: 'Cart Viewed',
  checkoutStarted: 'Checkout Started',
  orderCompleted: 'Order Completed',
  recommendationViewed: 'Recommendation Viewed',
  recommendationClicked: 'Recommendation Clicked',
  webVitals: 'Web Vitals',
} as const;

export type EventName = (typeof EVENTS)[keyof typeof EVENTS];

/** A product as the Ecommerce spec describes it (snake_case, as Segment sends it). */
export interface Product {
  product_id: string;
  sku?: string;
  name?: string;
  brand?: string;
  variant?: string;
  category?: string;
  price?: number;
  currency?: string;
  quantity?: number;
  position?: number;
  coupon?: string;
  url?: string;
  image_url?: string;
  /** false when the shop says the product cannot be bought now. */
  in_stock?: boolean;
  [key: string]: unknown;
}

export interface ProductListProperties {
  list_id?: string;
  category?: string;
  products?: Product[];
  [key: string]: unknown;
}

export interface SearchProperties {
  query: string;
  /** How many results the page shows for the query, when it knows (0: a search without results). */
  result_count?: number;
  [key: string]: unknown;
}

export interface CartProperties {
  cart_id?: string;
  products?: Product[];
  [key: string]: unknown;
}

export interface OrderProperties {
  order_id: string;
  checkout_id?: string;
  total?: number;
  revenue?: number;
  shipping?: number;
  tax?: number;
  discount?: number;
  coupon?: string;
  currency?: string;
  products?: Product[];
  [key: string]: unknown;
}

/** Properties of `Recommendation Viewed` / `Recommendation Clicked`, which tie a slot to later events. */
export interface RecommendationEventProperties {
  rec_id: string;
  slot: string;
  variant?: string;
  product_ids?: string[];
  product_id?: string;
  position?: number;
  [key: string]: unknown;
}
