/**
 * What an unknown URL shows, served with status 404 (wrangler.toml:
 * not_found_handling = "404-page"). The tag records its page view like any
 * other, with this page's title, so the dashboard's event stream and the
 * export show which missing URLs shoppers reach.
 */
import { html } from '../html';
import { page } from '../layout';
import { recCardTemplate, shelf } from '../parts';
import type { Shop } from '../shop';

export const NOT_FOUND_TITLE = 'Page not found';

export function notFoundPage(shop: Shop): string {
  return page({
    shop,
    kind: 'not-found',
    title: NOT_FOUND_TITLE,
    main: html`<div class="wrap">
  <div class="not-found">
    <h1>${NOT_FOUND_TITLE}</h1>
    <p>We have no page at this address. The product may have left the catalog, or the link has a typo.</p>
    <p>Try a search above, or start from a department:</p>
    <ul class="aisles-inline" role="list">${shop.departments.map((d) => html`<li><a href="${d.url}">${d.name}</a></li>`)}</ul>
  </div>
  ${shelf({ slot: 'trending', id: 'trending', heading: 'Trending near you', limit: 4 })}
</div>
${recCardTemplate()}`,
  });
}
