/**
 * Pieces several pages share: product cards and lists, breadcrumbs and
 * recommendation shelves. Products carry the declarative attributes the tag
 * reads (`data-trailmark-product` and its fields), lists the list id and
 * category, so list views and clicks are recorded without code.
 */
import type { CatalogProduct } from '../simulate/catalog';
import { type Html, attrs, html } from './html';
import { formatPrice } from './shop';

/** The declarative description of a product: everything Ecommerce v2 wants to know about it. */
export function productAttributes(product: CatalogProduct): Html {
  return attrs({
    'data-trailmark-product': product.product_id,
    'data-trailmark-sku': product.sku,
    'data-trailmark-name': product.name,
    'data-trailmark-brand': product.brand,
    'data-trailmark-category': product.category,
    'data-trailmark-price': product.price,
    'data-trailmark-currency': product.currency,
    'data-trailmark-url': product.url,
    'data-trailmark-image': product.image_url,
  });
}

export function stockNote(product: CatalogProduct): Html {
  return product.in_stock ? html`<span class="stock in-stock">In stock</span>` : html`<span class="stock out-of-stock">Out of stock</span>`;
}

export function productCard(product: CatalogProduct, headingLevel: 'h2' | 'h3' = 'h3'): Html {
  // The whole card is one link (its name), so a keyboard user tabs once per product.
  return html`<li class="card"${productAttributes(product)}>
  <img src="${product.image_url}" alt="" width="240" height="240" loading="lazy" decoding="async">
  <${headingLevel} class="card-name"><a href="${product.url}">${product.name}</a></${headingLevel}>
  <p class="card-meta"><span class="price">${formatPrice(product.price, product.currency)}</span> ${stockNote(product)}</p>
</li>`;
}

/** A product list: `Product List Viewed` when shown, `Product Clicked` when one is opened. */
export function productList(listId: string, category: string | undefined, products: CatalogProduct[], label: string): Html {
  return html`<ul class="grid" role="list" aria-label="${label}"${attrs({ 'data-trailmark-list': listId, 'data-trailmark-category': category })}>
  ${products.map((p) => productCard(p))}
</ul>`;
}

export interface Crumb {
  name: string;
  url?: string;
}

export function breadcrumbs(crumbs: Crumb[]): Html {
  return html`<nav class="breadcrumbs" aria-label="Breadcrumb"><ol>
  ${crumbs.map((c) => (c.url ? html`<li><a href="${c.url}">${c.name}</a></li>` : html`<li aria-current="page">${c.name}</li>`))}
</ol></nav>`;
}

export interface ShelfOptions {
  slot: 'home' | 'product' | 'cart' | 'trending' | 'reorder';
  id: string;
  heading: string;
  note?: string;
  limit: number;
  productId?: string;
  /**
   * Show the shelf only when an item comes for this reason: the reorder slot
   * is never empty (it falls back to what is popular), but "Time to restock?"
   * over a first-time visitor's regional best sellers would say something untrue.
   */
  onlyWithReason?: string;
}

/**
 * A recommendation slot: the tag fills `[data-trailmark-slot]` with the
 * slot's items (through the `rec-card` template), records the viewable
 * impression and the clicks. The list's content before that is the
 * fallback a visitor sees if recommendations cannot be had.
 */
export function shelf(options: ShelfOptions): Html {
  return html`<section class="shelf" aria-labelledby="${options.id}"${attrs({ 'data-only-with-reason': options.onlyWithReason, hidden: options.onlyWithReason !== undefined })}>
  <div class="shelf-head">
    <h2 id="${options.id}">${options.heading}</h2>
    ${options.note ? html`<p class="shelf-note" data-shelf-note>${options.note}</p>` : ''}
  </div>
  <ul class="grid rec-grid" role="list" aria-labelledby="${options.id}"${attrs({
    'data-trailmark-slot': options.slot,
    'data-trailmark-limit': options.limit,
    'data-trailmark-product-id': options.productId,
    'data-trailmark-template': 'rec-card',
  })}>
    ${Array.from({ length: Math.min(options.limit, 4) }, () => html`<li class="card placeholder" aria-hidden="true"><span class="ph-img"></span><span class="ph-line"></span><span class="ph-line short"></span></li>`)}
  </ul>
</section>`;
}

/**
 * How the tag renders one recommended item (`data-field` elements get the
 * item's text and checked URLs). Same look as the shop's own cards.
 */
export function recCardTemplate(): Html {
  return html`<template id="rec-card"><li class="card rec-card">
  <img data-field="image" alt="" width="240" height="240" loading="lazy" decoding="async">
  <h3 class="card-name"><a data-field="url"><span data-field="name"></span></a></h3>
  <p class="card-meta"><span class="price" data-field="price"></span></p>
  <p class="rec-reason" data-field="reason"></p>
</li></template>`;
}
