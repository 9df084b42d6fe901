/**
 * Measuring a library in Chromium: its start-up on a page and the cost of
 * its track() calls, with its events answered in the browser and counted.
 */
import { gunzipSync } from 'node:zlib';
import { median } from './numbers.mjs';
import { libraryNamed } from './peers.mjs';

/** A user agent that does not say "Headless", as in the browser tests. */
const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/147.0.0.0 Safari/537.36';
/** In every tracked event and in no page view: the events that reach the collector are counted by it. */
const MARKER = 'SKU-1';

/**
 * The event paths of the libraries (others, such as the settings and the tag, are not intercepted):
 * Trailmark, Segment and RudderStack under /v1/; Snowplow's tp2; PostHog's /e/ and /i/v0/e/ (and
 * /batch/); Amplitude's /2/httpapi (its serverUrl here); Mixpanel's /track/, /engage/, /groups/;
 * Plausible's /api/event.
 */
const EVENT_PATHS =
  /\/v1\/(batch|b|t|p|i|a|g|s|m|track|page|identify|alias|group|screen)$|\/(com\.snowplowanalytics\.snowplow\/tp2|e|i\/v0\/e|batch|2\/httpapi|track|engage|groups|api\/event)\/?$/;

/** The text of an event request, whatever its encoding: gzip, form fields, base64. */
function eventText(url, body) {
  let bytes = body ?? Buffer.alloc(0);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch {}
  }
  const parts = [bytes.toString('utf8'), ...new URL(url).searchParams.values()];
  if (/^[\w.-]+=/.test(parts[0])) parts.push(...new URLSearchParams(parts[0]).values());
  for (const part of [...parts]) {
    if (part.length >= 16 && /^[\w+/=-]+$/.test(part)) parts.push(Buffer.from(part, 'base64').toString('utf8'));
    // A JSON string inside JSON (Snowplow's ue_pr, Plausible's props) keeps the marker as it is.
  }
  return parts.join('\n');
}

/**
 * Answers event requests in the browser (CORS included), so the collector's speed is no part of the
 * costs, and counts them: requests, and the tracked events they carry (MARKER).
 */
async function answerEvents(context, collectorUrl) {
  const tally = { requests: 0, events: 0 };
  await context.route(
    (url) => url.href.startsWith(collectorUrl) && EVENT_PATHS.test(url.pathname),
    async (route) => {
      const request = route.request();
      const origin = (await request.allHeaders()).origin ?? '*';
      const cors = {
        'access-control-allow-origin': origin,
        'access-control-allow-credentials': 'true',
        'access-control-allow-headers': (await request.headerValue('access-control-request-headers')) ?? '*',
        'access-control-allow-methods': 'POST, GET, OPTIONS',
        'access-control-max-age': '600',
      };
      if (request.method() === 'OPTIONS') return route.fulfill({ status: 204, headers: cors });
      tally.requests++;
      tally.events += eventText(request.url(), request.postDataBuffer()).split(MARKER).length - 1;
      return route.fulfill({
        status: 200,
        headers: cors,
        contentType: 'application/json',
        body: '{"ok":true,"accepted":1,"rejected":[],"status":1,"code":200}',
      });
    },
  );
  return tally;
}

/** Uncaught exceptions and unhandled rejections of a page: any of them fails the library's measurement. */
function watchErrors(tab, library) {
  const errors = [];
  tab.on('pageerror', (error) => errors.push(error.message));
  return () => {
    if (errors.length) throw new Error(`${library}: exception in the page: ${errors.slice(0, 3).join(' | ')}`);
  };
}

const OBSERVE_LONG_TASKS = () => {
  window.__longTasks = [];
  new PerformanceObserver((list) => list.getEntries().forEach((e) => window.__longTasks.push(Math.round(e.duration)))).observe({
    type: 'longtask',
    buffered: true,
  });
};

/**
 * One start of a page: main-thread time (the CDP Performance domain's TaskDuration: every task of
 * the page's main thread) from navigation until 2.5 s after the load event, the long tasks seen, and
 * the scripts the page loaded. Readiness is checked once at the end, not polled: polling runs
 * script in the page.
 */
