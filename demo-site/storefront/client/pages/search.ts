/**
 * The search results page. The results list is built whole and then put in
 * the page, so the tag sees it once with all its products:
 * `data-trailmark-search-results` records `Products Searched` with the query,
 * `data-trailmark-list` records `Product List Viewed`.
 */
import { h, required } from '../../../shared/dom';
import { formatPrice } from '../../../shared/format';
import { type CatalogEntry, loadCatalog } from '../catalog';
import { searchCatalog } from '../search';

const SHOWN = 48;

export async function initSearchPage(): Promise<void> {
  const query = (new URLSearchParams(location.search).get('q') ?? '').trim().slice(0, 100);
  const heading = required('[data-search-heading]');
  const status = required('[data-search-status]');
  const results = required('[data-search-results]');
  const field = document.querySelector<HTMLInputElement>('#site-search');
  if (field) field.value = query;
  if (!query) {
    heading.textContent = 'Search';
    status.textContent = 'Type what you are looking for in the search box above.';
    return;
  }
  heading.textContent = `Results for “${query}”`;
  document.title = `Search: ${query} · Trailmark Demo Shop`;
  let found: CatalogEntry[];
  try {
    found = searchCatalog(await loadCatalog(), query);
  } catch {
    status.textContent = 'Search is not available right now. Please try again.';
    return;
  }
  status.textContent = found.length === 0 ? 'No products match. Try fewer or other words.' : `${found.length} ${found.length === 1 ? 'product' : 'products'} found.`;
  const list = h(
    'ul',
    {
      class: 'grid',
      role: 'list',
      'aria-label': `Results for ${query}`,
      'data-trailmark-search-results': query,
      // A list with nothing in it is no list view; the search itself still counts.
      'data-trailmark-list': found.length > 0 ? 'search-results' : undefined,
    },
    found.slice(0, SHOWN).map(card),
  );
  results.replaceChildren(list);
}

function card(entry: CatalogEntry): HTMLLIElement {
  return h(
    'li',
    {
      class: 'card',
      'data-trailmark-product': entry.id,
      'data-trailmark-sku': entry.sku,
      'data-trailmark-name': entry.name,
      'data-trailmark-brand': entry.brand,
      'data-trailmark-category': entry.category,
      'data-trailmark-price': entry.price,
      'data-trailmark-currency': entry.currency,
      'data-trailmark-url': entry.url,
      'data-trailmark-image': entry.image,
    },
    h('img', { src: entry.image, alt: '', width: 240, height: 240, loading: 'lazy', decoding: 'async' }),
    h('h2', { class: 'card-name' }, h('a', { href: entry.url }, entry.name)),
    h(
      'p',
      { class: 'card-meta' },
      h('span', { class: 'price' }, formatPrice(entry.price, entry.currency)),
      ' ',
      entry.inStock ? h('span', { class: 'stock in-stock' }, 'In stock') : h('span', { class: 'stock out-of-stock' }, 'Out of stock'),
    ),
  );
}
