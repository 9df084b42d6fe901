/**
 * Recommendation slots: the request, rendering (default template, the site's
 * template, the site's own code), safety against hostile catalog data, no
 * layout shift, viewable impressions and clicks. The collector's endpoint is
 * played by page.route with the response format of the contract.
 */
import { expect, test, type Page } from '@playwright/test';
import { createSite, duplicates, eventually, FixtureServer, flush, storedEvents, tagPage, tagReady, type Stored } from './support';

let fixtures: FixtureServer;
test.beforeAll(async () => {
  fixtures = await new FixtureServer().start();
});
test.afterAll(() => fixtures.stop());

const hostile = {
  recId: 'rec-123',
  slot: 'product',
  variant: 'treatment',
  strategy: 'also-viewed',
  items: [
    {
      productId: 'p1',
      name: 'Tent',
      price: 129,
      currency: 'EUR',
      imageUrl: 'https://cdn.example/tent.jpg',
      url: '/products/p1',
      category: 'Camping',
      score: 0.9,
      reason: 'also-viewed',
    },
    {
      productId: 'p2',
      name: '<img src=x onerror="window.pwned=1">',
      price: 19.5,
      currency: 'EUR',
      imageUrl: 'javascript:window.pwned=2',
      url: 'javascript:window.pwned=3',
      score: 0.5,
      reason: 'x',
    },
    {
      productId: 'p3',
      name: 'Lamp"><script>window.pwned=4</script>',
      price: 'free',
      currency: '<b>',
      imageUrl: 'data:image/svg+xml,<svg onload="window.pwned=5"/>',
      url: ' JAVASCRIPT:window.pwned=6',
      score: 0.1,
      reason: 'y',
    },
    { productId: 'p4', name: 'Not shown (limit)', score: 0, reason: 'z' },
  ],
};

/** Answers GET /v1/recommendations like the collector, and records the queries. */
async function fakeRecommendations(page: Page, baseURL: string, response: unknown = hostile) {
  const queries: URLSearchParams[] = [];
  await page.route(`${baseURL}/v1/recommendations?*`, (route) => {
    queries.push(new URL(route.request().url()).searchParams);
    return route.fulfill({ contentType: 'application/json', headers: { 'access-control-allow-origin': '*' }, body: JSON.stringify(response) });
  });
  return queries;
}

/**
 * A slot request's query, checked whole, but for the ack token of the browser's last answered batch: it goes along
 * when that batch was answered before the request, which depends on timing here (ack.spec.ts tests it).
 */
function queryOf(query: URLSearchParams): Record<string, string> {
  const { ack, ...rest } = Object.fromEntries(query);
  if (ack !== undefined) expect(ack).toMatch(/^[0-9a-z]+\.[0-9a-z]+\.[0-9a-z]+$/);
  return rest;
}

const recEvents = (events: Stored[]) => events.filter((e) => e.event?.startsWith('Recommendation'));

