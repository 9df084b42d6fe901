/** Web vitals: a lazy chunk that reports LCP, INP, CLS, FCP and TTFB tied to the page view. */
import { expect, test } from '@playwright/test';
import { createSite, duplicates, eventually, FixtureServer, flush, tagPage, tagReady } from './support';

let fixtures: FixtureServer;
test.beforeAll(async () => {
  fixtures = await new FixtureServer().start();
});
test.afterAll(() => fixtures.stop());

test('LCP, INP, CLS, FCP and TTFB arrive as Web Vitals events tied to the page view', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  // The click handler works for 120 ms: long enough to be an INP candidate (web-vitals counts
  // interactions of 40 ms and more), and for the browser to buffer its Event Timing entry (104 ms and
  // more), so that the vitals chunk sees it even when a loaded machine runs its observer after the click.
  const body = `<h1>A large heading to be the largest contentful paint</h1><button onclick="const t = performance.now(); while (performance.now() - t < 120); this.textContent = 'clicked'">Click</button>`;
  await page.goto(fixtures.serve('/vitals', tagPage({ collector: baseURL!, writeKey, body, attributes: { 'data-web-vitals': 'true' } })));
  await tagReady(page);
  await page.waitForFunction(() => performance.getEntriesByType('resource').some((r) => r.name.includes('tag-vitals-')));
  await page.click('button'); // an interaction, for INP
  await page.waitForTimeout(300);
  // Leaving the page hides it: LCP, CLS and INP are final then, and sent as the page goes.
  await page.goto(`${baseURL}/healthz`);
  const events = await eventually(baseURL!, writeKey, (e) => e.filter((x) => x.event === 'Web Vitals').length >= 5);
  const view = events.find((e) => e.type === 'page')!;
  const vitals = events.filter((e) => e.event === 'Web Vitals');
  expect(vitals.map((e) => e.properties.metric).sort()).toEqual(['CLS', 'FCP', 'INP', 'LCP', 'TTFB']);
  for (const v of vitals) {
    expect(v.properties).toMatchObject({
      page_view_id: view.messageId,
      value: expect.any(Number),
      delta: expect.any(Number),
      rating: expect.stringMatching(/^(good|needs-improvement|poor)$/),
      id: expect.any(String),
      navigation_type: 'navigate',
    });
  }
  expect(duplicates(events)).toEqual([]);
});

test('the web vitals code is not part of the initial tag', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  const loaded: string[] = [];
  page.on('request', (r) => loaded.push(new URL(r.url()).pathname));
  await page.goto(fixtures.serve('/no-vitals', tagPage({ collector: baseURL!, writeKey })));
  await tagReady(page);
  await page.waitForLoadState('load');
  await page.waitForTimeout(500);
  await flush(page);
  // Every page loads the page chunk and the delivery queue's code (flush() is the API chunk's); web vitals off, never their chunk.
  const chunks = () => [...new Set(loaded.filter((p) => p.startsWith('/tag')).map((p) => p.replace(/^(\/tag-[a-z]+)-.*$/, '$1')))];
  await expect.poll(() => chunks().slice(1).sort()).toEqual(['/tag-api', '/tag-page', '/tag-queue']);
  expect(chunks()[0]).toBe('/tag.js');
  const tag = await (await fetch(`${baseURL}/tag.js`)).text();
  expect(tag).not.toContain('largest-contentful-paint');
  expect(tag).not.toContain('layout-shift');
});
