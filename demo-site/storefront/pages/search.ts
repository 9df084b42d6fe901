/**
 * Search results, found in the browser over /catalog.json (a shop this
 * size needs no search server). The results list the client renders carries
 * `data-trailmark-search-results` and `data-trailmark-result-count`
 * (`Products Searched` with `result_count`) and `data-trailmark-list`
 * (`Product List Viewed`). A search that finds nothing offers aisles and
 * products that match some of its words, and what is popular nearby.
 */
import { html } from '../html';
import { page } from '../layout';
import { recCardTemplate, shelf } from '../parts';
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
  <div data-search-fallback hidden>
    ${shelf({ slot: 'trending', id: 'search-trending', heading: 'Popular near you', note: 'What shoppers in your region are buying this week.', limit: 6 })}
  </div>
</div>
${recCardTemplate()}`,
  });
}
