/**
 * Consent: nothing stored or sent before it is granted; denial; Global Privacy Control; Google Consent Mode.
 * Whether consent is required and GPC honoured is the site's setting only: the pages here carry no
 * attribute saying so, and the tag learns it from the collector.
 */
import { expect, test, type Page } from '@playwright/test';
import { createSite, eventually, FixtureServer, recordBatches, storedEvents, tagPage, tagReady } from './support';

let fixtures: FixtureServer;
test.beforeAll(async () => {
  fixtures = await new FixtureServer().start();
});
test.afterAll(() => fixtures.stop());

/** Everything the page's origin keeps on the device. */
async function deviceState(page: Page) {
  return page.evaluate(async () => ({
    cookies: document.cookie,
    localStorage: Object.keys(localStorage),
    sessionStorage: Object.keys(sessionStorage),
    indexedDB: (await indexedDB.databases()).map((d) => d.name),
  }));
}
const nothingStored = { cookies: '', localStorage: [], sessionStorage: [], indexedDB: [] };

test('with consent required, nothing is stored or sent until it is granted; held events then go', async ({ page, baseURL }) => {
  // The site requires consent (and its collector drops what does not carry it); the page says nothing about it.
  const writeKey = await createSite(baseURL!, { requireConsent: true });
  const batches = recordBatches(page);
  const url = fixtures.serve('/consent-hold', tagPage({ collector: baseURL!, writeKey }));
  await page.goto(url);
  const id = await tagReady(page);
  await page.evaluate(() => {
    (window as any).trailmark.track('Before Consent');
    (window as any).trailmark.identify('user-1');
  });
  await page.evaluate(() => (window as any).trailmark.flush());
  await page.waitForTimeout(800);
  expect(batches.requests).toEqual([]);
  expect(await deviceState(page)).toEqual(nothingStored);

  await page.evaluate(() => (window as any).trailmark.consent('granted'));
  await page.evaluate(() => (window as any).trailmark.flush());
  const events = await eventually(baseURL!, writeKey, (e) => e.length >= 3);
  expect(events.map((e) => e.event ?? e.type).sort()).toEqual(['Before Consent', 'identify', 'page']);
  for (const e of events) expect(e).toMatchObject({ anonymousId: id, context: { consent: { status: 'granted' } } });
  const state = await deviceState(page);
  expect(state.cookies).toContain(`tm_aid=${id}`);
  expect(state.localStorage).toEqual(expect.arrayContaining(['tm_aid', 'tm_consent']));

  // The decision is remembered: the next page sends without asking again.
  await page.reload();
  await tagReady(page);
  await page.evaluate(() => (window as any).trailmark.flush());
  expect((await eventually(baseURL!, writeKey, (e) => e.length >= 4)).length).toBe(4);
});

test('"drop" mode discards what happens before consent; denial stops everything and forgets the visitor', async ({ page, baseURL }) => {
  // The site requires consent; the page only picks what happens before it: dropped.
  const writeKey = await createSite(baseURL!, { requireConsent: true });
  const url = fixtures.serve('/consent-drop', tagPage({ collector: baseURL!, writeKey, attributes: { 'data-require-consent': 'drop' } }));
  await page.goto(url);
  await tagReady(page);
  await page.evaluate(async () => {
    const t = (window as any).trailmark;
    t.track('Dropped');
    t.consent('granted');
    t.track('Kept');
    await t.flush();
  });
  expect((await eventually(baseURL!, writeKey, (e) => e.length >= 1)).map((e) => e.event)).toEqual(['Kept']);
  expect((await deviceState(page)).localStorage).toContain('tm_aid');

  await page.evaluate(async () => {
    const t = (window as any).trailmark;
    t.consent('denied');
    t.track('After Denial');
    await t.flush();
  });
  await page.waitForTimeout(800);
  expect((await storedEvents(baseURL!, writeKey)).map((e) => e.event)).toEqual(['Kept']);
  const state = await deviceState(page);
  expect(state.cookies).toBe('');
  expect(state.localStorage).toEqual([]);
});

