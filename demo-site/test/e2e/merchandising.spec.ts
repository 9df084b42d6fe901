/**
 * The shop's pages and what the collector serves them: the page after a
 * product view knows that view even while the drain stores nothing, and a
 * merchandiser's pin shows on the home page with its reason.
 */
import { type Page, expect, test } from '@playwright/test';
import { ADMIN_TOKEN, WRITE_KEY, adminJson, shopperBrowser, slotsSettled, waitForDemoSeed } from './support';

test.use({ launchOptions: shopperBrowser });

type Item = { productId: string; name: string; reason: string; url?: string };
type Answer = { variant: string; items: Item[] };

const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };

async function adminSend(baseURL: string, method: string, path: string, body?: unknown): Promise<void> {
  const res = await fetch(baseURL + path, { method, headers: admin, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
}

/** Opens a page and returns the collector's answer for one of its slots, as the tag received it. */
async function slotAnswer(page: Page, path: string, slot: string): Promise<Answer> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/v1/recommendations') && r.url().includes(`slot=${slot}`)),
    page.goto(path),
  ]);
  await slotsSettled(page);
  return (await response.json()) as Answer;
}

/** The answer for a visitor without ids (unpersonalised, never in the holdout). */
async function anonymousAnswer(baseURL: string, params: Record<string, string>): Promise<Answer> {
  const res = await fetch(`${baseURL}/v1/recommendations?${new URLSearchParams({ writeKey: WRITE_KEY, ...params })}`);
  return (await res.json()) as Answer;
}

test.beforeAll(async () => {
  await waitForDemoSeed();
});

test('the home page after a product view shows what that view leads to, while the drain stores nothing', async ({ browser, baseURL }) => {
  const base = baseURL!;
  const popular = (await anonymousAnswer(base, { slot: 'trending', limit: '6' })).items;
  // A product with neighbours: what shoppers who viewed it also viewed or bought.
  const viewedProduct = (
    await Promise.all(popular.map(async (p) => ({ p, n: (await anonymousAnswer(base, { slot: 'product', productId: p.productId, limit: '6' })).items })))
  ).find(({ n }) => n.filter((i) => i.reason === 'also-viewed' || i.reason === 'bought-together').length >= 3);
  expect(viewedProduct, 'a popular product with neighbours in the demo data').toBeDefined();
  const { p: product, n: neighbourItems } = viewedProduct!;
  const neighbours = neighbourItems.map((i) => i.productId);
  const freshHome = (await anonymousAnswer(base, { slot: 'home', limit: '6' })).items.map((i) => i.productId);

  // Storage "down": every drain fails, so the view stays among the shard's not-yet-stored events.
  await adminSend(base, 'POST', `/v1/admin/faults?writeKey=${WRITE_KEY}`, { failDrains: 1_000_000 });
  try {
    // A visitor in the holdout sees best sellers whatever they viewed: try visitors until one is in treatment.
    for (let attempt = 0; attempt < 8; attempt++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const [viewSent] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST' && (r.request().postData() ?? '').includes('Product Viewed')),
        page.goto(product.url ?? `/product/${product.productId}`),
      ]);
      expect(viewSent.status()).toBe(200);
      const home = await slotAnswer(page, '/', 'home');
      await context.close();
      if (home.variant === 'control') continue;

      const ids = home.items.map((i) => i.productId);
      const pending = await adminJson<{ pending: number }>(base, `/v1/admin/ingest-status?writeKey=${WRITE_KEY}`);
      expect(pending.pending, 'the view is not stored yet').toBeGreaterThan(0);
      expect(home.items.some((i) => i.reason === 'because-you-viewed' || i.reason === 'recently-viewed')).toBe(true);
      const shared = ids.filter((id) => neighbours.includes(id) || id === product.productId).length;
      const sharedBefore = freshHome.filter((id) => neighbours.includes(id) || id === product.productId).length;
      expect(shared, `home ${ids.join(',')} vs neighbours ${neighbours.join(',')}`).toBeGreaterThan(sharedBefore);
      expect(shared).toBeGreaterThanOrEqual(2);
      return;
    }
    throw new Error('Eight visitors in a row were in the holdout group: the split is not 90/10.');
  } finally {
    await adminSend(base, 'POST', `/v1/admin/faults?writeKey=${WRITE_KEY}`, { failDrains: 0 });
  }
});

test('a merchandiser pins a product to the home page, and it shows first, marked as featured', async ({ browser, baseURL }) => {
  const base = baseURL!;
  // Something the shelf would not show first by itself: the sixth trending product.
  const chosen = (await anonymousAnswer(base, { slot: 'trending', limit: '6' })).items.at(-1)!;
  await adminSend(base, 'PUT', `/v1/admin/rules/e2e-home-pin?writeKey=${WRITE_KEY}`, {
    slots: ['home'],
    action: 'pin',
    products: [chosen.productId],
    position: 1,
  });
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    const home = await slotAnswer(page, '/', 'home');
    // Rules apply to both variants.
    expect(home.items[0]).toMatchObject({ productId: chosen.productId, reason: 'pinned' });
    const firstCard = page.locator('[data-trailmark-slot="home"] > li').first();
    await expect(firstCard).toContainText(chosen.name);
    await expect(firstCard.locator('[data-field="reason"]')).toHaveText('Featured');
    await context.close();
  } finally {
    await adminSend(base, 'DELETE', `/v1/admin/rules/e2e-home-pin?writeKey=${WRITE_KEY}`);
  }
});
