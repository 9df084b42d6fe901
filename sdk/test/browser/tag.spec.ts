/** The script tag: a one-line install, the snippet's stub, context, CSP, never throwing. */
import { expect, test } from '@playwright/test';
import { createSite, duplicates, eventually, FixtureServer, flush, recordBatches, tagPage, tagReady, type Stored } from './support';

let fixtures: FixtureServer;
test.beforeAll(async () => {
  fixtures = await new FixtureServer().start();
});
test.afterAll(() => fixtures.stop());

test('one script tag records the page view with its context, sent as text/plain without a preflight', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  const preflights: string[] = [];
  page.on('request', (r) => r.method() === 'OPTIONS' && preflights.push(r.url()));
  const batches = recordBatches(page);
  const url = fixtures.serve('/landing', tagPage({ collector: baseURL!, writeKey, title: 'Landing' }));
  await page.goto(`${url}?utm_source=news&utm_medium=email&utm_campaign=spring&q=1`, { referer: 'https://search.example/' });
  const anonymousId = await tagReady(page);
  await flush(page);

  const [view] = await eventually(baseURL!, writeKey, (e) => e.length >= 1);
  expect(view).toMatchObject({
    type: 'page',
    anonymousId,
    properties: { path: '/landing', title: 'Landing', search: '?utm_source=news&utm_medium=email&utm_campaign=spring&q=1' },
    context: {
      page: { path: '/landing', title: 'Landing', referrer: 'https://search.example/', url: `${url}?utm_source=news&utm_medium=email&utm_campaign=spring&q=1` },
      campaign: { source: 'news', medium: 'email', name: 'spring' },
      library: { name: 'trailmark' },
      locale: expect.any(String),
      timezone: expect.any(String),
      screen: { width: expect.any(Number), height: expect.any(Number), density: expect.any(Number) },
      sessionId: expect.any(String),
    },
  });
  expect(view!.originalTimestamp ?? view!.timestamp).toBeTruthy();

  const request = batches.requests[0]!;
  expect(request.headers()['content-type']).toMatch(/^text\/plain/);
  const body = JSON.parse(request.postData()!);
  expect(body).toMatchObject({ writeKey, sentAt: expect.any(String), batch: [expect.objectContaining({ type: 'page' })] });
  expect(preflights).toEqual([]);
});

test('the snippet stub queues calls made before the tag loads; the tag replays them in order', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  const snippet = `<script>
!function(w,t){t=w.trailmark=w.trailmark||function(){(t.q=t.q||[]).push(arguments)};"page track identify alias reset consent ready productViewed productAdded".split(" ").forEach(function(n){t[n]=t[n]||function(){t.apply(0,[n].concat([].slice.call(arguments)))}})}(window);
trailmark('track', 'First', { n: 1 });
trailmark.identify('user-7', { plan: 'pro' });
trailmark.track('Second', { n: 2 });
trailmark.productViewed({ product_id: 'SKU-1', price: 10 });
trailmark('ready', function (t) { window.readyCalledWith = t.anonymousId(); t.track('From ready'); });
</script>`;
  const batches = recordBatches(page);
  const url = fixtures.serve('/snippet', tagPage({ collector: baseURL!, writeKey, head: snippet }));
  await page.goto(url);
  const anonymousId = await tagReady(page);
  // ready() calls back once the API is there (a chunk of its own), as analytics.js's does: asynchronously.
  await page.waitForFunction(() => (window as any).readyCalledWith);
  expect(await page.evaluate(() => (window as any).readyCalledWith)).toBe(anonymousId);
  await flush(page);

  const events = await eventually(baseURL!, writeKey, (e) => e.length >= 6);
  // The page view is recorded when the tag starts, before the replay; within a millisecond the
  // collector's order is arbitrary, so the order is checked on the wire.
  const sent = batches.requests.flatMap((r) => JSON.parse(r.postData()!).batch.map((m: Stored) => m.event ?? m.type));
  expect(sent).toEqual(['page', 'First', 'identify', 'Second', 'Product Viewed', 'From ready']);
  const named = (name: string) => events.find((e) => (e.event ?? e.type) === name);
  expect(named('First')!.userId).toBeUndefined();
  expect(named('identify')).toMatchObject({ userId: 'user-7', traits: { plan: 'pro' } });
  expect(named('Second')).toMatchObject({ userId: 'user-7', anonymousId });
  expect(events.map((e) => e.event ?? e.type).sort()).toEqual(sent.sort());
  expect(duplicates(events)).toEqual([]);
});

