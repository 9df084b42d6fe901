/**
 * Delivery end to end, counted in what the collector stored: offline
 * periods, closed tabs, several tabs, redirects, collector errors, large
 * sends, broken IndexedDB, and no timers while idle. Every test checks that
 * nothing was stored twice.
 */
import { expect, test, type Page } from '@playwright/test';
import { createSite, duplicates, eventually, FixtureServer, flush, recordBatches, storedEvents, tagPage, tagReady, type Stored } from './support';

let fixtures: FixtureServer;
test.beforeAll(async () => {
  fixtures = await new FixtureServer().start();
});
test.afterAll(() => fixtures.stop());

/** Tracks `count` events named `name` with properties {n}. */
const trackMany = (page: Page, name: string, count: number, from = 0, extra: Record<string, unknown> = {}) =>
  page.evaluate(
    ({ name, count, from, extra }) => {
      for (let n = from; n < from + count; n++) (window as any).trailmark.track(name, { n, ...extra });
    },
    { name, count, from, extra },
  );

/** The `n` of each stored event named `name`, sorted. */
const numbers = (events: Stored[], name: string) =>
  events
    .filter((e) => e.event === name)
    .map((e) => e.properties.n as number)
    .sort((a, b) => a - b);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

const queued = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const open = indexedDB.open(`trailmark:${document.querySelector('script[data-write-key]')!.getAttribute('data-write-key')}`);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('queue')) return resolve(0);
          const count = db.transaction('queue').objectStore('queue').count();
          count.onsuccess = () => (db.close(), resolve(count.result));
        };
      }),
  );

test('offline: events wait in IndexedDB and go once the browser is back online', async ({ page, context, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  await page.goto(fixtures.serve('/offline', tagPage({ collector: baseURL!, writeKey })));
  await tagReady(page);
  await flush(page);
  await context.setOffline(true);
  await trackMany(page, 'Offline', 5);
  await flush(page);
  await page.waitForTimeout(1500);
  expect(await queued(page)).toBe(5);
  expect(numbers(await storedEvents(baseURL!, writeKey), 'Offline')).toEqual([]);

  await context.setOffline(false);
  const events = await eventually(baseURL!, writeKey, (e) => numbers(e, 'Offline').length >= 5);
  expect(numbers(events, 'Offline')).toEqual(range(0, 5));
  expect(duplicates(events)).toEqual([]);
  await expect.poll(() => queued(page)).toBe(0);
});

test('a tab closed while offline: its events are sent by the next page of the site', async ({ context, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  const url = fixtures.serve('/closed', tagPage({ collector: baseURL!, writeKey }));
  const first = await context.newPage();
  await first.goto(url);
  await tagReady(first);
  await flush(first);
  await context.setOffline(true);
  await trackMany(first, 'Closed Offline', 2);
  await first.waitForTimeout(800); // persisted by the regular flush
  await trackMany(first, 'Closed Offline', 2, 2); // and these by the page hide, just before the close
  // Closed as a user closes a tab: with the page's unload steps (pagehide); Playwright's default skips them.
  await first.close({ runBeforeUnload: true });
  await expect.poll(() => first.isClosed()).toBe(true);
  await context.setOffline(false);

  const next = await context.newPage();
  await next.goto(url);
  await tagReady(next);
  const events = await eventually(baseURL!, writeKey, (e) => numbers(e, 'Closed Offline').length >= 4);
  expect(numbers(events, 'Closed Offline')).toEqual(range(0, 4));
  expect(events.filter((e) => e.type === 'page')).toHaveLength(2);
  expect(duplicates(events)).toEqual([]);
});

for (const locks of ['with Web Locks', 'without Web Locks (insecure context, Safari before 15.4)']) {
  test(`two tabs open at once share one queue and never send the same event twice, ${locks}`, async ({ context, baseURL }) => {
    const writeKey = await createSite(baseURL!);
    if (locks.startsWith('without')) await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined }));
    const url = fixtures.serve('/tabs', tagPage({ collector: baseURL!, writeKey }));
    const [a, b] = [await context.newPage(), await context.newPage()];
    const sentA = recordBatches(a);
    const sentB = recordBatches(b);
    await Promise.all([a.goto(url), b.goto(url)]);
    await Promise.all([tagReady(a), tagReady(b)]);
    // Online, each tab sends what it records.
    for (let round = 0; round < 3; round++) {
      await Promise.all([trackMany(a, 'Tab A', 6, round * 6), trackMany(b, 'Tab B', 6, round * 6)]);
      await Promise.all([flush(a), flush(b)]);
    }
    // Offline, both tabs queue into the one shared queue; back online, both want to send it at once.
    await context.setOffline(true);
    for (let round = 3; round < 5; round++) {
      await Promise.all([trackMany(a, 'Tab A', 6, round * 6), trackMany(b, 'Tab B', 6, round * 6)]);
      await Promise.all([flush(a), flush(b)]);
    }
    expect(await queued(a)).toBe(24);
    await context.setOffline(false);
    const events = await eventually(baseURL!, writeKey, (e) => numbers(e, 'Tab A').length + numbers(e, 'Tab B').length >= 60);
    expect(numbers(events, 'Tab A')).toEqual(range(0, 30));
    expect(numbers(events, 'Tab B')).toEqual(range(0, 30));
    expect(duplicates(events)).toEqual([]);
    // On the wire too: each message went out once, from one of the tabs, the queued ones included.
    await expect.poll(() => queued(a)).toBe(0);
    const sent = [...sentA.messageIds(), ...sentB.messageIds()];
    expect(sent.length).toBe(new Set(sent).size);
    expect(new Set(sent)).toEqual(new Set(events.map((e) => e.messageId)));
  });
}