test('a slot fills itself safely, records a viewable impression after a second in view, and records clicks', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  const queries = await fakeRecommendations(page, baseURL!);
  const dialogs: string[] = [];
  page.on('dialog', (d) => (dialogs.push(d.message()), d.dismiss()));
  const body = `<h1>Product</h1><div style="height:150vh">spacer</div>
<section><h2>You may also like</h2><div id="slot" data-trailmark-slot="product" data-trailmark-product-id="SKU-1" data-trailmark-limit="3" data-trailmark-label="You may also like" style="min-height:20rem">Loading…</div></section>`;
  await page.goto(fixtures.serve('/slot', tagPage({ collector: baseURL!, writeKey, body })));
  const anonymousId = await tagReady(page);
  await expect(page.locator('#slot li')).toHaveCount(3);

  // The request, exactly as the contract has it.
  expect(queryOf(queries[0]!)).toEqual({ writeKey, slot: 'product', anonymousId, productId: 'SKU-1', limit: '3' });

  // Hostile catalog data stays text; only http(s) URLs become links and images.
  const slot = page.locator('#slot');
  await expect(slot.locator('ul[role=list]')).toHaveAttribute('aria-label', 'You may also like');
  expect(await slot.locator('img').count()).toBe(1);
  expect(await slot.locator('img').getAttribute('src')).toBe('https://cdn.example/tent.jpg');
  expect(await slot.locator('a').count()).toBe(1);
  // A root-relative catalog link is the shop's, not the page's: the collector serving the site (as in the demo) names its origin.
  expect(await slot.locator('a').getAttribute('href')).toBe(`${new URL(baseURL!).origin}/products/p1`);
  await expect(slot.locator('li').nth(1)).toContainText('<img src=x onerror="window.pwned=1">');
  await expect(slot.locator('li').nth(2)).toContainText('Lamp"><script>window.pwned=4</script>');
  await expect(slot.locator('li').nth(0)).toContainText('€129.00');
  expect(await page.evaluate(() => (window as any).pwned)).toBeUndefined();
  expect(await slot.locator('script, [onerror], [onload]').count()).toBe(0);
  expect(dialogs).toEqual([]);

  // Not in view yet: no impression. A glance shorter than a second: none either.
  await page.waitForTimeout(1200);
  await slot.scrollIntoViewIfNeeded();
  await page.waitForTimeout(400);
  await page.evaluate(() => scrollTo(0, 0));
  await page.waitForTimeout(1200);
  await flush(page);
  expect(recEvents(await storedEvents(baseURL!, writeKey))).toEqual([]);

  // In view for a second: one impression, however long it stays.
  await slot.scrollIntoViewIfNeeded();
  await page.waitForTimeout(2500);
  await flush(page);
  let events = await eventually(baseURL!, writeKey, (e) => recEvents(e).length >= 1);
  expect(recEvents(events)).toHaveLength(1);
  expect(recEvents(events)[0]!.properties).toEqual({ rec_id: 'rec-123', slot: 'product', variant: 'treatment', product_ids: ['p1', 'p2', 'p3'] });

  // A click that leaves the page is recorded (sent as the page goes).
  await slot.locator('a').click();
  await page.waitForURL('**/products/p1');
  events = await eventually(baseURL!, writeKey, (e) => recEvents(e).length >= 2);
  expect(recEvents(events)[1]!).toMatchObject({
    event: 'Recommendation Clicked',
    properties: { rec_id: 'rec-123', slot: 'product', variant: 'treatment', product_id: 'p1', position: 1 },
  });
  expect(duplicates(events)).toEqual([]);
});

test('the default rendering does not shift the page when the slot has its space reserved', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  await fakeRecommendations(page, baseURL!, { ...hostile, items: hostile.items.slice(0, 1) });
  await page.addInitScript(() => {
    (window as any).shifts = 0;
    new PerformanceObserver((list) => list.getEntries().forEach((e: any) => ((window as any).shifts += e.value))).observe({
      type: 'layout-shift',
      buffered: true,
    });
  });
  const body = `<div data-trailmark-slot="home" style="min-height:24rem;max-width:20rem"></div><p id="below">Content below the slot</p>`;
  await page.goto(fixtures.serve('/noshift', tagPage({ collector: baseURL!, writeKey, body })));
  await tagReady(page);
  await expect(page.locator('[data-trailmark-slot] li')).toHaveCount(1);
  await page.waitForTimeout(500);
  expect(await page.evaluate(() => (window as any).shifts)).toBe(0);
});

test("the site's <template>, or its own code, renders the items; tracking still works", async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  await fakeRecommendations(page, baseURL!, { ...hostile, slot: 'home' });
  const body = `
<template id="card"><article class="card"><a data-field="url"><img data-field="image" width="100" height="100"><h3 data-field="name"></h3></a><p data-field="price"></p><small data-field="reason"></small></article></template>
<div id="templated" data-trailmark-slot="home" data-trailmark-template="card" data-trailmark-limit="2"></div>
<div id="own" data-trailmark-slot="home"></div>
<script>
document.getElementById('own').addEventListener('trailmark:recommendations', function (event) {
  event.preventDefault();
  event.detail.items.forEach(function (item, i) {
    var b = document.createElement('button');
    b.textContent = item.productId;
    b.setAttribute('data-trailmark-item', item.productId);
    b.setAttribute('data-trailmark-position', String(i + 1));
    event.target.append(b);
  });
});
</script>`;
  await page.goto(fixtures.serve('/templates', tagPage({ collector: baseURL!, writeKey, body })));
  await tagReady(page);
  await expect(page.locator('#templated article.card')).toHaveCount(2);
  await expect(page.locator('#templated article.card').nth(0).locator('h3')).toHaveText('Tent');
  await expect(page.locator('#templated article.card').nth(1).locator('h3')).toHaveText('<img src=x onerror="window.pwned=1">');
  expect(await page.locator('#templated article.card').nth(1).locator('a').getAttribute('href')).toBeNull();
  expect(await page.locator('#templated article.card').nth(1).locator('img').getAttribute('src')).toBeNull();
  await expect(page.locator('#own button')).toHaveCount(4);
  await page.locator('#own button').nth(2).click();
  await flush(page);
  const events = await eventually(baseURL!, writeKey, (e) => recEvents(e).some((x) => x.event === 'Recommendation Clicked'));
  expect(events.find((e) => e.event === 'Recommendation Clicked')!.properties).toEqual({
    rec_id: 'rec-123',
    slot: 'home',
    variant: 'treatment',
    product_id: 'p3',
    position: 3,
  });
  expect(await page.evaluate(() => (window as any).pwned)).toBeUndefined();
});

