/**
 * The tag's budgets (issues 4 and 15): /tag.js at most 4 KB gzip; track()
 * at most 5 µs a call on the main thread (as a ratio to serialising its
 * message, measured in the same run), whether the API's chunk is there yet
 * or not; no long task at load.
 *
 * Times are wall-clock, and a shared machine can pause the browser in the
 * middle of anything. So the track() figure is the median of rounds of many
 * calls, measured again (at most three times) if a busy moment pushed it
 * over; and the load is observed for several rounds, of which one must be
 * entirely free of long tasks: work of the tag's own that is long shows in
 * every round, someone else's work in some.
 */
import { expect, test, type Page } from '@playwright/test';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { chunkVersionIn, LAZY_CHUNKS } from '../../build/chunks.mjs';
import { createSite, FixtureServer, tagPage, tagReady } from './support';

let fixtures: FixtureServer;
test.beforeAll(async () => {
  fixtures = await new FixtureServer().start();
});
test.afterAll(() => fixtures.stop());

const GZIP_BUDGET = 4 * 1024;

/** Puts a measured figure in the report and on the console, where `npm test` shows it. */
function note(type: string, description: string): void {
  test.info().annotations.push({ type, description });
  console.log(`  ${type}: ${description}`);
}
/**
 * track() at most 5 µs a call (issue 15) where serialising its message takes
 * RATIO_BASIS_US: as a ratio, so that the figure means the same on a busy
 * machine. RATIO_BASIS_US is that serialisation's undisturbed cost in V8 on
 * the 2-CPU development machine: the fastest of 60 rounds of 2,000 (2.1 µs;
 * the median of a busy moment is several times that).
 */
const TRACK_BUDGET_US = 5;
const RATIO_BASIS_US = 2;
const TRACK_BUDGET_RATIO = TRACK_BUDGET_US / RATIO_BASIS_US;

test('/tag.js is at most 4 KB gzip; the lazy chunks are separate files', async ({ baseURL }) => {
  const response = await fetch(`${baseURL}/tag.js`);
  expect(response.headers.get('cache-control')).toContain('max-age=300');
  const tag = Buffer.from(await response.arrayBuffer());
  const gzip = gzipSync(tag, { level: 9 }).length;
  note('size', `tag.js ${tag.length} B min, ${gzip} B gzip, ${brotliCompressSync(tag).length} B brotli (budget ${GZIP_BUDGET} B gzip)`);
  expect(gzip).toBeLessThanOrEqual(GZIP_BUDGET);
  const version = chunkVersionIn(tag.toString());
  expect(version, 'the tag names its chunks tag-NAME-VERSION.js').toBeTruthy();
  for (const name of Object.keys(LAZY_CHUNKS)) {
    const chunk = `tag-${name}-${version}.js`;
    const res = await fetch(`${baseURL}/${chunk}`);
    expect(res.status, chunk).toBe(200);
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const code = Buffer.from(await res.arrayBuffer());
    note(`chunk ${name}`, `${code.length} B min, ${gzipSync(code, { level: 9 }).length} B gzip`);
  }
});

/**
 * What one track() call costs next to serialising the message it stands for
 * (`JSON.stringify` of the complete Segment message, context and all: work
 * every tracker does per event, which the tag defers until the batch
 * leaves), measured in the same page, in alternating rounds, so that a busy
 * machine slows both alike. Per round, the ratio; over the rounds, the
 * median. The absolute figures are reported too.
 */
async function trackCost(page: Page, calls: number, rounds: number): Promise<{ ratio: number; trackUs: number; serializeUs: number }> {
  return page.evaluate(
    ({ calls, rounds }) => {
      const t = (window as any).trailmark;
      const product = { product_id: 'SKU-1', name: 'Tent', price: 129, currency: 'EUR', category: 'Camping' };
      const context = {
        library: { name: 'trailmark', version: '0.0.0' },
        sessionId: crypto.randomUUID(),
        page: { path: location.pathname, referrer: '', search: '', title: document.title, url: location.href },
      };
      const id = crypto.randomUUID();
      let sink = 0;
      const serialize = (i: number) =>
        (sink += JSON.stringify({
          type: 'track',
          messageId: id,
          anonymousId: id,
          timestamp: new Date().toISOString(),
          context,
          event: 'Product Viewed',
          properties: { i, ...product },
        }).length);
      const timed = (run: (i: number) => unknown) => {
        const start = performance.now();
        for (let i = 0; i < calls; i++) run(i);
        return ((performance.now() - start) * 1000) / calls;
      };
      for (let i = 0; i < 200; i++) (t.track('Warm Up', { i, ...product }), serialize(i));
      const perRound: { ratio: number; trackUs: number; serializeUs: number }[] = [];
      for (let r = 0; r < rounds; r++) {
        const serializeUs = timed(serialize);
        const trackUs = timed((i) => t.track('Product Viewed', { i, ...product }));
        perRound.push({ ratio: trackUs / serializeUs, trackUs, serializeUs });
      }
      perRound.sort((a, b) => a.ratio - b.ratio);
      return { ...perRound[Math.floor(rounds / 2)]!, sink } as any;
    },
    { calls, rounds },
  );
}

