/** Ecommerce events three ways: the JavaScript helpers, a GA4 data layer, and data-trailmark-* attributes. */
import { expect, test } from '@playwright/test';
import { createSite, duplicates, eventually, FixtureServer, flush, recordBatches, tagPage, tagReady, type Stored } from './support';

let fixtures: FixtureServer;
test.beforeAll(async () => {
  fixtures = await new FixtureServer().start();
});
test.afterAll(() => fixtures.stop());

const tracks = (events: Stored[]) => events.filter((e) => e.type === 'track');

test('the helpers send the Ecommerce v2 events with their standard properties', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  await page.goto(fixtures.serve('/helpers', tagPage({ collector: baseURL!, writeKey })));
  await tagReady(page);
  await page.evaluate(async () => {
    const t = (window as any).trailmark;
    const tent = {
      product_id: 'SKU-1',
      name: 'Tent',
      price: 129,
      currency: 'EUR',
      category: 'Camping',
      url: 'https://shop.example/p/1',
      image_url: 'https://shop.example/i/1.jpg',
    };
    t.productsSearched({ query: 'tent' });
    t.productListViewed({ list_id: 'camping', category: 'Camping', products: [{ ...tent, position: 1 }] });
    t.productClicked({ ...tent, position: 1 });
    t.productViewed(tent);
    t.productAdded({ ...tent, quantity: 2, cart_id: 'c1' });
    t.productRemoved({ ...tent, quantity: 1, cart_id: 'c1' });
    t.cartViewed({ cart_id: 'c1', products: [{ ...tent, quantity: 1 }] });
    t.checkoutStarted({ revenue: 129, currency: 'EUR', products: [{ ...tent, quantity: 1 }] });
    t.orderCompleted({ order_id: 'O-1', total: 134, revenue: 129, shipping: 5, currency: 'EUR', products: [{ ...tent, quantity: 1 }] });
    await t.flush();
  });
  const events = tracks(await eventually(baseURL!, writeKey, (e) => tracks(e).length >= 9));
  const order = [
    'Products Searched',
    'Product List Viewed',
    'Product Clicked',
    'Product Viewed',
    'Product Added',
    'Product Removed',
    'Cart Viewed',
    'Checkout Started',
    'Order Completed',
  ];
  expect(events.map((e) => e.event).sort()).toEqual([...order].sort());
  const byName = (name: string) => events.find((e) => e.event === name)!.properties;
  expect(byName('Products Searched')).toEqual({ query: 'tent' });
  expect(byName('Product Added')).toMatchObject({ product_id: 'SKU-1', quantity: 2, cart_id: 'c1', price: 129 });
  expect(byName('Order Completed')).toMatchObject({ order_id: 'O-1', total: 134, products: [{ product_id: 'SKU-1' }] });
});

