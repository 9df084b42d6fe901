/**
 * Mistakes are visible (issue 15): what the collector says about a wrong
 * write key or origin is printed on the console once, in words, and the tag
 * stops sending; a 4xx is never retried; recommend() rejects with the
 * collector's message; debug(true) logs each call and each delivery.
 */
import { expect, test, type Page } from '@playwright/test';
import { createSite, FixtureServer, recordBatches, tagPage } from './support';

let fixtures: FixtureServer;
test.beforeAll(async () => {
  fixtures = await new FixtureServer().start();
});
test.afterAll(() => fixtures.stop());

/** What the page said on the console with the tag's prefix. */
function consoleOf(page: Page): string[] {
  const said: string[] = [];
  page.on('console', (message) => {
    if (message.text().startsWith('[trailmark]')) said.push(message.text());
  });
  return said;
}

/** Waits until the console said something matching `pattern`. */
async function saidEventually(said: string[], pattern: RegExp): Promise<void> {
  await expect.poll(() => said.filter((line) => pattern.test(line)).length, { timeout: 10_000 }).toBeGreaterThan(0);
}

/** Calls the API a few times and asks for everything to be sent. */
const trackAndFlush = (page: Page) =>
  page.evaluate(async () => {
    const t = (window as any).trailmark;
    t.track('One');
    t.track('Two');
    await t.flush();
    t.track('Three');
    await t.flush();
  });

test('an unknown write key: the collector’s message once on the console, and nothing is sent', async ({ page, baseURL }) => {
  const said = consoleOf(page);
  const batches = recordBatches(page);
  await page.goto(fixtures.serve('/wrong-key', tagPage({ collector: baseURL!, writeKey: 'no-such-key' })));
  await saidEventually(said, /Unknown write key "no-such-key".*data-write-key/);
  await trackAndFlush(page);
  expect(batches.requests).toHaveLength(0);
  expect(said.filter((line) => /Unknown write key/.test(line))).toHaveLength(1);
});

test('an origin the site does not allow: a readable refusal, said once, and the tag stops', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!, {}, ['https://shop.example']);
  const said = consoleOf(page);
  const batches = recordBatches(page);
  await page.goto(fixtures.serve('/foreign', tagPage({ collector: baseURL!, writeKey })));
  // The collector's own words reach the page: its refusal carries CORS headers.
  await saidEventually(said, new RegExp(`Origin ${fixtures.origin.replace(/\./g, '\\.')} may not send to this site.*allowed origins`));
  await trackAndFlush(page);
  expect(batches.requests).toHaveLength(0);
  expect(said.filter((line) => /may not send/.test(line))).toHaveLength(1);
});

test('a 4xx answer is final: said once, not retried; later events still go', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  const said = consoleOf(page);
  const batches = recordBatches(page);
  let refuse = true;
  await page.route(`${baseURL}/v1/batch`, async (route) => {
    if (!refuse) return route.continue();
    refuse = false;
    await route.fulfill({
      status: 400,
      headers: { 'access-control-allow-origin': fixtures.origin },
      contentType: 'application/json',
      body: JSON.stringify({ ok: false, error: 'invalid_body', message: 'The body is not what the collector takes: send {"batch": [...]}' }),
    });
  });
  await page.goto(fixtures.serve('/refused', tagPage({ collector: baseURL!, writeKey })));
  await trackAndFlush(page);
  await saidEventually(said, /HTTP 400: The body is not what the collector takes/);
  const sent = batches.requests.flatMap((r) => JSON.parse(r.postData()!).batch.map((m: { event?: string; type: string }) => m.event ?? m.type));
  // What the refused request carried is not sent again; what came after it still goes.
  expect(sent.filter((name: string, i: number) => sent.indexOf(name) !== i)).toEqual([]);
  expect(sent).toEqual(expect.arrayContaining(['page', 'One', 'Two', 'Three']));
  expect(refuse).toBe(false);
});

test('recommend() rejects with the collector’s message', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  await page.goto(fixtures.serve('/rec-error', tagPage({ collector: baseURL!, writeKey })));
  const message = await page.evaluate(() =>
    (window as any).trailmark.recommend('no-such-slot').then(
      () => 'resolved',
      (error: Error) => error.message,
    ),
  );
  expect(message).toMatch(/^recommendations for "no-such-slot": HTTP 400: .*slot/i);
});

test('debug(true) logs each call and each delivery', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  const said = consoleOf(page);
  await page.goto(fixtures.serve('/debug', tagPage({ collector: baseURL!, writeKey })));
  await page.evaluate(async () => {
    const t = (window as any).trailmark;
    t.debug(true);
    t.track('Debugged', { a: 1 });
    await t.flush();
  });
  await saidEventually(said, /^\[trailmark\] track Debugged/);
  await saidEventually(said, /^\[trailmark\] \d+ events: 200/);
});