test('data-api-host sends to another collector URL; a path prefix is kept', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  const seen: string[] = [];
  // A collector mounted under /t on the shop's own origin would be reached as http://shop/t/v1/batch.
  await page.route('http://127.0.0.1:1/t/v1/batch', async (route) => {
    seen.push(route.request().url());
    await route.fulfill({ status: 200, contentType: 'application/json', body: '{"ok":true,"accepted":1,"rejected":[]}' });
  });
  const url = fixtures.serve('/api-host', tagPage({ collector: baseURL!, writeKey, attributes: { 'data-api-host': 'http://127.0.0.1:1/t/' } }));
  await page.goto(url);
  await tagReady(page);
  await flush(page);
  expect(seen).toEqual(['http://127.0.0.1:1/t/v1/batch']);
});

test('works under a strict Content-Security-Policy: nonce and strict-dynamic, no eval, no inline styles', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  const violations: string[] = [];
  page.on('console', (m) => m.type() === 'error' && violations.push(m.text()));
  await page.exposeFunction('reportViolation', (v: string) => violations.push(v));
  const nonce = 'r4nd0m';
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}' 'strict-dynamic'`,
    `connect-src ${baseURL}`,
    "style-src 'none'",
    "img-src 'none'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join('; ');
  await page.route(`${baseURL}/v1/recommendations?*`, (route) =>
    route.fulfill({
      contentType: 'application/json',
      headers: { 'access-control-allow-origin': '*' },
      body: JSON.stringify({
        recId: 'r1',
        slot: 'home',
        variant: 'treatment',
        strategy: 's',
        items: [{ productId: 'p1', name: 'Tent', price: 10, currency: 'EUR', url: '/p1', score: 1, reason: 'x' }],
      }),
    }),
  );
  const html = tagPage({
    collector: baseURL!,
    writeKey,
    nonce,
    attributes: { 'data-web-vitals': 'true' },
    head: `<script nonce="${nonce}">document.addEventListener('securitypolicyviolation', (e) => reportViolation(e.violatedDirective + ' ' + e.blockedURI));</script>`,
    body: '<h1>Strict</h1><div data-trailmark-slot="home"></div><div data-trailmark-product="SKU-9" data-trailmark-view data-trailmark-name="Boots"></div>',
  });
  const url = fixtures.serve('/csp', html, { 'content-security-policy': csp });
  await page.goto(url);
  await tagReady(page);
  // The lazy chunks load too: slots (rendering), declarative capture, web vitals.
  await expect(page.locator('[data-trailmark-slot] li')).toHaveCount(1);
  await page.waitForFunction(() => performance.getEntriesByType('resource').some((r) => r.name.includes('tag-vitals-')));
  await flush(page);
  const events = await eventually(baseURL!, writeKey, (e) => e.some((x) => x.event === 'Product Viewed'));
  expect(events.map((e) => e.event ?? e.type)).toEqual(expect.arrayContaining(['page', 'Product Viewed']));
  expect(violations).toEqual([]);
});

test('never throws into the page, whatever it is called with', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const url = fixtures.serve('/abuse', tagPage({ collector: baseURL!, writeKey }));
  await page.goto(url);
  await tagReady(page);
  const results = await page.evaluate(async () => {
    const t = (window as any).trailmark;
    const cyclic: any = { a: 1 };
    cyclic.self = cyclic;
    const outcomes: string[] = [];
    const attempt = async (name: string, fn: () => unknown) => {
      try {
        await fn();
        outcomes.push(`${name}: ok`);
      } catch (e) {
        outcomes.push(`${name}: threw ${e}`);
      }
    };
    await attempt('track without args', () => t.track());
    await attempt('track cyclic', () => t.track('Cyclic', cyclic));
    await attempt('track bigint', () => t.track('Big', { n: 10n }));
    await attempt('identify null', () => t.identify(null));
    await attempt('consent maybe', () => t.consent('maybe'));
    await attempt('unknown method', () => t('noSuchMethod', 1));
    await attempt('page with junk', () => t.page(42, 'x'));
    await attempt('ready with junk', () => t.ready(null));
    await attempt('productViewed nothing', () => t.productViewed());
    await attempt('flush', () => t.flush());
    return outcomes;
  });
  expect(results.filter((r) => !r.endsWith(': ok'))).toEqual([]);
  expect(errors).toEqual([]);
});

test('loading the tag twice keeps one tracker', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  // (Web vitals off in both, as tagPage does: the events counted are page views.)
  const tag = `<script async src="${baseURL}/tag.js" data-write-key="${writeKey}" data-web-vitals="false"></script>`;
  const url = fixtures.serve('/twice', tagPage({ collector: baseURL!, writeKey, head: tag }));
  await page.goto(url);
  await tagReady(page);
  await page.waitForLoadState('load');
  await flush(page);
  const events = await eventually(baseURL!, writeKey, (e) => e.length >= 1);
  await page.waitForTimeout(500);
  expect((await eventually(baseURL!, writeKey, () => true)).filter((e) => e.type === 'page')).toHaveLength(1);
  expect(events).toHaveLength(1);
});