test(`track() costs at most ${TRACK_BUDGET_RATIO}× serialising its message on the main thread`, async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  // Delivery is not what is measured here: the collector's answer is played by the browser.
  await page.route(`${baseURL}/v1/batch`, (route) =>
    route.fulfill({ headers: { 'access-control-allow-origin': fixtures.origin }, contentType: 'application/json', body: '{"ok":true}' }),
  );
  await page.goto(fixtures.serve('/perf', tagPage({ collector: baseURL!, writeKey })));
  await tagReady(page);
  // Measured twice: as the initial tag runs it, and once the API's chunk is there (every call then goes through it).
  for (const stage of ['initial tag', 'with the API chunk']) {
    if (stage === 'with the API chunk') await page.evaluate(() => new Promise((resolve) => (window as any).trailmark.ready(resolve)));
    const measured: Awaited<ReturnType<typeof trackCost>>[] = [];
    do measured.push(await trackCost(page, 2000, 7));
    while (measured.at(-1)!.ratio > TRACK_BUDGET_RATIO && measured.length < 3);
    const said = measured.map((m) => `${m.ratio.toFixed(2)}× (track ${m.trackUs.toFixed(2)} µs, serialise ${m.serializeUs.toFixed(2)} µs)`);
    note(`track(), ${stage}`, `${said.join(', then ')} per call (median of 7 alternating rounds of 2000 calls; budget ${TRACK_BUDGET_RATIO}×)`);
    expect(measured.at(-1)!.ratio).toBeLessThanOrEqual(TRACK_BUDGET_RATIO);
  }
});

interface LoadObservation {
  /** Durations of all long tasks (over 50 ms) in the page, whoever caused them. */
  longTasks: number[];
  /** The tag's own script time in each long animation frame (LoAF), attributed by script URL. */
  tagScriptsInLongFrames: number[];
  /** Which of the tag's scripts those were: invoker and duration. */
  tagScripts: string[];
}

/**
 * What the main thread did from navigation start until the page loaded and settled (lazy chunks
 * included). Long tasks say that something blocked; Long Animation Frames
 * (https://w3c.github.io/long-animation-frames/) say which script it was.
 */
async function observeLoad(page: Page, url: string, ready: (page: Page) => Promise<unknown>): Promise<LoadObservation> {
  await page.addInitScript(() => {
    const seen = ((window as any).observed = { longTasks: [] as number[], tagScriptsInLongFrames: [] as number[], tagScripts: [] as string[] });
    new PerformanceObserver((list) => list.getEntries().forEach((e) => seen.longTasks.push(Math.round(e.duration)))).observe({
      type: 'longtask',
      buffered: true,
    });
    new PerformanceObserver((list) =>
      list.getEntries().forEach((frame: any) => {
        const ours = frame.scripts.filter((s: any) => /\/tag(-[\w-]+)?\.js/.test(s.sourceURL));
        if (ours.length) seen.tagScriptsInLongFrames.push(Math.round(ours.reduce((sum: number, s: any) => sum + s.duration, 0)));
        ours.forEach((s: any) => seen.tagScripts.push(`${s.invokerType} ${s.invoker} ${s.sourceURL.split('/').pop()} ${Math.round(s.duration)} ms`));
      }),
    ).observe({ type: 'long-animation-frame', buffered: true });
  });
  await page.goto(url);
  await ready(page);
  await page.waitForLoadState('load');
  await page.waitForTimeout(1500);
  return page.evaluate(() => (window as any).observed);
}

test('the tag causes no long task at load', async ({ browser, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  // A page like a shop's: some content, a data layer, product attributes, web vitals: every chunk but slots loads.
  const body = `<h1>Tent</h1><main data-trailmark-product="SKU-1" data-trailmark-view data-trailmark-name="Tent"><p>${'Lorem ipsum '.repeat(200)}</p></main>`;
  const head = `<script>window.dataLayer=[{event:'view_item',ecommerce:{items:[{item_id:'SKU-1',price:1}]}}];</script>`;
  const withTag = fixtures.serve('/lt-tag', tagPage({ collector: baseURL!, writeKey, head, body, attributes: { 'data-web-vitals': 'true' } }));
  const without = fixtures.serve('/lt-none', tagPage({ collector: baseURL!, writeKey, head, body, noTag: true }));
  const rounds: { baseline: LoadObservation; tagged: LoadObservation }[] = [];
  const clean = () => rounds.some((r) => r.tagged.longTasks.length === 0);
  while (rounds.length < 6 && !(rounds.length >= 2 && clean())) {
    const context = await browser.newContext();
    const baseline = await observeLoad(await context.newPage(), without, async () => {});
    const tagged = await observeLoad(await context.newPage(), withTag, tagReady);
    await context.close();
    rounds.push({ baseline, tagged });
    note(
      `load, round ${rounds.length}`,
      `long tasks without the tag [${baseline.longTasks}], with it [${tagged.longTasks}]; tag script time in long frames [${tagged.tagScriptsInLongFrames}] ms${tagged.tagScripts.length ? ` (${tagged.tagScripts.join('; ')})` : ''}`,
    );
  }
  expect(clean(), 'at least one load of the page with the tag had no long task').toBe(true);
});