test('GA4 data layer pushes, before and after the tag loaded, become Ecommerce v2 events in order', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  const head = `<script>
window.dataLayer = window.dataLayer || [];
function gtag(){dataLayer.push(arguments);}
dataLayer.push({ event: 'gtm.js' });
dataLayer.push({ ecommerce: null });
dataLayer.push({ event: 'view_item_list', ecommerce: { item_list_id: 'tents', item_list_name: 'Tents', items: [{ item_id: 'SKU-1', item_name: 'Tent', price: 129, index: 0 }, { item_id: 'SKU-2', item_name: 'Tarp', price: 29, index: 1 }] } });
gtag('event', 'view_item', { currency: 'EUR', value: 129, items: [{ item_id: 'SKU-1', item_name: 'Tent', price: 129 }] });
</script>`;
  const batches = recordBatches(page);
  await page.goto(fixtures.serve('/ga4', tagPage({ collector: baseURL!, writeKey, head })));
  await tagReady(page);
  await page.evaluate(() => {
    const w = window as any;
    w.dataLayer.push({
      event: 'add_to_cart',
      ecommerce: {
        currency: 'EUR',
        items: [
          { item_id: 'SKU-1', item_name: 'Tent', price: 129, quantity: 1 },
          { item_id: 'SKU-2', price: 29, quantity: 3 },
        ],
      },
    });
    w.dataLayer.push({ event: 'search', search_term: 'tarp' });
    w.gtag('event', 'purchase', {
      transaction_id: 'T-9',
      currency: 'EUR',
      value: 216,
      shipping: 5,
      tax: 0,
      items: [{ item_id: 'SKU-1', price: 129, quantity: 1 }],
    });
    w.dataLayer.push({ event: 'custom_thing', foo: 1 });
  });
  await page.waitForTimeout(300);
  await flush(page);
  const events = tracks(await eventually(baseURL!, writeKey, (e) => tracks(e).length >= 6));
  expect(events).toHaveLength(6);
  // In push order, on the wire (several share a millisecond, so stored timestamps cannot tell).
  const sent = batches.requests.flatMap((r) => JSON.parse(r.postData()!).batch.filter((m: Stored) => m.type === 'track'));
  const order = new Map(sent.map((m: Stored, i: number) => [m.messageId, i]));
  events.sort((a, b) => order.get(a.messageId)! - order.get(b.messageId)!);
  expect(events.map((e) => e.event)).toEqual([
    'Product List Viewed',
    'Product Viewed',
    'Product Added',
    'Product Added',
    'Products Searched',
    'Order Completed',
  ]);
  expect(events[0]!.properties).toMatchObject({
    list_id: 'tents',
    category: 'Tents',
    products: [
      { product_id: 'SKU-1', position: 0 },
      { product_id: 'SKU-2', position: 1 },
    ],
  });
  expect(events[1]!.properties).toMatchObject({ product_id: 'SKU-1', name: 'Tent', price: 129, currency: 'EUR' });
  expect(events[3]!.properties).toMatchObject({ product_id: 'SKU-2', quantity: 3 });
  expect(events[5]!.properties).toMatchObject({ order_id: 'T-9', revenue: 216, total: 221, currency: 'EUR' });
  expect(duplicates(events)).toEqual([]);
});

test('declarative attributes record product, list, cart and search views, add-to-cart clicks and searches', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  const product = (id: string, name: string, price: number) =>
    `<li data-trailmark-product="${id}" data-trailmark-name="${name}" data-trailmark-price="${price}" data-trailmark-currency="EUR" data-trailmark-url="/p/${id}">
       <a href="#${id}">${name}</a><button data-trailmark-add data-trailmark-quantity="2">Add</button></li>`;
  const body = `
<main data-trailmark-product="SKU-1" data-trailmark-view data-trailmark-name="Tent" data-trailmark-price="129" data-trailmark-currency="EUR" data-trailmark-category="Camping" data-trailmark-image="https://cdn.example/tent.jpg">
  <input name="quantity" value="3"><button id="add-main" data-trailmark-add>Add to cart</button>
</main>
<ul data-trailmark-list="related" data-trailmark-category="Camping">${product('SKU-2', 'Tarp', 29)}${product('SKU-3', 'Lamp', 19)}</ul>
<form data-trailmark-search onsubmit="event.preventDefault()"><input type="search" name="q"><button>Search</button></form>
<button id="remove-elsewhere" data-trailmark-remove="SKU-3">Remove lamp</button>`;
  await page.goto(fixtures.serve('/declarative', tagPage({ collector: baseURL!, writeKey, body })));
  await tagReady(page);
  // Views are recorded at idle time, once the chunk is there.
  await page.waitForFunction(() => performance.getEntriesByType('resource').some((r) => r.name.includes('tag-declarative-')));
  await page.waitForTimeout(300);
  await page.click('#add-main');
  await page.click('li[data-trailmark-product="SKU-2"] button');
  await page.click('li[data-trailmark-product="SKU-3"] a');
  await page.fill('input[type=search]', ' sleeping bag ');
  await page.click('form button');
  await page.click('#remove-elsewhere');
  // Added later by the page's own script: seen too.
  await page.evaluate(() => document.body.insertAdjacentHTML('beforeend', '<div data-trailmark-search-results="tents"></div>'));
  await page.waitForTimeout(500);
  await flush(page);

  const events = tracks(await eventually(baseURL!, writeKey, (e) => tracks(e).length >= 8));
  const byName = (name: string) => events.filter((e) => e.event === name).map((e) => e.properties);
  expect(byName('Product Viewed')).toEqual([
    { product_id: 'SKU-1', name: 'Tent', price: 129, currency: 'EUR', category: 'Camping', image_url: 'https://cdn.example/tent.jpg' },
  ]);
  expect(byName('Product List Viewed')).toEqual([
    {
      list_id: 'related',
      category: 'Camping',
      products: [
        { product_id: 'SKU-2', name: 'Tarp', price: 29, currency: 'EUR', url: `${fixtures.origin}/p/SKU-2`, position: 1 },
        { product_id: 'SKU-3', name: 'Lamp', price: 19, currency: 'EUR', url: `${fixtures.origin}/p/SKU-3`, position: 2 },
      ],
    },
  ]);
  expect(byName('Product Added')).toEqual([
    expect.objectContaining({ product_id: 'SKU-1', quantity: 3 }), // from the quantity field
    expect.objectContaining({ product_id: 'SKU-2', quantity: 2 }), // from the button
  ]);
  expect(byName('Product Clicked')).toEqual([expect.objectContaining({ product_id: 'SKU-3', list_id: 'related', position: 2 })]);
  expect(byName('Product Removed')).toEqual([expect.objectContaining({ product_id: 'SKU-3', quantity: 1 })]);
  expect(
    byName('Products Searched')
      .map((p) => p.query)
      .sort(),
  ).toEqual(['sleeping bag', 'tents']);
  expect(events).toHaveLength(8);
  expect(duplicates(events)).toEqual([]);
});

