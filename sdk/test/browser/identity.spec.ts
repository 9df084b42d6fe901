/** Identity: the anonymousId across reloads and storage loss, identify/alias/reset, Segment adoption, sessions. */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { createSite, eventually, FixtureServer, flush, identityStored, tagPage, tagReady } from './support';

let fixtures: FixtureServer;
test.beforeAll(async () => {
  fixtures = await new FixtureServer().start();
});
test.afterAll(() => fixtures.stop());

const cookie = async (context: BrowserContext, name: string) => (await context.cookies()).find((c) => c.name === name);
const local = (page: Page, key: string) => page.evaluate((k) => localStorage.getItem(k), key);

test('the anonymousId survives reloads, and cookie and localStorage each restore the other', async ({ page, context, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  const url = fixtures.serve('/id', tagPage({ collector: baseURL!, writeKey }));
  await page.goto(url);
  const id = await tagReady(page);
  await identityStored(page);
  const tmCookie = (await cookie(context, 'tm_aid'))!;
  expect(tmCookie).toMatchObject({ value: id, path: '/', sameSite: 'Lax' });
  // Asked for two years, as the collector sets it; Chromium caps every cookie at 400 days
  // (https://chromestatus.com/feature/4887741241229312).
  expect(tmCookie.expires * 1000 - Date.now()).toBeGreaterThan(399 * 24 * 3600 * 1000);
  expect(await local(page, 'tm_aid')).toBe(id);

  await page.reload();
  expect(await tagReady(page)).toBe(id);

  await context.clearCookies();
  await page.reload();
  expect(await tagReady(page)).toBe(id);
  expect((await cookie(context, 'tm_aid'))?.value).toBe(id);

  await page.evaluate(() => localStorage.clear());
  await page.reload();
  expect(await tagReady(page)).toBe(id);
  expect(await local(page, 'tm_aid')).toBe(id);

  await flush(page);
  const events = await eventually(baseURL!, writeKey, (e) => e.length >= 4);
  expect(new Set(events.map((e) => e.anonymousId))).toEqual(new Set([id]));
});

test('identify ties later events to the user across reloads; reset() starts a new visitor', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  const url = fixtures.serve('/login', tagPage({ collector: baseURL!, writeKey }));
  await page.goto(url);
  const first = await tagReady(page);
  await page.evaluate(() => {
    const t = (window as any).trailmark;
    t.track('Before Login');
    t.identify('user-42', { email: 'a@shop.example' });
    t.track('After Login');
  });
  // At once, as a login that redirects does: identify() may still be waiting for the API chunk (fetched by its
  // first call); then the next page makes it.
  await page.reload();
  expect(await tagReady(page)).toBe(first);
  await page.evaluate(() => {
    const t = (window as any).trailmark;
    t.track('After Reload');
    t.alias('customer-42');
    t.track('After Alias');
    t.reset();
    t.track('After Logout');
  });
  // reset() is the API chunk's: once the calls before have run (flush waits for them), the id is new.
  const second = await page.evaluate(async () => {
    await (window as any).trailmark.flush();
    return (window as any).trailmark.anonymousId();
  });
  expect(second).not.toBe(first);
  await flush(page);

  const events = await eventually(baseURL!, writeKey, (e) => e.length >= 8);
  const byName = (name: string) => events.find((e) => (e.event ?? e.type) === name)!;
  expect(byName('Before Login')).toMatchObject({ anonymousId: first });
  expect(byName('Before Login').userId).toBeUndefined();
  expect(byName('identify')).toMatchObject({ anonymousId: first, userId: 'user-42', traits: { email: 'a@shop.example' } });
  expect(byName('After Login')).toMatchObject({ anonymousId: first, userId: 'user-42' });
  expect(byName('After Reload')).toMatchObject({ anonymousId: first, userId: 'user-42' });
  expect(byName('alias')).toMatchObject({ userId: 'customer-42', previousId: 'user-42' });
  expect(byName('After Alias')).toMatchObject({ userId: 'customer-42' });
  expect(byName('After Logout')).toMatchObject({ anonymousId: second });
  expect(byName('After Logout').userId).toBeUndefined();
  expect(byName('After Logout').context.sessionId).not.toBe(byName('After Alias').context.sessionId);
  expect(await local(page, 'tm_uid')).toBeNull();
  // The reloaded page's view is the user's.
  expect(events.filter((e) => e.type === 'page').map((e) => e.userId ?? null)).toContain('user-42');
});

