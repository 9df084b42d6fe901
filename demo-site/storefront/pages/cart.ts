/**
 * The cart, kept in this browser (localStorage) and rendered by the page
 * script. Its lines are product elements inside `data-trailmark-cart`
 * (`Cart Viewed`); the quantity buttons carry `data-trailmark-add` and
 * `data-trailmark-remove` with a quantity of one (`Product Added` /
 * `Product Removed`), and the `cart` slot cross-sells. The shelves wait in
 * templates, where the tag does not see them, until the page knows whether
 * the cart has anything in it.
 */
import { html } from '../html';
import { page } from '../layout';
import { recCardTemplate, shelf } from '../parts';
import type { Shop } from '../shop';

export function cartPage(shop: Shop): string {
  return page({
    shop,
    kind: 'cart',
    title: 'Your cart',
    main: html`<div class="wrap">
  <h1>Your cart</h1>
  <div data-cart-view><p>Loading your cart…</p></div>
</div>
<template id="cart-shelf"><div class="wrap">${shelf({ slot: 'cart', id: 'goes-with-cart', heading: 'Goes well with your cart', limit: 4 })}</div></template>
<template id="empty-cart-shelf"><div class="wrap">${shelf({ slot: 'trending', id: 'trending', heading: 'Trending near you', limit: 4 })}</div></template>
${recCardTemplate()}`,
  });
}