test('recommend() returns the items; a failing endpoint leaves the slot’s fallback content', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  const queries = await fakeRecommendations(page, baseURL!, { ...hostile, slot: 'trending' });
  await page.goto(fixtures.serve('/api', tagPage({ collector: baseURL!, writeKey, attributes: { 'data-slots': 'false' } })));
  const anonymousId = await tagReady(page);
  const response = await page.evaluate(() => {
    (window as any).trailmark.identify('user-9');
    return (window as any).trailmark.recommend('trending', { limit: 2, productId: 'SKU-2' });
  });
  expect(queryOf(queries[0]!)).toEqual({ writeKey, slot: 'trending', anonymousId, userId: 'user-9', productId: 'SKU-2', limit: '2' });
  expect(response).toMatchObject({
    recId: 'rec-123',
    slot: 'trending',
    variant: 'treatment',
    items: [{ productId: 'p1', name: 'Tent' }, { productId: 'p2' }, { productId: 'p3' }, { productId: 'p4' }],
  });

  await page.unroute(`${baseURL}/v1/recommendations?*`);
  await page.route(`${baseURL}/v1/recommendations?*`, (route) => route.fulfill({ status: 500, headers: { 'access-control-allow-origin': '*' }, body: 'no' }));
  const failure = await page.evaluate(() =>
    (window as any).trailmark.recommend('home').then(
      () => 'resolved',
      (e: Error) => `rejected: ${e.message}`,
    ),
  );
  expect(failure).toMatch(/^rejected: .*HTTP 500/);

  const body = `<div id="slot" data-trailmark-slot="home"><a href="/bestsellers">Our best sellers</a></div>`;
  await page.goto(fixtures.serve('/fallback', tagPage({ collector: baseURL!, writeKey, body })));
  await tagReady(page);
  await expect(page.locator('#slot')).toHaveAttribute('data-trailmark-state', 'failed');
  await expect(page.locator('#slot a')).toHaveText('Our best sellers');
});

test('recommend() called as the page loads waits for the site’s settings and goes with the visitor’s ids', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  const queries = await fakeRecommendations(page, baseURL!, { ...hostile, slot: 'trending' });
  // The site's settings are held back until the call has been made and the slots chunk has run.
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route(`${baseURL}/v1/tag-settings/*`, async (route) => {
    await released;
    await route.fallback();
  });
  const slotsChunk = page.waitForRequest(/\/tag-slots-[\w-]+\.js$/);
  await page.goto(fixtures.serve('/early', tagPage({ collector: baseURL!, writeKey, attributes: { 'data-slots': 'false' } })));
  const anonymousId = await tagReady(page);
  await page.evaluate(() => {
    const trailmark = (window as any).trailmark;
    trailmark.identify('user-9');
    (window as any).answer = trailmark.recommend('trending', { limit: 2 });
  });
  // Once this import of the same module settles, the tag's has too, and its recommend() has run as far as it may.
  await page.evaluate((url) => import(url).then(() => {}), (await slotsChunk).url());
  release();
  const response = await page.evaluate(() => (window as any).answer);
  expect(queries).toHaveLength(1);
  expect(queryOf(queries[0]!)).toEqual({ writeKey, slot: 'trending', anonymousId, userId: 'user-9', limit: '2' });
  expect(response).toMatchObject({ recId: 'rec-123', slot: 'trending' });
});

test('slots on one page ask one after another, each leaving out what the earlier ones show', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  const queries = await fakeRecommendations(page, baseURL!, { ...hostile, items: hostile.items.slice(0, 2) });
  const body = `<div id="first" data-trailmark-slot="home" data-trailmark-limit="2"></div><div id="second" data-trailmark-slot="trending"></div>`;
  await page.goto(fixtures.serve('/two-slots', tagPage({ collector: baseURL!, writeKey, body })));
  await expect(page.locator('#second')).toHaveAttribute('data-trailmark-state', 'rendered');
  expect(queries.map((q) => [q.get('slot'), q.get('exclude')])).toEqual([
    ['home', null],
    ['trending', 'p1,p2'],
  ]);
});

