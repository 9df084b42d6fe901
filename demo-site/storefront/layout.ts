/**
 * The frame of every storefront page: head, header (search, account, cart,
 * departments, the demo's region switcher), footer.
 *
 * Trailmark is installed here the way a site owner installs it: one script
 * tag. Everything the shop records comes from that tag reading the page
 * (page views, `data-trailmark-*` attributes, slots) and the GA4 data layer;
 * the shop's own script (/assets/shop.js) only runs the shop.
 */
import { REGIONS } from '../simulate/regions';
import { type Html, html } from './html';
import type { Shop } from './shop';

export const SHOP_NAME = 'Trailmark Demo Shop';
export const WRITE_KEY = 'demo-write-key';

/** Which page script runs (client/main.ts dispatches on it). */
export type PageKind = 'home' | 'department' | 'aisle' | 'product' | 'search' | 'cart' | 'checkout' | 'order' | 'account' | 'not-found';

export interface PageOptions {
  shop: Shop;
  kind: PageKind;
  /** The page's own title; the shop's name is appended. */
  title: string;
  description?: string;
  main: Html;
  /** The department the page belongs to, highlighted in the navigation. */
  department?: string;
}

export function page({ shop, kind, title, description, main, department }: PageOptions): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${SHOP_NAME}</title>
<meta name="description" content="${description ?? 'A demo shop instrumented with one Trailmark script tag.'}">
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/shop.css">
<script async src="/tag.js" data-write-key="${WRITE_KEY}"></script>
<script type="module" src="/assets/shop.js"></script>
</head>
<body data-page="${kind}">
<a class="skip-link" href="#main">Skip to content</a>
${header(shop, department)}
<main id="main" tabindex="-1">
${main}
</main>
${footer(shop)}
</body>
</html>
`.value;
}

function header(shop: Shop, current?: string): Html {
  return html`<header class="site-header">
  ${regionBar()}
  <div class="bar wrap">
    <a class="brand" href="/"><span class="brand-mark" aria-hidden="true"></span>Trailmark <span class="brand-sub">Demo Shop</span></a>
    <form class="search-form" role="search" action="/search" method="get">
      <label for="site-search" class="visually-hidden">Search the shop</label>
      <input id="site-search" name="q" type="search" placeholder="Search coffee, tents, headphones…" autocomplete="off" required>
      <button type="submit">Search</button>
    </form>
    <nav class="account-nav" aria-label="Your account">
      <a href="/account" data-account-link>Log in</a>
      <a href="/cart" class="cart-link">Cart <span class="cart-count" data-cart-count>0</span><span class="visually-hidden"> items</span></a>
    </nav>
  </div>
  <nav class="departments" aria-label="Departments">
    <ul class="wrap">
      ${shop.departments.map((d) => html`<li><a href="${d.url}"${d.name === current ? html` aria-current="true"` : ''}>${d.name}</a></li>`)}
    </ul>
  </nav>
</header>`;
}

/**
 * Local demo only: the collector takes the visitor's region from this
 * cookie in development (DEV_MODE), so a product team can see regional
 * recommendations change. A real shop gets the region from the edge.
 */
function regionBar(): Html {
  return html`<div class="region-bar">
    <div class="wrap">
      <label for="region-switcher">Demo: shop as a visitor from</label>
      <select id="region-switcher" data-region-switcher>
        <option value="">where the edge locates you</option>
        ${REGIONS.map((r) => html`<option value="${[r.country, r.region, r.city].join('|')}">${r.city}, ${r.region} (${r.country})</option>`)}
      </select>
      <span class="region-hint">Recommendations follow the region.</span>
    </div>
  </div>`;
}

function footer(shop: Shop): Html {
  return html`<footer class="site-footer">
  <div class="wrap footer-grid">
    <section aria-labelledby="footer-shop">
      <h2 id="footer-shop">Shop</h2>
      <ul>${shop.departments.map((d) => html`<li><a href="${d.url}">${d.name}</a></li>`)}</ul>
    </section>
    <section aria-labelledby="footer-about">
      <h2 id="footer-about">About this demo</h2>
      <p>Every page here is tracked by one Trailmark script tag, reading declarative <code>data-trailmark-*</code> attributes and a GA4 data layer. The shop's own script never calls Trailmark: logging in and out are GA4 data layer pushes too.</p>
      <p><a href="/dashboard">Open the product-team dashboard</a></p>
    </section>
  </div>
</footer>`;
}