test('a click on a data-trailmark-* element is recorded however early, even before the tag has read the page', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  const body = `<button id="subscribe" data-trailmark-track="Newsletter Signed Up" data-trailmark-prop-list="weekly">Subscribe</button>
<div data-trailmark-product="SKU-4" data-trailmark-name="Mug"><button id="add" data-trailmark-add>Add</button></div>
<button id="plain">Nothing to record</button>`;
  // The tag's page chunk (which listens, and reads the page) is held back until the shopper has clicked.
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\/tag-page-[\w-]+\.js$/, async (route) => {
    await released;
    await route.continue();
  });
  const chunks: string[] = [];
  page.on('request', (r) => chunks.push(new URL(r.url()).pathname));
  await page.goto(fixtures.serve('/early-clicks', tagPage({ collector: baseURL!, writeKey, body })));
  await tagReady(page);
  await page.click('#subscribe');
  await page.click('#plain');
  await page.click('#add');
  expect(chunks.some((p) => p.startsWith('/tag-declarative-'))).toBe(false);
  release();
  await flush(page);
  const events = tracks(await eventually(baseURL!, writeKey, (e) => tracks(e).length >= 2));
  expect(events.map((e) => [e.event, e.properties]).sort()).toEqual([
    ['Newsletter Signed Up', { list: 'weekly' }],
    ['Product Added', { product_id: 'SKU-4', name: 'Mug', quantity: 1 }],
  ]);
  // Clicked once each, recorded once each.
  await page.click('#subscribe');
  await flush(page);
  expect(tracks(await eventually(baseURL!, writeKey, (e) => tracks(e).length >= 3)).filter((e) => e.event === 'Newsletter Signed Up')).toHaveLength(2);
});

test('declarative views are recorded again after a single-page-app navigation', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  const body = `<main id="view" data-trailmark-product="SKU-1" data-trailmark-view data-trailmark-name="Tent"></main>`;
  await page.goto(fixtures.serve('/spa-shop', tagPage({ collector: baseURL!, writeKey, body })));
  await tagReady(page);
  await page.waitForFunction(() => performance.getEntriesByType('resource').some((r) => r.name.includes('tag-declarative-')));
  await page.waitForTimeout(300);
  // The router reuses the element for another product, then comes back to the first one.
  await page.evaluate(() => {
    history.pushState({}, '', '/spa-shop/2');
    const main = document.getElementById('view')!;
    main.setAttribute('data-trailmark-product', 'SKU-2');
    main.setAttribute('data-trailmark-name', 'Tarp');
  });
  await page.waitForTimeout(500);
  await page.evaluate(() => {
    history.pushState({}, '', '/spa-shop/1');
    const main = document.getElementById('view')!;
    main.setAttribute('data-trailmark-product', 'SKU-1');
    main.setAttribute('data-trailmark-name', 'Tent');
  });
  await page.waitForTimeout(500);
  await flush(page);
  const events = await eventually(baseURL!, writeKey, (e) => tracks(e).length >= 3);
  const viewed = tracks(events).sort((a, b) => a.originalTimestamp.localeCompare(b.originalTimestamp));
  expect(viewed.map((e) => e.properties.product_id)).toEqual(['SKU-1', 'SKU-2', 'SKU-1']);
  expect(events.filter((e) => e.type === 'page')).toHaveLength(3);
});