export async function startUp(browser, collectorUrl, url, library) {
  const context = await browser.newContext({ userAgent: USER_AGENT });
  await answerEvents(context, collectorUrl);
  await context.addInitScript(OBSERVE_LONG_TASKS);
  const tab = await context.newPage();
  const checkErrors = watchErrors(tab, library);
  const cdp = await context.newCDPSession(tab);
  await cdp.send('Performance.enable');
  await tab.goto(url);
  await tab.waitForLoadState('load');
  await tab.waitForTimeout(2500);
  const { metrics } = await cdp.send('Performance.getMetrics');
  if (library !== 'blank' && !(await tab.evaluate(libraryNamed(library).ready))) throw new Error(`${library} was not ready 2.5 s after load`);
  const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
  const observed = await tab.evaluate(() => ({
    longTasks: window.__longTasks,
    scripts: performance
      .getEntriesByType('resource')
      .filter((r) => r.initiatorType === 'script' || r.name.endsWith('.js'))
      .map((r) => r.name),
  }));
  await context.close();
  checkErrors();
  return { taskMs: m.TaskDuration * 1000, ...observed };
}

/** Waits (in Node: nothing runs in the page) until `done()`, or fails after `timeout` ms with `message()`. */
async function until(done, timeout, message) {
  const deadline = Date.now() + timeout;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(message());
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * track() cost once the library is ready, in rounds of `calls` calls (a busy page's worth of
 * events; each round starts once the previous one has been sent — every event counted at the
 * collector — and the page has had at least 2 s, as events arrive in real pages): the synchronous
 * call, timed with performance.now in the page (median of the rounds), and all the main-thread work
 * the calls cause until the page is quiet again (batching, serialising, storing, sending), per call,
 * after taking off what the same page does over the same time without calls.
 */
export async function trackCost(browser, collectorUrl, url, library, { calls = 100, rounds = 5 } = {}) {
  const context = await browser.newContext({ userAgent: USER_AGENT });
  const tally = await answerEvents(context, collectorUrl);
  const tab = await context.newPage();
  const checkErrors = watchErrors(tab, library);
  const cdp = await context.newCDPSession(tab);
  await cdp.send('Performance.enable');
  await tab.goto(url);
  await tab.waitForFunction(libraryNamed(library).ready, undefined, { timeout: 30_000 });
  await tab.waitForLoadState('load');
  // The page view has been sent to the collector's URL (some libraries send on a timer).
  await until(
    () => tally.requests > 0,
    15_000,
    () => `${library} sent no page view to the collector within 15 s`,
  );
  await tab.waitForTimeout(1000);
  const taskMs = async () => (await cdp.send('Performance.getMetrics')).metrics.find((x) => x.name === 'TaskDuration').value * 1000;
  const burst = () =>
    tab.evaluate(
      ({ calls, track, marker }) => {
        const call = (0, eval)(track);
        const product = { product_id: marker, name: 'Trail tent', price: 129, currency: 'EUR', category: 'Tents' };
        const start = performance.now();
        for (let i = 0; i < calls; i++) call('Product Viewed', { ...product, i });
        return ((performance.now() - start) * 1000) / calls;
      },
      { calls, track: libraryNamed(library).track, marker: MARKER },
    );
  const pause = 2000;
  const sent = async (expected, burstStart) => {
    await until(
      () => tally.events >= expected,
      20_000,
      () => `${library}: ${tally.events} of ${expected} tracked events reached the collector within 20 s`,
    );
    await tab.waitForTimeout(Math.max(pause - (Date.now() - burstStart), 250));
  };
  let expected = calls;
  let burstStart = Date.now();
  await burst(); // warm up
  await sent(expected, burstStart);

  const idleStart = await taskMs();
  await tab.waitForTimeout(pause);
  const idlePerMs = ((await taskMs()) - idleStart) / pause;

  const perCall = [];
  const start = await taskMs();
  const wallStart = Date.now();
  for (let r = 0; r < rounds; r++) {
    expected += calls;
    burstStart = Date.now();
    perCall.push(await burst());
    await sent(expected, burstStart);
  }
  const work = (await taskMs()) - start - idlePerMs * (Date.now() - wallStart);
  await context.close();
  checkErrors();
  return { syncUs: median(perCall), allWorkUs: (work * 1000) / (calls * rounds), eventsCounted: tally.events, eventsTracked: expected };
}