test('calls waiting for the API chunk as the page goes are kept for the next page only where storing is allowed', async ({ page, baseURL }) => {
  // "drop" mode on a site that requires consent, and the page left before its settings arrived: nothing may be
  // stored, so the calls waiting for the API chunk (which never arrives here) are not kept either.
  const writeKey = await createSite(baseURL!, { requireConsent: true });
  const first = fixtures.serve('/wait-drop', tagPage({ collector: baseURL!, writeKey, attributes: { 'data-require-consent': 'drop' } }));
  const next = fixtures.serve('/wait-drop-next', tagPage({ collector: baseURL!, writeKey, attributes: { 'data-require-consent': 'drop' } }));
  const api = /\/tag-api-[\w-]+\.js$/;
  const settings = /\/v1\/tag-settings\//;
  await page.route(api, () => {});
  await page.route(settings, () => {});
  await page.goto(first);
  await tagReady(page);
  await page.evaluate(() => {
    // (Not awaited: its promise settles only once the API chunk has run it.)
    (window as any).trailmark.identify('user-1', { email: 'a@shop.example' });
  });
  await page.unroute(api);
  await page.unroute(settings);
  await page.goto(next);
  await tagReady(page);
  expect(await deviceState(page)).toEqual(nothingStored);

  // Consent given on the next page: what that page does is recorded, the call left before it never is.
  await page.evaluate(async () => {
    const t = (window as any).trailmark;
    t.consent('granted');
    t.track('After Consent');
    await t.flush();
  });
  expect((await eventually(baseURL!, writeKey, (e) => e.length >= 1)).map((e) => e.event ?? e.type)).toEqual(['After Consent']);
  expect((await deviceState(page)).localStorage).not.toContain('tm_wait');
  expect(await page.evaluate(() => (window as any).trailmark.user().id())).toBeNull();
});

test('Global Privacy Control, when the site honours it, means nothing is recorded at all', async ({ browser, baseURL }) => {
  const writeKey = await createSite(baseURL!, { honorGpc: true });
  const context = await browser.newContext();
  // Chromium does not send GPC itself; the page sees what a browser with it switched on would show.
  await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }));
  const page = await context.newPage();
  const batches = recordBatches(page);
  const url = fixtures.serve('/gpc', tagPage({ collector: baseURL!, writeKey }));
  await page.goto(url);
  await tagReady(page);
  await page.evaluate(async () => {
    const t = (window as any).trailmark;
    t.track('Ignored');
    t.consent('granted'); // a banner's default grant does not override the browser's signal
    t.track('Still Ignored');
    await t.flush();
  });
  await page.waitForTimeout(800);
  expect(batches.requests).toEqual([]);
  expect(await deviceState(page)).toEqual(nothingStored);

  // A site that does not opt in to honouring GPC records as usual.
  const ordinary = await createSite(baseURL!);
  const other = fixtures.serve('/gpc-off', tagPage({ collector: baseURL!, writeKey: ordinary }));
  await page.goto(other);
  await tagReady(page);
  await page.evaluate(() => (window as any).trailmark.flush());
  expect((await eventually(baseURL!, ordinary, (e) => e.length >= 1)).map((e) => e.properties.path)).toEqual(['/gpc-off']);
  expect(await storedEvents(baseURL!, writeKey)).toEqual([]);
  await context.close();
});

test('Google Consent Mode commands in the data layer drive consent, including those made before the tag loaded', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  const batches = recordBatches(page);
  const head = `<script>
window.dataLayer = window.dataLayer || [];
function gtag(){dataLayer.push(arguments);}
gtag('consent', 'default', { analytics_storage: 'denied', ad_storage: 'denied' });
</script>`;
  const url = fixtures.serve('/gcm', tagPage({ collector: baseURL!, writeKey, head }));
  await page.goto(url);
  await tagReady(page);
  await page.evaluate(() => (window as any).trailmark.track('While Denied By Default'));
  await page.waitForTimeout(800);
  expect(batches.requests).toEqual([]);
  expect(await deviceState(page)).toEqual(nothingStored);

  await page.evaluate(() => (window as any).gtag('consent', 'update', { analytics_storage: 'granted' }));
  await page.evaluate(() => (window as any).trailmark.flush());
  const events = await eventually(baseURL!, writeKey, (e) => e.length >= 2);
  // The default was "wait", not a refusal: what happened meanwhile goes once consent is given.
  expect(events.map((e) => e.event ?? e.type).sort()).toEqual(['While Denied By Default', 'page']);

  await page.evaluate(() => (window as any).gtag('consent', 'update', { analytics_storage: 'denied' }));
  await page.evaluate(() => (window as any).trailmark.track('After Update Denied'));
  await page.evaluate(() => (window as any).trailmark.flush());
  await page.waitForTimeout(500);
  expect((await storedEvents(baseURL!, writeKey)).length).toBe(2);
});