test('an event tracked right before a redirect to another site is delivered (keepalive at page hide)', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  // The next page is on another origin, without the tag: nothing there could send it later.
  const elsewhere = `${baseURL}/healthz`;
  const body = `<button onclick="trailmark.track('Checkout Clicked', { n: 1 }); location.href = '${elsewhere}'">Pay</button>`;
  await page.goto(fixtures.serve('/redirect', tagPage({ collector: baseURL!, writeKey, body })));
  await tagReady(page);
  await flush(page);
  await page.click('button');
  await page.waitForURL(elsewhere);
  const events = await eventually(baseURL!, writeKey, (e) => numbers(e, 'Checkout Clicked').length >= 1);
  expect(numbers(events, 'Checkout Clicked')).toEqual([1]);
  expect(duplicates(events)).toEqual([]);
});

test('collector answering 503, then 429 with Retry-After: retried with the same messageIds, stored once', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  const url = fixtures.serve('/errors', tagPage({ collector: baseURL!, writeKey, attributes: { 'data-auto-pageviews': 'false' } }));
  const attempts: { at: number; ids: string[] }[] = [];
  await page.route(`${baseURL}/v1/batch`, async (route) => {
    attempts.push({ at: Date.now(), ids: JSON.parse(route.request().postData()!).batch.map((m: Stored) => m.messageId) });
    const cors = { 'access-control-allow-origin': fixtures.origin, 'access-control-expose-headers': 'Retry-After' };
    if (attempts.length === 1) return route.fulfill({ status: 503, headers: cors, body: '{"ok":false}' });
    if (attempts.length === 2) return route.fulfill({ status: 429, headers: { ...cors, 'retry-after': '2' }, body: '{"ok":false}' });
    return route.continue();
  });
  await page.goto(url);
  await tagReady(page);
  await trackMany(page, 'Retried', 3);
  await flush(page);
  const events = await eventually(baseURL!, writeKey, (e) => numbers(e, 'Retried').length >= 3, 20_000);
  expect(numbers(events, 'Retried')).toEqual([0, 1, 2]);
  expect(duplicates(events)).toEqual([]);
  expect(attempts).toHaveLength(3);
  expect(attempts[1]!.ids).toEqual(attempts[0]!.ids);
  expect(attempts[2]!.ids).toEqual(attempts[0]!.ids);
  expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(450); // backoff with jitter: 0.5–1 s
  expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(2000); // Retry-After: 2
});

