/**
 * A shopper's visit from landing to order, logging in halfway, tracked
 * only by the script tag reading the pages; then a product person opens the
 * dashboard in another browser and finds that visit: its events live, the
 * funnel moved by exactly this visit, and the shopper's profile with both
 * the anonymous id and the customer id.
 *
 * Like every test here it expects the fresh state playwright.config.ts
 * gives each run: the demo customer has no earlier orders.
 */
import { type Page, expect, test } from '@playwright/test';
import {
  adminJson,
  eventually,
  exportAll,
  openDashboard,
  screenshot,
  shopperBrowser,
  slotsSettled,
  type StoredEvent,
  waitForDemoSeed,
  waitUntilStored,
  watchConsole,
} from './support';

test.use({ launchOptions: shopperBrowser });

type Stats = { funnel: { step: string; count: number }[]; events: { total: number } };

const DAY = 86_400_000;
/** Whole UTC days, so the stats' hour and day buckets fall exactly inside. */
const today = new Date(Math.floor(Date.now() / DAY) * DAY);
const range = { from: new Date(today.getTime() - DAY), to: new Date(today.getTime() + DAY) };
const isoDate = (d: Date) => d.toISOString().slice(0, 10);

function statsOf(baseURL: string): Promise<Stats> {
  return adminJson<Stats>(baseURL, `/v1/admin/stats?writeKey=demo-write-key&from=${range.from.toISOString()}&to=${range.to.toISOString()}`);
}

const funnelCounts = (stats: Stats) => Object.fromEntries(stats.funnel.map((s) => [s.step, s.count]));

test.beforeAll(async () => {
  await waitForDemoSeed();
});