test('identify() and a navigation before the API chunk arrives: the next page makes the calls, before its page view', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  const first = fixtures.serve('/login-form', tagPage({ collector: baseURL!, writeKey, title: 'Log in' }));
  const next = fixtures.serve('/account-home', tagPage({ collector: baseURL!, writeKey, title: 'Account' }));
  // The API chunk never arrives on the login page, so the calls are surely waiting for it when it goes.
  await page.route(/\/tag-api-[\w-]+\.js$/, () => {});
  const pageViewSent = page.waitForRequest((r) => r.url().endsWith('/v1/batch'));
  await page.goto(first);
  const id = await tagReady(page);
  // The visitor has been on the page a moment (the tag has its settings: the page view has gone).
  await pageViewSent;
  await page.evaluate(() => {
    const t = (window as any).trailmark;
    t.identify('user-9', { email: 'c@shop.example' }, { userHash: 'ab12' });
    t.productAdded({ product_id: 'SKU-1' });
    t.track('Signed In', { method: 'form' }, () => ((window as any).calledBack = true));
  });
  expect(await local(page, 'tm_wait')).toBeNull();
  await page.unroute(/\/tag-api-[\w-]+\.js$/);
  await page.goto(next);
  expect(await tagReady(page)).toBe(id);
  await flush(page);
  expect(await local(page, 'tm_wait')).toBeNull();
  expect(await local(page, 'tm_uid')).toBe('user-9');
  expect(await page.evaluate(() => (window as any).trailmark.user().traits())).toEqual({ email: 'c@shop.example' });

  const events = await eventually(baseURL!, writeKey, (e) => e.length >= 5);
  expect(events).toHaveLength(5);
  const byName = (name: string) => events.filter((e) => (e.event ?? e.type) === name);
  expect(byName('identify')).toEqual([expect.objectContaining({ anonymousId: id, userId: 'user-9', traits: { email: 'c@shop.example' } })]);
  // The userHash went with it (the collector checks it and stores only the verdict: this one is not the site's).
  expect(byName('identify')[0]!.context.userVerified).toBe(false);
  expect(byName('Product Added')).toEqual([expect.objectContaining({ userId: 'user-9', properties: { product_id: 'SKU-1' } })]);
  expect(byName('Signed In')).toEqual([expect.objectContaining({ userId: 'user-9', properties: { method: 'form' } })]);
  // The login page's view was anonymous; the next page's comes after the calls it made, so it is the user's.
  const views = byName('page').sort((a, b) => a.originalTimestamp.localeCompare(b.originalTimestamp));
  expect(views.map((v) => [v.properties.title, v.userId ?? null])).toEqual([
    ['Log in', null],
    ['Account', 'user-9'],
  ]);
  expect(views[1]!.originalTimestamp >= byName('Signed In')[0]!.originalTimestamp).toBe(true);
});

test("a shop moving from Segment keeps its visitors: analytics.js's ajs_anonymous_id is adopted", async ({ page, context, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  const url = fixtures.serve('/migrated', tagPage({ collector: baseURL!, writeKey }));
  // analytics.js writes the id JSON-encoded, so the cookie holds %22…%22.
  await context.addCookies([{ name: 'ajs_anonymous_id', value: '%22seg-anon-0001%22', url: fixtures.origin }]);
  await page.goto(url);
  expect(await tagReady(page)).toBe('seg-anon-0001');
  await identityStored(page);
  expect((await cookie(context, 'tm_aid'))?.value).toBe('seg-anon-0001');

  // The localStorage copy works as well, with the user id.
  const other = await context.browser()!.newContext();
  const page2 = await other.newPage();
  await page2.goto(fixtures.serve('/blank', '<!doctype html><title>blank</title>'));
  await page2.evaluate(() => {
    localStorage.setItem('ajs_anonymous_id', '"seg-anon-0002"');
    localStorage.setItem('ajs_user_id', '"seg-user-7"');
  });
  await page2.goto(url);
  expect(await tagReady(page2)).toBe('seg-anon-0002');
  await page2.evaluate(() => (window as any).trailmark.track('Migrated'));
  await flush(page2);
  await flush(page);
  const events = await eventually(baseURL!, writeKey, (e) => e.length >= 3);
  expect(events.find((e) => e.event === 'Migrated')).toMatchObject({ anonymousId: 'seg-anon-0002', userId: 'seg-user-7' });
  expect(
    events
      .filter((e) => e.type === 'page')
      .map((e) => e.anonymousId)
      .sort(),
  ).toEqual(['seg-anon-0001', 'seg-anon-0002']);

  // After our own reset the old Segment ids stay forgotten.
  await page2.evaluate(() => (window as any).trailmark.reset());
  await page2.reload();
  expect(await tagReady(page2)).not.toMatch(/^seg-/);
  await other.close();
});

test('the session id stays across pages and is renewed after 30 minutes without activity', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  const url = fixtures.serve('/session', tagPage({ collector: baseURL!, writeKey }));
  await page.goto(url);
  await tagReady(page);
  await identityStored(page);
  await page.reload();
  await tagReady(page);
  await flush(page);
  // 31 minutes pass without activity (the stored last activity is moved back).
  await page.evaluate(() => {
    const [id, last] = localStorage.getItem('tm_sid')!.split('.');
    localStorage.setItem('tm_sid', `${id}.${Number(last) - 31 * 60_000}`);
  });
  await page.reload();
  await tagReady(page);
  await flush(page);
  const views = (await eventually(baseURL!, writeKey, (e) => e.length >= 3)).sort((a, b) => a.originalTimestamp.localeCompare(b.originalTimestamp));
  const sessions = views.map((v) => v.context.sessionId);
  expect(sessions[0]).toBe(sessions[1]);
  expect(sessions[2]).not.toBe(sessions[1]);
});

test('on the shop’s own site, the collector’s response refreshes the identity cookie from the server', async ({ page, context, baseURL }) => {
  // First-party serving: the page and the collector on one origin (here the collector serves the page's
  // origin too, http://localhost:PORT), so the event response's Set-Cookie applies to the page.
  const writeKey = await createSite(baseURL!);
  await page.route(`${baseURL}/first-party.html`, (route) => route.fulfill({ contentType: 'text/html', body: tagPage({ collector: baseURL!, writeKey }) }));
  const responses: string[] = [];
  page.on('response', async (r) => r.url().endsWith('/v1/batch') && responses.push((await r.allHeaders())['set-cookie'] ?? ''));
  await page.goto(`${baseURL}/first-party.html`);
  const id = await tagReady(page);
  await flush(page);
  await expect.poll(() => responses.join('\n')).toContain(`tm_aid=${id}`);
  expect((await context.cookies(baseURL!)).find((c) => c.name === 'tm_aid')?.value).toBe(id);
});
