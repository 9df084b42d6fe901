/**
 * The home page: three recommendation slots (personal picks blended with the
 * region's favourites, what is trending in the region, what the shopper is
 * due to buy again) and the departments.
 */
import { html } from '../html';
import { page } from '../layout';
import { recCardTemplate, shelf } from '../parts';
import type { Shop } from '../shop';

export function homePage(shop: Shop): string {
  return page({
    shop,
    kind: 'home',
    title: 'Home',
    description: 'Everyday things, picked for you: coffee, cookware, headphones, running shoes and more.',
    main: html`<section class="hero">
  <div class="wrap hero-inner">
    <div>
      <h1>Everyday things, picked for you</h1>
      <p>Eight departments, a few hundred products, and shelves that learn what you like as you browse.</p>
      <p><a class="button" href="#departments">Browse the departments</a></p>
    </div>
    <aside class="try-it" aria-labelledby="try-it-heading">
      <h2 id="try-it-heading">Try the demo</h2>
      <ol>
        <li>Pick a region in the yellow bar: the shelves change with it.</li>
        <li>Browse, search, add to the cart. The tag records each step from the page itself.</li>
        <li><a href="/account">Log in</a> halfway: your anonymous browsing joins the customer's profile.</li>
        <li>Check out, then open the <a href="/dashboard">dashboard</a> to find your visit.</li>
      </ol>
    </aside>
  </div>
</section>
<div class="wrap">
  ${shelf({ slot: 'home', id: 'picked-for-you', heading: 'Picked for you', note: 'From what you looked at, and what sells where you are.', limit: 6 })}
  ${shelf({ slot: 'reorder', id: 'restock', heading: 'Time to restock?', note: 'Things you buy regularly that are probably running low.', limit: 4, onlyWithReason: 'time-to-reorder' })}
  ${shelf({ slot: 'trending', id: 'trending', heading: 'Trending near you', note: 'What shoppers in your region are buying this week.', limit: 6 })}
  <section class="departments-grid" id="departments" aria-labelledby="departments-heading">
    <h2 id="departments-heading">Departments</h2>
    <ul class="tiles" role="list">
      ${shop.departments.map(
        (d) => html`<li class="tile" style="--hue: ${d.hue}">
        <a href="${d.url}"><span class="tile-name">${d.name}</span>
        <span class="tile-aisles">${d.aisles.map((a) => a.name).join(' · ')}</span></a>
      </li>`,
      )}
    </ul>
  </section>
</div>
${recCardTemplate()}`,
  });
}
