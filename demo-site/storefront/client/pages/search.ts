/**
 * The search results page. The results list is built whole and then put in
 * the page, so the tag sees it once with all its products:
 * `data-trailmark-search-results` records `Products Searched` with the query
 * and `data-trailmark-result-count` the number found (0: nothing, which the
 * dashboard lists as a search without results), `data-trailmark-list`
 * records `Product List Viewed`. When nothing is found the page says so and
 * offers what might help: aisles and products matching some of the words,
 * and the region's popular products.
 */
import { h, required } from '../../../shared/dom';
import { formatPrice } from '../../../shared/format';
import { slugify } from '../../../simulate/catalog';
import { type CatalogEntry, loadCatalog } from '../catalog';
import { aislesMatching, searchCatalog, searchCatalogLoosely } from '../search';

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
  let catalog: CatalogEntry[];
  let found: CatalogEntry[];
  try {
    catalog = await loadCatalog();
    found = searchCatalog(catalog, query);
  } catch {
    status.textContent = 'Search is not available right now. Please try again.';
    return;
  }
  status.textContent = found.length === 0 ? `No products match “${query}”.` : `${found.length} ${found.length === 1 ? 'product' : 'products'} found.`;
  const list = h(
    'ul',
    {
      class: 'grid',
      role: 'list',
      'aria-label': `Results for ${query}`,
      'data-trailmark-search-results': query,
      'data-trailmark-result-count': found.length,
      // A list with nothing in it is no list view; the search itself still counts.
      'data-trailmark-list': found.length > 0 ? 'search-results' : undefined,
    },
    found.slice(0, SHOWN).map(card),
  );
  results.replaceChildren(list, ...(found.length === 0 ? nothingFound(catalog, query) : []));
}

/** Help for a search that found nothing: aisles and products that match some of the words, and the popular shelf. */
function nothingFound(catalog: readonly CatalogEntry[], query: string): HTMLElement[] {
  heading().textContent = `Nothing found for “${query}”`;
  required('[data-search-fallback]').hidden = false;
  const aisles = aislesMatching(catalog, query).slice(0, 6);
  const near = searchCatalogLoosely(catalog, query).slice(0, 8);
  const out: HTMLElement[] = [
    h('p', { class: 'search-help' }, 'Check the spelling, use fewer words, or try a more general one (“tea” rather than “jasmine green tea”).'),
  ];
  if (aisles.length > 0) {
    out.push(
      h('h2', { class: 'search-sub' }, 'Aisles that may have it'),
      h(
        'ul',
        { class: 'aisles-inline' },
        aisles.map((aisle) => {
          const [top = '', sub = ''] = aisle.split(' > ');
          return h('li', {}, h('a', { href: `/category/${slugify(top)}/${slugify(sub)}` }, sub, h('span', { class: 'aisle-top' }, ` in ${top}`)));
        }),
      ),
    );
  }
  if (near.length > 0) {
    out.push(
      h('h2', { class: 'search-sub' }, 'Products with some of your words'),
      h(
        'ul',
        { class: 'grid', role: 'list', 'aria-label': `Products with some of the words of ${query}`, 'data-trailmark-list': 'search-suggestions' },
        near.map(card),
      ),
    );
  }
  return out;
}

const heading = () => required('[data-search-heading]');

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
