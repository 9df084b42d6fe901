/**
 * Search results, found in the browser over /catalog.json (a shop this
 * size needs no search server). The results list the client renders carries
 * `data-trailmark-search-results` (`Products Searched`) and
 * `data-trailmark-list` (`Product List Viewed`).
 */
import { html } from '../html';
import { page } from '../layout';
import { recCardTemplate } from '../parts';
import type { Shop } from '../shop';

export function searchPage(shop: Shop): string {
  return page({
    shop,
    kind: 'search',
    title: 'Search',
    main: html`<div class="wrap">
  <h1 data-search-heading>Search</h1>
  <p class="count" role="status" data-search-status>Searching…</p>
  <div data-search-results></div>
</div>
${recCardTemplate()}`,
  });
}
