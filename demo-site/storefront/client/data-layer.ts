/**
 * The GA4 data layer, as a Google Tag Manager shop fills it: checkout and
 * purchase are pushed here (the declarative attributes have no form for
 * them), and the Trailmark tag maps them to `Checkout Started` and
 * `Order Completed`. Nothing in the shop calls Trailmark for them.
 */
import type { CartLine, Totals } from './store';

interface Ga4Item {
  item_id: string;
  item_name: string;
  item_brand?: string;
  item_category?: string;
  price: number;
  quantity: number;
  index: number;
}

function layer(): unknown[] {
  const w = window as unknown as { dataLayer?: unknown[] };
  return (w.dataLayer ??= []);
}

function items(lines: readonly CartLine[]): Ga4Item[] {
  return lines.map((l, i) => ({
    item_id: l.productId,
    item_name: l.name,
    item_brand: l.brand,
    item_category: l.category,
    price: l.price,
    quantity: l.quantity,
    index: i + 1,
  }));
}

function push(event: string, ecommerce: Record<string, unknown>): void {
  // GA4's advice: clear the previous ecommerce object so its fields do not leak into this one.
  layer().push({ ecommerce: null });
  layer().push({ event, ecommerce });
}

export function beginCheckout(lines: readonly CartLine[], totals: Totals): void {
  push('begin_checkout', { currency: totals.currency, value: totals.subtotal, items: items(lines) });
}

export function purchase(orderId: string, lines: readonly CartLine[], totals: Totals): void {
  push('purchase', {
    transaction_id: orderId,
    currency: totals.currency,
    value: totals.subtotal,
    shipping: totals.shipping,
    tax: totals.tax,
    items: items(lines),
  });
}
