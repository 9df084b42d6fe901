/** Page views without code: first view, single-page-app navigations, back/forward cache restores. */
import { chromium, expect, test } from '@playwright/test';
import { createSite, duplicates, eventually, FixtureServer, flush, storedEvents, tagPage, tagReady } from './support';

let fixtures: FixtureServer;
test.beforeAll(async () => {
  fixtures = await new FixtureServer().start();
});
test.afterAll(() => fixtures.stop());

test('single-page-app navigations count once per distinct URL, with the previous URL as referrer', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  const url = fixtures.serve('/app', tagPage({ collector: baseURL!, writeKey, title: 'Home' }));
  await page.goto(url);
  await tagReady(page);
  const step = async (fn: string) => {
    await page.evaluate(fn);
    await page.waitForTimeout(50);
  };
  await step(`document.title = 'A'; history.pushState({}, '', '/app/a')`);
  await step(`history.replaceState({ router: 'state' }, '', '/app/a')`); // same URL: routers do this
  await step(`history.pushState({}, '', '/app/a#reviews')`); // a hash change is not a page
  await step(`document.title = 'B'; history.pushState({}, '', '/app/b'); history.replaceState({}, '', '/app/b')`);
  await step('history.back()');
  await page.waitForFunction(() => location.hash === '#reviews');
  await step('history.back()');
  await page.waitForFunction(() => location.pathname === '/app/a' && !location.hash);
  await step(`history.replaceState({}, '', '/app/a?sort=price')`); // a new query is a new page
  await flush(page);

  const views = (await eventually(baseURL!, writeKey, (e) => e.length >= 5)).filter((e) => e.type === 'page');
  views.sort((a, b) => a.originalTimestamp.localeCompare(b.originalTimestamp));
  expect(views.map((v) => v.properties.path + v.properties.search)).toEqual(['/app', '/app/a', '/app/b', '/app/a', '/app/a?sort=price']);
  expect(views.map((v) => v.context.page.referrer)).toEqual(['', url, `${fixtures.origin}/app/a`, `${fixtures.origin}/app/b`, `${fixtures.origin}/app/a`]);
  expect(views.map((v) => v.properties.url)).not.toContainEqual(expect.stringContaining('#'));
  expect(views[1]!.properties.title).toBe('A');
  expect(views[2]!.properties.title).toBe('B');
  expect(duplicates(views)).toEqual([]);
});

test('a track() after a navigation carries the new page in its context', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  const url = fixtures.serve('/ctx', tagPage({ collector: baseURL!, writeKey, attributes: { 'data-auto-pageviews': 'false' } }));
  await page.goto(url);
  await tagReady(page);
  await page.evaluate(() => {
    history.pushState({}, '', '/ctx/next?x=1');
    (window as any).trailmark.track('Clicked');
  });
  await flush(page);
  const [clicked] = await eventually(baseURL!, writeKey, (e) => e.length >= 1);
  // With automatic page views off, no page view was recorded at all.
  expect(clicked).toMatchObject({ event: 'Clicked', context: { page: { path: '/ctx/next', search: '?x=1', referrer: url } } });
});

test('a prerendered page counts its view when it is shown, not before', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  // Played as Chromium announces a Speculation Rules prerender: document.prerendering, then prerenderingchange.
  await page.addInitScript(() => {
    let prerendering = true;
    Object.defineProperty(Document.prototype, 'prerendering', { get: () => prerendering, configurable: true });
    (window as any).activate = () => {
      prerendering = false;
      document.dispatchEvent(new Event('prerenderingchange'));
    };
  });
  await page.goto(fixtures.serve('/prerendered', tagPage({ collector: baseURL!, writeKey })));
  await tagReady(page);
  await page.evaluate(() => (window as any).trailmark.flush());
  await page.waitForTimeout(500);
  expect(await storedEvents(baseURL!, writeKey)).toEqual([]);
  await page.evaluate(() => (window as any).activate());
  await flush(page);
  const views = await eventually(baseURL!, writeKey, (e) => e.length >= 1);
  expect(views.map((v) => v.type)).toEqual(['page']);
});

test('a page restored from the back/forward cache counts as a page view', async ({ baseURL }) => {
  // Playwright starts Chromium with --disable-back-forward-cache; this test needs its own browser without it.
  const { launchOptions, userAgent } = test.info().project.use;
  const browser = await chromium.launch({ ...launchOptions, ignoreDefaultArgs: ['--disable-back-forward-cache'] });
  try {
    const context = await browser.newContext({ userAgent });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Page.enable');
    const notRestored: string[] = [];
    cdp.on('Page.backForwardCacheNotUsed', (e) => notRestored.push(...e.notRestoredExplanations.map((x) => x.reason)));
    const writeKey = await createSite(baseURL!);
    // Served without Cache-Control: no-store, which makes a page ineligible for the cache.
    const a = fixtures.serve('/bf-a', tagPage({ collector: baseURL!, writeKey, title: 'A', body: '<a href="/bf-b">to B</a>' }), {
      'cache-control': 'max-age=0',
    });
    fixtures.serve('/bf-b', tagPage({ collector: baseURL!, writeKey, title: 'B' }), { 'cache-control': 'max-age=0' });
    await page.goto(a);
    await tagReady(page);
    await flush(page);
    await page.evaluate(() => addEventListener('pageshow', (e) => ((window as any).restored = e.persisted)));
    await page.click('a');
    await page.waitForURL('**/bf-b');
    await tagReady(page);
    await flush(page);
    await page.goBack();
    await page.waitForURL('**/bf-a');
    await tagReady(page);
    const restored = await page.evaluate(() => (window as any).restored === true);
    // Only the browser's own refusal is tolerated, never one caused by the tag (an unload handler,
    // a held lock, an open request would show up here by name).
    expect(notRestored.filter((reason) => !['BackForwardCacheDisabledForDelegate', 'BrowsingInstanceNotSwapped'].includes(reason))).toEqual([]);
    if (!restored) {
      // chrome-headless-shell (what @sparticuz/chromium ships) keeps the cache off for its embedder:
      // then the restore is played as the browser would announce it, with a persisted pageshow.
      test
        .info()
        .annotations.push({ type: 'note', description: `back/forward cache unavailable in this Chromium (${notRestored.join(', ')}): restore simulated` });
      await page.evaluate(() => {
        dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }));
        dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
      });
    }
    await flush(page);
    const views = (await eventually(baseURL!, writeKey, (e) => e.length >= (restored ? 3 : 4))).filter((e) => e.type === 'page');
    // Restored: A, B, A again. Simulated: A, B, A reloaded (no cache), then A "restored".
    expect(views.map((v) => v.properties.title).sort()).toEqual(restored ? ['A', 'A', 'B'] : ['A', 'A', 'A', 'B']);
    expect(duplicates(views)).toEqual([]);
  } finally {
    await browser.close();
  }
});
