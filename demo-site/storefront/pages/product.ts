/**
 * A product page: `Product Viewed` from the product element's
 * `data-trailmark-view`, `Product Added` from the add button's
 * `data-trailmark-add` (with the quantity field's value), and the `product`
 * slot: what shoppers who looked at this also looked at or bought with it.
 */
import type { CatalogProduct } from '../../simulate/catalog';
import { html } from '../html';
import { page } from '../layout';
import { breadcrumbs, productAttributes, recCardTemplate, shelf, stockNote } from '../parts';
import { type Shop, describe, formatPrice } from '../shop';

export const MAX_QUANTITY = 10;

export function productPage(shop: Shop, product: CatalogProduct): string {
  const aisle = shop.aisleOf(product);
  return page({
    shop,
    kind: 'product',
    department: aisle.department.name,
    title: product.name,
    description: describe(product)[0],
    main: html`<div class="wrap">
  ${breadcrumbs([{ name: 'Home', url: '/' }, { name: aisle.department.name, url: aisle.department.url }, { name: aisle.name, url: aisle.url }, { name: product.name }])}
  <article class="product"${productAttributes(product)} data-trailmark-view>
    <img class="product-image" src="${product.image_url}" alt="" width="480" height="480">
    <div class="product-info">
      <p class="product-brand">${product.brand}</p>
      <h1>${product.name}</h1>
      <p class="product-price">${formatPrice(product.price, product.currency)}</p>
      <p>${stockNote(product)} <span class="sku">SKU ${product.sku}</span></p>
      <form class="buy-form" data-add-form>
        <label for="quantity">Quantity</label>
        <input id="quantity" name="quantity" type="number" inputmode="numeric" min="1" max="${MAX_QUANTITY}" value="1" required${product.in_stock ? '' : html` disabled`}>
        <button type="submit" class="button" data-trailmark-add${product.in_stock ? '' : html` disabled`}>${product.in_stock ? 'Add to cart' : 'Out of stock'}</button>
      </form>
      <p class="add-status" role="status" data-add-status></p>
      ${describe(product).map((line) => html`<p>${line}</p>`)}
    </div>
  </article>
  ${shelf({ slot: 'product', id: 'also-viewed', heading: 'Shoppers who looked at this also liked', limit: 6, productId: product.product_id })}
</div>
${recCardTemplate()}`,
  });
}
