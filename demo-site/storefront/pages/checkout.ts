/**
 * Checkout: the order summary and a delivery form. The page script pushes
 * GA4's `begin_checkout` to the data layer (`Checkout Started`); placing the
 * order leads to the confirmation page, which pushes `purchase`.
 */
import { html } from '../html';
import { page } from '../layout';
import type { Shop } from '../shop';

export function checkoutPage(shop: Shop): string {
  return page({
    shop,
    kind: 'checkout',
    title: 'Checkout',
    main: html`<div class="wrap">
  <h1>Checkout</h1>
  <div data-checkout-view><p>Loading your order…</p></div>
</div>`,
  });
}

export function orderPage(shop: Shop): string {
  return page({
    shop,
    kind: 'order',
    title: 'Thank you for your order',
    main: html`<div class="wrap narrow">
  <div data-order-view><p>Loading your order…</p></div>
</div>`,
  });
}
