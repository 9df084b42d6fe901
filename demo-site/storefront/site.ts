/**
 * Writes the storefront into the Worker's static assets folder: a page per
 * department, aisle and product, the shop's fixed pages, product pictures,
 * the catalog the browser searches, and the shop's script and styles.
 *
 * URL → file (Workers static assets serve `/x` from `x.html`):
 *   /                         index.html
 *   /category/<d>[/<aisle>]   category/<d>.html, category/<d>/<aisle>.html
 *   /product/<id>             product/<id>.html
 *   /search /cart /checkout /order /account   <name>.html
 *   anything else             404.html, with status 404
 */
import path from 'node:path';
import { productImageSvg } from '../simulate/catalog';
import { bundle, writeFiles } from '../web-build';
import type { CatalogEntry } from './client/catalog';
import { accountPage } from './pages/account';
import { aislePage, departmentPage } from './pages/category';
import { cartPage } from './pages/cart';
import { checkoutPage, orderPage } from './pages/checkout';
import { homePage } from './pages/home';
import { notFoundPage } from './pages/not-found';
import { productPage } from './pages/product';
import { searchPage } from './pages/search';
import { type Shop, demoShop } from './shop';

const HERE = import.meta.dirname;

export async function buildStorefront(outDir: string, shop: Shop = demoShop()): Promise<{ pages: number; images: number }> {
  const files = new Map<string, string>();
  const pages: [string, string][] = [
    ['index.html', homePage(shop)],
    ['search.html', searchPage(shop)],
    ['cart.html', cartPage(shop)],
    ['checkout.html', checkoutPage(shop)],
    ['order.html', orderPage(shop)],
    ['account.html', accountPage(shop)],
    ['404.html', notFoundPage(shop)],
  ];
  for (const department of shop.departments) {
    pages.push([`category/${department.slug}.html`, departmentPage(shop, department)]);
    for (const aisle of department.aisles) pages.push([`category/${department.slug}/${aisle.slug}.html`, aislePage(shop, aisle)]);
  }
  for (const product of shop.products) pages.push([`product/${product.product_id}.html`, productPage(shop, product)]);
  for (const [file, html] of pages) files.set(file, html);

  for (const product of shop.products) files.set(`img/${product.product_id}.svg`, productImageSvg(product));
  files.set('catalog.json', JSON.stringify(shop.products.map(catalogEntry)));
  files.set('favicon.svg', FAVICON);
  await writeFiles(outDir, files);

  await bundle({
    entryPoints: { 'assets/shop': path.join(HERE, 'client', 'main.ts') },
    css: { 'assets/shop': path.join(HERE, 'shop.css') },
    outDir,
  });
  return { pages: pages.length, images: shop.products.length };
}

function catalogEntry(p: Shop['products'][number]): CatalogEntry {
  return {
    id: p.product_id,
    name: p.name,
    brand: p.brand,
    category: p.category,
    sku: p.sku,
    price: p.price,
    currency: p.currency,
    url: p.url,
    image: p.image_url,
    inStock: p.in_stock,
  };
}

const FAVICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><path d="M16 3a10 10 0 0 1 10 10c0 7-10 16-10 16S6 20 6 13A10 10 0 0 1 16 3z" fill="#0b6b4f"/><circle cx="16" cy="13" r="4" fill="#fff"/></svg>';
