/**
 * Helpers for the Segment Ecommerce v2 events
 * (https://segment.com/docs/connections/spec/ecommerce/v2/), with the
 * spec's snake_case property names (types in @trailmark/schema). One method
 * per event, each returning nothing, like `track`.
 */
import { EVENTS } from '@trailmark/schema';
import type { Properties, Tracker } from './types';

export type EcommerceHelpers = Pick<
  Tracker,
  | 'productViewed'
  | 'productClicked'
  | 'productListViewed'
  | 'productsSearched'
  | 'productAdded'
  | 'productRemoved'
  | 'cartViewed'
  | 'checkoutStarted'
  | 'orderCompleted'
>;

export function ecommerceHelpers(track: (event: string, properties: Properties) => void): EcommerceHelpers {
  const helper = (event: string) => (properties: Properties) => track(event, properties);
  return {
    productViewed: helper(EVENTS.productViewed),
    productClicked: helper(EVENTS.productClicked),
    productListViewed: helper(EVENTS.productListViewed),
    productsSearched: helper(EVENTS.productsSearched),
    productAdded: helper(EVENTS.productAdded),
    productRemoved: helper(EVENTS.productRemoved),
    cartViewed: helper(EVENTS.cartViewed),
    checkoutStarted: helper(EVENTS.checkoutStarted),
    orderCompleted: helper(EVENTS.orderCompleted),
  } as EcommerceHelpers;
}