test("an offer slot shows a treated shopper's campaign offer and records its view and clicks; others keep the fallback", async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  const offer = { campaignId: 'camp-1', title: '10% off tents', body: 'This week only <b>', url: '/sale', coupon: 'TENT10' };
  let answer: unknown = { slot: 'offer', items: [], offer };
  await page.route(`${baseURL}/v1/recommendations?*`, (route) =>
    route.fulfill({ contentType: 'application/json', headers: { 'access-control-allow-origin': '*' }, body: JSON.stringify(answer) }),
  );
  const body = `<div id="offer" data-trailmark-slot="offer"><p>Fallback</p></div>`;
  const url = fixtures.serve('/offer', tagPage({ collector: baseURL!, writeKey, body }));
  await page.goto(url);
  const card = page.locator('#offer a');
  await expect(card).toHaveAttribute('href', `${new URL(baseURL!).origin}/sale`);
  await expect(card).toContainText('10% off tents');
  await expect(card.locator('code')).toHaveText('TENT10');
  expect(await page.locator('#offer b').count()).toBe(0);
  await page.route(`${new URL(baseURL!).origin}/sale`, (route) => route.fulfill({ contentType: 'text/html', body: '<h1>Sale</h1>' }));
  const events = await eventually(baseURL!, writeKey, (e) => e.some((x) => x.event === 'Offer Viewed'));
  await card.click();
  await page.waitForURL('**/sale');
  const after = await eventually(baseURL!, writeKey, (e) => e.some((x) => x.event === 'Offer Clicked'));
  expect(events.find((e) => e.event === 'Offer Viewed')).toMatchObject({ properties: { campaignId: 'camp-1' } });
  expect(after.find((e) => e.event === 'Offer Clicked')).toMatchObject({ properties: { campaignId: 'camp-1' } });

  answer = { slot: 'offer', items: [], offer: null };
  await page.goto(url);
  await expect(page.locator('#offer')).toHaveAttribute('data-trailmark-state', 'rendered');
  await expect(page.locator('#offer p')).toHaveText('Fallback');
});

test("recommend() proves the customer with identify's userHash, when the page gave one", async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  const queries = await fakeRecommendations(page, baseURL!);
  await page.goto(fixtures.serve('/rec-hash', tagPage({ collector: baseURL!, writeKey })));
  await tagReady(page);
  await page.evaluate(async () => {
    const t = (window as any).trailmark;
    await t.recommend('home');
    t.identify('u-1', {}, { userHash: 'ab12' });
    await t.recommend('home');
  });
  expect(queries.map((q) => [q.get('userId'), q.get('userHash')])).toEqual([
    [null, null],
    ['u-1', 'ab12'],
  ]);
});

test('the userHash is kept with the user across pages, for that userId only', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  const queries = await fakeRecommendations(page, baseURL!);
  await page.goto(fixtures.serve('/rec-hash-kept', tagPage({ collector: baseURL!, writeKey })));
  await tagReady(page);
  // (Once the site's settings are known, flush() waits for them: only then may the ids go.)
  const recommend = () =>
    page.evaluate(async () => {
      const t = (window as any).trailmark;
      await t.flush();
      await t.recommend('home');
    });
  await page.evaluate(async () => {
    const t = (window as any).trailmark;
    // (Once the site's settings allow storing.)
    await t.flush();
    t.identify('u-1', {}, { userHash: 'ab12' });
    await t.flush();
  });
  await page.reload();
  await tagReady(page);
  await recommend();
  // An alias gives the user another id: the hash proved the one before.
  await page.evaluate(() => (window as any).trailmark.alias('u-2'));
  await recommend();
  await page.reload();
  await tagReady(page);
  await recommend();
  await page.evaluate(() => (window as any).trailmark.identify('u-2', {}, { userHash: 'cd34' }));
  await recommend();
  await page.reload();
  await tagReady(page);
  await recommend();
  // A logout forgets it.
  await page.evaluate(() => {
    const t = (window as any).trailmark;
    t.reset();
    return t.flush();
  });
  await page.reload();
  await tagReady(page);
  await recommend();
  expect(queries.map((q) => [q.get('userId'), q.get('userHash')])).toEqual([
    ['u-1', 'ab12'],
    ['u-2', null],
    ['u-2', null],
    ['u-2', 'cd34'],
    ['u-2', 'cd34'],
    [null, null],
  ]);
  expect(await page.evaluate(() => localStorage.getItem('tm_uh'))).toBeNull();
});
