/**
 * The ack token in the browser, against the collector: the tag keeps a
 * batch answer's token (its Trailmark-Ack header) as the answer comes, in
 * the initial tag (here the queue chunk never arrives), so a page that goes
 * right after its events were acknowledged hands the token to the next
 * page's slots; a page that goes while a send is under way leaves that
 * send's mark, and the next page's slots pass no token.
 */
import { expect, test, type Page, type Request, type Route } from '@playwright/test';
import { ACK_HEADER } from '@trailmark/schema';
import { createSite, FixtureServer, flush, tagPage, tagReady } from './support';

let fixtures: FixtureServer;
test.beforeAll(async () => {
  fixtures = await new FixtureServer().start();
});
test.afterAll(() => fixtures.stop());

const TOKEN = /^[0-9a-z]+\.[0-9a-z]+\.[0-9a-z]+$/;
/** A send's own mark: "~", the time it began and a random number. */
const OWN_MARK = /^~\d{13}(0\.\d+|\d\.?\d*e-\d+)$/;
/** A mark: a send's own, or one put back for an older send (its time only). */
const MARK = /^~\d{13}(0\.\d+|\d\.?\d*e-\d+)?$/;
const storedToken = (page: Page) => page.evaluate(() => localStorage.getItem('tm_ack'));

/** The slot requests the page makes, with the collector's status for each. */
function recordSlotRequests(page: Page): { query: URLSearchParams; status: Promise<number | undefined> }[] {
  const asked: { query: URLSearchParams; status: Promise<number | undefined> }[] = [];
  page.on('request', (request: Request) => {
    if (!request.url().includes('/v1/recommendations?')) return;
    asked.push({ query: new URL(request.url()).searchParams, status: request.response().then((r) => r?.status()) });
  });
  return asked;
}

/**
 * A page with a home slot and no page view of its own: a send of this page under way would put its mark in the
 * token's place (rightly: the slot's answer must count its events), and these tests are about what the page before
 * left.
 */
const slotPage = (baseURL: string, writeKey: string) =>
  tagPage({
    collector: baseURL,
    writeKey,
    attributes: { 'data-auto-pageviews': 'false' },
    body: '<div data-trailmark-slot="home" data-trailmark-limit="4"></div>',
  });

test('an answered batch leaves its token as the answer comes, without the queue chunk; the next page’s slot passes it', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  // The queue chunk never arrives: only the initial tag can keep the token.
  await page.route(/\/tag-queue-[^/]+\.js$/, () => {});
  const asked = recordSlotRequests(page);
  await page.goto(fixtures.serve('/ack-product', tagPage({ collector: baseURL!, writeKey })));
  await tagReady(page);
  // The page view, answered (flush() settles once it is).
  await flush(page);
  const answered = page.waitForResponse((r) => r.url().startsWith(`${baseURL}/v1/batch`) && !!r.request().postData()?.includes('p-ack'));
  await page.evaluate(() => (window as any).trailmark.productViewed({ product_id: 'p-ack', name: 'Tent', price: 10 }));
  const token = await (await answered).headerValue(ACK_HEADER);
  expect(token).toMatch(TOKEN);
  await page.waitForFunction((token) => localStorage.getItem('tm_ack') == token, token, { timeout: 5000 });

  // The shopper goes on to a page with a home slot at once.
  await page.goto(fixtures.serve('/ack-home', slotPage(baseURL!, writeKey)));
  await expect.poll(() => asked.length).toBe(1);
  expect(asked[0]!.query.get('ack')).toBe(token);
  expect(await asked[0]!.status).toBe(200);
});

test('a page gone while its send was under way leaves its mark: the next page’s slot passes no token', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  const asked = recordSlotRequests(page);
  await page.goto(fixtures.serve('/ack-gone', tagPage({ collector: baseURL!, writeKey })));
  await tagReady(page);
  // The page view's answer leaves its token.
  await page.waitForFunction((token) => new RegExp(token).test(localStorage.getItem('tm_ack') ?? ''), TOKEN.source);

  // The next send is held on its way: the page goes before its answer comes.
  let held!: (route: Route) => void;
  const holding = new Promise<Route>((resolve) => (held = resolve));
  let first = true;
  await page.route(`${baseURL}/v1/batch*`, (route) => (first ? ((first = false), held(route)) : route.continue()));
  await page.evaluate(() => {
    (window as any).trailmark.productViewed({ product_id: 'p-gone', name: 'Lamp', price: 5 });
    void (window as any).trailmark.flush();
  });
  const route = await holding;
  expect(await storedToken(page)).toMatch(OWN_MARK);
  await page.goto(fixtures.serve('/ack-after', slotPage(baseURL!, writeKey)));
  await expect.poll(() => asked.length).toBe(1);
  expect(asked[0]!.query.has('ack')).toBe(false);
  expect(await asked[0]!.status).toBe(200);
  await route.continue().catch(() => {});
  await page.unroute(`${baseURL}/v1/batch*`);

  // This page's own sends began within 30 s of the gone page's (its events sent again too): no token is kept.
  await page.evaluate(() => (window as any).trailmark.track('Looked Around'));
  await page.evaluate(() => (window as any).trailmark.flush());
  expect(await storedToken(page)).toMatch(MARK);
  await page.evaluate(() => (window as any).trailmark.recommend('home'));
  expect(asked.at(-1)!.query.has('ack')).toBe(false);
});