test('a reload while a send is under way: the next page sends it again and the collector keeps one copy', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  const url = fixtures.serve('/slow', tagPage({ collector: baseURL!, writeKey, attributes: { 'data-auto-pageviews': 'false' } }));
  let slow = true;
  await page.route(`${baseURL}/v1/batch`, async (route) => {
    if (!slow) return route.continue();
    // The request reaches the collector, but the answer is lost with the page.
    const response = await route.fetch();
    await new Promise((r) => setTimeout(r, 1500));
    await route.fulfill({ response }).catch(() => {});
  });
  await page.goto(url);
  await tagReady(page);
  await trackMany(page, 'In Flight', 3);
  page.evaluate(() => (window as any).trailmark.flush()).catch(() => {});
  await page.waitForTimeout(300);
  slow = false;
  await page.reload();
  await tagReady(page);
  await flush(page);
  const events = await eventually(baseURL!, writeKey, (e) => numbers(e, 'In Flight').length >= 3);
  await page.waitForTimeout(500);
  expect(numbers(await storedEvents(baseURL!, writeKey), 'In Flight')).toEqual([0, 1, 2]);
  expect(duplicates(events)).toEqual([]);
});

test('a large backlog is split into requests within the 64 KiB keepalive budget', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  const batches = recordBatches(page);
  await page.goto(fixtures.serve('/large', tagPage({ collector: baseURL!, writeKey, attributes: { 'data-auto-pageviews': 'false' } })));
  await tagReady(page);
  await trackMany(page, 'Large', 150, 0, { blob: 'é'.repeat(600) }); // ~1.3 KB each, ~200 KB in all
  await flush(page);
  const events = await eventually(baseURL!, writeKey, (e) => numbers(e, 'Large').length >= 150);
  expect(numbers(events, 'Large')).toEqual(range(0, 150));
  expect(duplicates(events)).toEqual([]);
  expect(batches.requests.length).toBeGreaterThanOrEqual(4);
  for (const request of batches.requests) expect(Buffer.byteLength(request.postData()!)).toBeLessThanOrEqual(64 * 1024);
});

for (const [name, breakIt] of [
  ['throws on open', `indexedDB.open = () => { throw new DOMException('denied', 'SecurityError'); };`],
  ['never answers (blocked)', `indexedDB.open = () => ({});`],
  [
    'fails every transaction (full disk)',
    `const open = indexedDB.open.bind(indexedDB);
     indexedDB.open = (...a) => { const r = open(...a); r.addEventListener('success', () => { r.result.transaction = () => { throw new DOMException('full', 'QuotaExceededError'); }; }); return r; };`,
  ],
] as const) {
  test(`IndexedDB that ${name}: events go from memory, nothing is thrown`, async ({ page, baseURL }) => {
    const writeKey = await createSite(baseURL!);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.addInitScript(breakIt);
    await page.goto(fixtures.serve(`/idb-${name.split(' ')[0]}`, tagPage({ collector: baseURL!, writeKey })));
    await tagReady(page);
    await trackMany(page, 'Memory', 3);
    await flush(page);
    const events = await eventually(baseURL!, writeKey, (e) => numbers(e, 'Memory').length >= 3);
    expect(numbers(events, 'Memory')).toEqual([0, 1, 2]);
    expect(events.filter((e) => e.type === 'page')).toHaveLength(1);
    expect(duplicates(events)).toEqual([]);
    expect(errors).toEqual([]);
  });
}

test('no timer runs while there is nothing to send', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  // Counts the timers the tag's own code starts (its frames are in the stack).
  await page.addInitScript(() => {
    const counts = ((window as any).tagTimers = { count: 0 });
    for (const name of ['setTimeout', 'setInterval', 'requestIdleCallback', 'requestAnimationFrame'] as const) {
      const original = (window as any)[name].bind(window);
      (window as any)[name] = (...args: unknown[]) => {
        if (/\/tag(-[\w-]+)?\.js/.test(new Error().stack ?? '')) counts.count++;
        return original(...args);
      };
    }
  });
  await page.goto(fixtures.serve('/idle', tagPage({ collector: baseURL!, writeKey, attributes: { 'data-web-vitals': 'true' } })));
  await tagReady(page);
  await page.waitForLoadState('load');
  await page.waitForTimeout(2000);
  const before = await page.evaluate(() => (window as any).tagTimers.count);
  expect(before).toBeGreaterThan(0); // the counting works: start-up and the first send used timers
  await page.waitForTimeout(5000);
  expect(await page.evaluate(() => (window as any).tagTimers.count)).toBe(before);
  expect((await storedEvents(baseURL!, writeKey)).length).toBeGreaterThanOrEqual(1);
});
