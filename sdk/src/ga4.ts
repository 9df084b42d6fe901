/**
 * GA4 ecommerce events as Segment Ecommerce v2 events, for the data layer
 * pushes that datalayer.ts (a lazy chunk) picks up.
 *
 * GA4 events: https://developers.google.com/analytics/devguides/collection/ga4/reference/events
 * Ecommerce v2: https://segment.com/docs/connections/spec/ecommerce/v2/
 */
import { EVENTS, type Product } from '@trailmark/schema';
import type { Properties } from './types';

export interface MappedEvent {
  event: string;
  properties: Properties;
}

type Params = Record<string, unknown>;
type Ga4Item = Record<string, unknown>;

const number = (value: unknown): number | undefined => {
  const n = value === '' || value == null ? NaN : Number(value);
  return n == n ? n : undefined;
};

/** A GA4 item as an Ecommerce v2 product. */
export function productOf(item: Ga4Item, currency: unknown): Product {
  return {
    product_id: String(item.item_id ?? item.id ?? ''),
    name: item.item_name as string | undefined,
    brand: item.item_brand as string | undefined,
    category: item.item_category as string | undefined,
    variant: item.item_variant as string | undefined,
    price: number(item.price),
    quantity: number(item.quantity),
    coupon: item.coupon as string | undefined,
    position: number(item.index),
    currency: (item.currency ?? currency) as string | undefined,
  };
}

/** A GA4 ecommerce event as Ecommerce v2 events (add_to_cart of two items is two `Product Added`). */
export function mapGa4Event(name: string, params: Params): MappedEvent[] {
  const currency = params.currency;
  const items = (Array.isArray(params.items) ? params.items : []).filter((i): i is Ga4Item => !!i && typeof i == 'object');
  const products = items.map((item) => productOf(item, currency));
  const one = (event: string, extra?: Properties) => (products[0] ? [{ event, properties: { ...products[0], ...extra } }] : []);
  const each = (event: string) => products.map((properties) => ({ event, properties }));
  const value = number(params.value);
  const shipping = number(params.shipping);
  const tax = number(params.tax);
  switch (name) {
    case 'view_item':
      return one(EVENTS.productViewed);
    case 'select_item':
      return one(EVENTS.productClicked, { list_id: params.item_list_id, list_name: params.item_list_name });
    case 'view_item_list':
      return [{ event: EVENTS.productListViewed, properties: { list_id: params.item_list_id, category: params.item_list_name, products } }];
    case 'search':
    case 'view_search_results':
      // result_count (a parameter of the shop's own): how many results the page shows; 0 is a search without results.
      return params.search_term
        ? [{ event: EVENTS.productsSearched, properties: { query: String(params.search_term), result_count: number(params.result_count) } }]
        : [];
    case 'add_to_cart':
      return each(EVENTS.productAdded);
    case 'remove_from_cart':
      return each(EVENTS.productRemoved);
    case 'view_cart':
      return [{ event: EVENTS.cartViewed, properties: { products, value, currency } }];
    case 'begin_checkout':
      return [{ event: EVENTS.checkoutStarted, properties: { value, revenue: value, coupon: params.coupon, currency, products } }];
    case 'purchase':
      return params.transaction_id == null
        ? []
        : [
            {
              event: EVENTS.orderCompleted,
              properties: {
                order_id: String(params.transaction_id),
                // GA4's value leaves out shipping and tax: it is Segment's revenue; total adds them back.
                total: value == undefined ? undefined : value + (shipping || 0) + (tax || 0),
                revenue: value,
                shipping,
                tax,
                coupon: params.coupon,
                currency,
                products,
              },
            },
          ];
  }
  return [];
}