test('a shopper goes from landing to order, logging in midway, and the dashboard shows that visit', async ({ browser, baseURL }) => {
  test.setTimeout(180_000);
  await waitUntilStored(baseURL!);
  const before = await statsOf(baseURL!);

  // ── The shop ───────────────────────────────────────────────────────
  const shop = await browser.newContext();
  const page = await shop.newPage();
  const problems = watchConsole(page);

  await page.goto('/');
  // The region is the edge's, read when a batch arrives: the landing page view is in before the switch.
  const anonymousId = await tagAnonymousId(page);
  await recorded(baseURL!, anonymousId, (e) => e.type === 'page');
  // The demo's region switcher reloads the page as a visitor from Bavaria.
  await Promise.all([page.waitForEvent('load'), page.getByLabel('Demo: shop as a visitor from').selectOption({ label: 'Munich, Bavaria (DE)' })]);
  await expect(page.getByLabel('Demo: shop as a visitor from')).toHaveValue('DE|Bavaria|Munich');
  await slotsSettled(page);
  await expect(page.locator('[data-trailmark-slot="home"] [data-trailmark-item]').first()).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Trending in Bavaria' })).toBeVisible();
  await screenshot(page, 'home');
  expect(await tagAnonymousId(page)).toBe(anonymousId);
  // The shopper looks at the picks: a second in view is a viewable impression, which the tag records.
  await page.locator('[data-trailmark-slot="home"]').scrollIntoViewIfNeeded();
  const impression = await recorded(baseURL!, anonymousId, (e) => e.event === 'Recommendation Viewed' && e.properties?.slot === 'home');
  expect(impression.properties).toMatchObject({ variant: expect.stringMatching(/^(treatment|control)$/) });

  await page.getByRole('navigation', { name: 'Departments' }).getByRole('link', { name: 'Grocery' }).click();
  // The shopper reads each list before moving on. (The tag reads the page's attributes once the browser is
  // idle after loading it; a page left before that records no list view and no click from it.)
  await recorded(baseURL!, anonymousId, (e) => e.event === 'Product List Viewed' && e.properties?.list_id === 'department-grocery');
  await page.getByRole('navigation', { name: 'Aisles in Grocery' }).getByRole('link', { name: 'Coffee' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Coffee');
  await recorded(baseURL!, anonymousId, (e) => e.event === 'Product List Viewed' && e.properties?.list_id === 'category-coffee');
  const card = page
    .locator('[data-trailmark-list] li.card')
    .filter({ has: page.locator('.in-stock') })
    .first();
  const productId = (await card.getAttribute('data-trailmark-product'))!;
  const productName = (await card.getAttribute('data-trailmark-name'))!;
  const price = Number(await card.getAttribute('data-trailmark-price'));
  await card.getByRole('link').click();
  await expect(page).toHaveURL(`/product/${productId}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(productName);

  await page.getByLabel('Quantity').fill('2');
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await expect(page.locator('[data-add-status]')).toContainText('Added 2 to your cart');
  await expect(page.locator('[data-cart-count]')).toHaveText('2');
  await slotsSettled(page);
  await screenshot(page, 'product');

  // Halfway: to the cart, and log in from there.
  await page.getByRole('link', { name: /^Cart/ }).click();
  await page.locator('.summary').getByRole('link', { name: 'Log in' }).click();
  await page.getByLabel(/Anna Schmidt/).check();
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL('/cart');
  await expect(page.locator('[data-account-link]')).toHaveText('Hi, Anna');
  const userId = 'demo-anna-schmidt';
  expect(await tagAnonymousId(page)).toBe(anonymousId);

  const quantity = page.getByRole('group', { name: `Quantity of ${productName}` });
  await quantity.getByRole('button', { name: 'One more' }).click();
  await expect(quantity.locator('output')).toHaveText('3');
  await slotsSettled(page);
  await screenshot(page, 'cart');

  await page.getByRole('link', { name: 'Go to checkout' }).click();
  await expect(page.getByLabel('Full name')).toHaveValue('Anna Schmidt');
  await page.getByLabel('Street address').fill('Leopoldstraße 1');
  await page.getByLabel('City').fill('München');
  await page.getByLabel('Postcode').fill('80802');
  await page.getByLabel('Country').selectOption('Germany');
  await page.getByRole('button', { name: 'Place order' }).click();
  await expect(page.getByRole('heading', { name: 'Thank you for your order' })).toBeVisible();
  const orderId = (await page.locator('[data-order-id]').textContent())!;
  await page.evaluate(() => (window as unknown as { trailmark: { flush(): Promise<void> } }).trailmark.flush());
  expect(problems()).toEqual([]);
  await shop.close();

  // ── What was stored: this visit's events, each once ─────────────────
  const mine = await eventually(
    async () => {
      await waitUntilStored(baseURL!);
      // The tag keeps the anonymousId after the login, so it names every event of this visit.
      return (await exportAll(baseURL!)).filter((e) => e.anonymousId === anonymousId);
    },
    (events) => events.some((e) => e.event === 'Order Completed' && e.properties?.order_id === orderId),
  );
  // A shopper, not a bot, from the first event to the last (else the stats would rightly leave some out).
  expect(mine.filter((e) => e.context?.bot).map((e) => e.event ?? e.type)).toEqual([]);
  const named = (name: string) => mine.filter((e) => e.event === name);
  expect(named('Product Viewed').map((e) => e.properties?.product_id)).toEqual([productId]);
  expect(named('Product Added').map((e) => [e.properties?.quantity, e.userId ?? null])).toEqual([
    [2, null],
    [1, userId],
  ]);
  expect(named('Checkout Started')).toHaveLength(1);
  const [order] = named('Order Completed') as [StoredEvent];
  expect(order.userId).toBe(userId);
  expect(order.properties?.products).toEqual([expect.objectContaining({ product_id: productId, quantity: 3, price })]);
  expect(order.properties?.revenue).toBeCloseTo(price * 3, 2);
  expect(mine.filter((e) => e.type === 'identify').map((e) => e.userId)).toEqual([userId]);
  expect(named('Product List Viewed').map((e) => e.properties?.list_id)).toEqual(['department-grocery', 'category-coffee']);
  expect(named('Product Clicked').map((e) => e.properties?.product_id)).toEqual([productId]);
  expect(named('Recommendation Viewed').map((e) => e.properties?.slot)).toContain('home');
  // The landing page came from wherever the edge placed the browser; from the switch on, everything is from Bavaria.
  const inOrder = [...mine].sort((a, b) => a.timestamp.localeCompare(b.timestamp));
  const switched = inOrder.findIndex((e) => e.context?.geo?.region === 'Bavaria');
  expect(switched).toBeGreaterThan(0);
  expect(new Set(inOrder.slice(switched).map((e) => e.context?.geo?.region))).toEqual(new Set(['Bavaria']));

  // The funnel moved by exactly this visit: one more person at every step (people, not events).
  const after = await statsOf(baseURL!);
  const [was, is] = [funnelCounts(before), funnelCounts(after)];
  expect({
    viewed: is['Product Viewed']! - was['Product Viewed']!,
    added: is['Product Added']! - was['Product Added']!,
    checkout: is['Checkout Started']! - was['Checkout Started']!,
    ordered: is['Order Completed']! - was['Order Completed']!,
  }).toEqual({ viewed: 1, added: 1, checkout: 1, ordered: 1 });

  // ── The dashboard, in another browser ──────────────────────────────
  const desk = await browser.newContext({ timezoneId: 'UTC', viewport: { width: 1400, height: 1000 } });
  const dash = await desk.newPage();
  const dashProblems = watchConsole(dash);
  await openDashboard(dash);
  await dash.getByLabel('Period', { exact: true }).selectOption('custom');
  await dash.getByLabel('From', { exact: true }).fill(isoDate(range.from));
  await dash.getByLabel('to', { exact: true }).fill(isoDate(today));
  await dash.getByRole('button', { name: 'Show' }).click();
  await expect(dash.locator('[data-updated]')).toContainText(`${isoDate(range.from)} to ${isoDate(today)}`);
  const overview = await adminJson<{ current: { orders: number } }>(
    baseURL!,
    `/v1/admin/stats/overview?writeKey=demo-write-key&from=${range.from.toISOString()}&to=${range.to.toISOString()}`,
  );
  await expect(dash.locator('[data-kpi="Orders"] .kpi-value')).toHaveText(overview.current.orders.toLocaleString('en-US'));
  await dash.getByRole('navigation', { name: 'Dashboard sections' }).getByRole('link', { name: 'Funnel' }).click();
  for (const step of after.funnel) {
    await expect(dash.locator(`[data-funnel-count="${step.step}"]`)).toHaveText(step.count.toLocaleString('en-US'));
  }

  // The visit in the live stream, and the shopper's stitched profile from it.
  await dash.getByRole('navigation', { name: 'Dashboard sections' }).getByRole('link', { name: 'Live' }).click();
  const stream = dash.locator('.stream');
  await expect(stream.locator('.stream-row', { hasText: 'Order Completed' }).filter({ has: dash.locator(`[data-profile-id="${userId}"]`) })).toHaveCount(1);
  await stream.locator(`[data-profile-id="${userId}"]`).first().click();
  const profile = dash.locator('.profile');
  await expect(profile.getByRole('heading', { name: userId })).toBeVisible();
  await expect(profile.locator(`[data-user-id="${userId}"]`)).toBeVisible();
  await expect(profile.locator(`[data-anonymous-id="${anonymousId}"]`)).toBeVisible();
  await expect(profile.locator('[data-count="Orders"] dd')).toHaveText('1');
  await expect(profile).toContainText(orderId);
  await expect(profile).toContainText('Bavaria');
  await screenshot(dash, 'dashboard-profile');
  expect(dashProblems()).toEqual([]);
  await desk.close();
});

test('the region switcher changes what the trending shelf shows', async ({ browser, baseURL }) => {
  // Regional trending is learned as the drain stores the seed's (and the journey's) events: wait until it has.
  await waitUntilStored(baseURL!);
  const favourites = { Bavaria: ['Beer & Cider', 'Winter Sports', 'Cookware', 'Camping'], Tokyo: ['Tea', 'Cameras', 'Notebooks', 'Phone Accessories'] };
  // A visitor in the holdout sees global best sellers wherever they are: try visitors until one is in treatment.
  for (let attempt = 0; attempt < 8; attempt++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const bavaria = await trendingAfterChoosing(page, 'Munich, Bavaria (DE)');
    const tokyo = await trendingAfterChoosing(page, 'Tokyo, Tokyo (JP)');
    await context.close();
    if (bavaria.variant === 'control' || tokyo.variant === 'control') continue;
    const share = (items: { category: string }[], aisles: string[]) => items.filter((i) => aisles.some((a) => i.category.endsWith(`> ${a}`))).length;
    expect(bavaria.items.map((i) => i.productId)).not.toEqual(tokyo.items.map((i) => i.productId));
    for (const shelf of [bavaria, tokyo]) expect(shelf.items.some((i) => i.reason === 'trending-in-region')).toBe(true);
    // Each region's shelf leans to that region's favourite aisles more than the other region's shelf does.
    const ownAisles = share(bavaria.items, favourites.Bavaria) + share(tokyo.items, favourites.Tokyo);
    const otherAisles = share(bavaria.items, favourites.Tokyo) + share(tokyo.items, favourites.Bavaria);
    expect(ownAisles).toBeGreaterThan(otherAisles);
    return;
  }
  throw new Error('Eight visitors in a row were in the holdout group: the split is not 90/10.');
});

type Shelf = { variant: string; items: { productId: string; category: string; reason: string }[] };

async function trendingAfterChoosing(page: Page, region: string): Promise<Shelf> {
  if (page.url() === 'about:blank') {
    await page.goto('/');
    await slotsSettled(page);
  }
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/v1/recommendations') && r.url().includes('slot=trending')),
    page.getByLabel('Demo: shop as a visitor from').selectOption({ label: region }),
  ]);
  const body = (await response.json()) as Shelf;
  await slotsSettled(page);
  return body;
}

/** Waits until the tag has delivered an event of this visitor that matches, and returns it. */
async function recorded(baseURL: string, anonymousId: string, match: (e: StoredEvent) => boolean): Promise<StoredEvent> {
  const found = await eventually(
    async () => (await exportAll(baseURL)).filter((e) => e.anonymousId === anonymousId && match(e)),
    (events) => events.length > 0,
  );
  expect(found.length, 'the tag recorded the expected event').toBeGreaterThan(0);
  return found[0]!;
}

async function tagAnonymousId(page: Page): Promise<string> {
  await page.waitForFunction(() => typeof (window as unknown as { trailmark?: { anonymousId?: unknown } }).trailmark?.anonymousId === 'function');
  return page.evaluate(() => (window as unknown as { trailmark: { anonymousId(): string } }).trailmark.anonymousId());
}
