/**
 * Product and category URLs that do not exist: the shop's 404 page, with
 * status 404, recorded by the tag like any page view (its path and title
 * say what was missing). The collector's API keeps answering in JSON.
 */
import { expect, test } from '@playwright/test';
import { eventually, exportAll, shopperBrowser, waitUntilStored, watchConsole } from './support';

test.use({ launchOptions: shopperBrowser });

for (const path of ['/product/p99999', '/category/grocery/unicorns']) {
  test(`${path} shows the 404 page and is tracked as one`, async ({ page, baseURL }) => {
    // The browser reports the 404 of the document itself; nothing else may go wrong.
    const problems = watchConsole(page, [path]);
    const response = await page.goto(path);
    expect(response?.status()).toBe(404);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
    await expect(page.getByRole('navigation', { name: 'Departments' })).toBeVisible();
    await page.waitForFunction(() => typeof (window as unknown as { trailmark?: { flush?: unknown } }).trailmark?.flush === 'function');
    const anonymousId = await page.evaluate(async () => {
      const tag = (window as unknown as { trailmark: { flush(): Promise<void>; anonymousId(): string } }).trailmark;
      await tag.flush();
      return tag.anonymousId();
    });

    const views = await eventually(
      async () => {
        await waitUntilStored(baseURL!);
        return (await exportAll(baseURL!)).filter((e) => e.type === 'page' && e.anonymousId === anonymousId);
      },
      (found) => found.length > 0,
    );
    expect(views).toHaveLength(1);
    expect(views[0]!.context?.page).toMatchObject({ path, title: 'Page not found · Trailmark Demo Shop' });
    expect(problems()).toEqual([]);
  });
}

test('API paths still reach the collector, not the 404 page', async ({ request }) => {
  const unknown = await request.get('/v1/no-such-endpoint');
  expect(unknown.status()).toBe(404);
  expect(await unknown.json()).toMatchObject({ ok: false, error: 'not_found' });
  expect((await request.get('/healthz')).status()).toBe(200);
  expect((await request.get('/v1/recommendations?writeKey=demo-write-key&slot=home&anonymousId=a-visitor')).status()).toBe(200);
});
