/**
 * The tag as a drop-in for analytics.js (issue 15): a page written for
 * analytics.js, its calls taken from Segment's public documentation
 * (https://segment.com/docs/connections/sources/catalog/libraries/website/javascript/),
 * runs unchanged when Segment's snippet is swapped for the one in
 * sdk/README.md ("From analytics.js"), read from there so that the two
 * never drift apart.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { createSite, duplicates, eventually, FixtureServer, type Stored } from './support';

let fixtures: FixtureServer;
test.beforeAll(async () => {
  fixtures = await new FixtureServer().start();
});
test.afterAll(() => fixtures.stop());

/** The drop-in snippet of sdk/README.md, for this collector and write key. */
function snippet(collector: string, writeKey: string): string {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const block = [...readme.matchAll(/```html\n([\s\S]*?)```/g)].map((m) => m[1]!).find((html) => html.includes('w.analytics'));
  expect(block, 'sdk/README.md shows the analytics.js drop-in snippet').toBeTruthy();
  return block!.replace('https://COLLECTOR', collector).replace('"KEY"', JSON.stringify(writeKey));
}

/** A page as a shop using analytics.js writes it; only the snippet in its head is Trailmark's. */
function analyticsPage(head: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Docs</title>${head}</head><body>${body}</body></html>`;
}

test('a page written for analytics.js runs unchanged with the Trailmark snippet', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  const body = `<h1>Getting started</h1>
<script>
  window.heard = [];
  analytics.on('track', function (event, properties, options) { if (event !== 'Web Vitals') heard.push(event); });
  analytics.identify('97980cfea0067', { name: 'Peter Gibbons', email: 'peter@example.com', plan: 'premium', logins: 5 });
  analytics.track('Article Completed', { title: 'How to Create a Tracking Plan', course: 'Intro to Analytics' });
  analytics.track('Signed Up', { plan: 'Startup', source: 'Analytics Academy' }, { integrations: { All: false, Intercom: true } });
  analytics.page('Docs', 'Getting Started', { title: 'Getting Started' });
  analytics.group('UNIVAC Working Group', { principles: ['Eckert', 'Mauchly'], industry: 'Technology' });
  analytics.identify({ logins: 6 });
  analytics.track('Course Rated', { stars: 5 }, { timestamp: '2026-01-01T00:00:00.000Z', context: { campaign: { name: 'spring' } } }, function () { window.trackCallback = true; });
  analytics.ready(function () {
    window.seen = { user: analytics.user().id(), traits: analytics.user().traits(), anonymousId: analytics.user().anonymousId(), group: analytics.group().id() };
  });
</script>`;
  await page.goto(fixtures.serve('/aj', analyticsPage(snippet(baseURL!, writeKey), body)));
  await page.waitForFunction(() => (window as any).seen && (window as any).trackCallback);
  const seen = await page.evaluate(() => (window as any).seen);
  expect(seen).toMatchObject({ user: '97980cfea0067', traits: { name: 'Peter Gibbons', plan: 'premium', logins: 6 }, group: 'UNIVAC Working Group' });
  expect(await page.evaluate(() => (window as any).heard)).toEqual(['Article Completed', 'Signed Up', 'Course Rated']);
  await page.evaluate(() => (window as any).analytics.flush());

  const events = await eventually(baseURL!, writeKey, (e) => e.filter((x) => x.event !== 'Web Vitals').length >= 8);
  const of = (name: string) => events.filter((e) => (e.event ?? e.type) === name);
  // One page view from the snippet (no automatic one besides it), one named by the page.
  expect(of('page').map((e) => e.name ?? null)).toEqual(expect.arrayContaining([null, 'Getting Started']));
  expect(of('page')).toHaveLength(2);
  expect(of('page').find((e) => e.name)).toMatchObject({
    category: 'Docs',
    properties: { title: 'Getting Started', category: 'Docs', name: 'Getting Started' },
  });
  expect(of('identify')[0]).toMatchObject({ userId: '97980cfea0067', traits: { email: 'peter@example.com', logins: 5 } });
  expect(of('identify')[1]).toMatchObject({ userId: '97980cfea0067', traits: { email: 'peter@example.com', logins: 6 } });
  expect(of('Article Completed')[0]).toMatchObject({ userId: '97980cfea0067', anonymousId: seen.anonymousId, properties: { course: 'Intro to Analytics' } });
  expect(of('Signed Up')[0]).toMatchObject({ integrations: { All: false, Intercom: true } });
  expect(of('group')[0]).toMatchObject({ groupId: 'UNIVAC Working Group', traits: { industry: 'Technology' }, userId: '97980cfea0067' });
  expect(of('Course Rated')[0]).toMatchObject({ context: { campaign: { name: 'spring' } } });
  expect(of('Course Rated')[0]!.originalTimestamp ?? of('Course Rated')[0]!.timestamp).toMatch(/^2026-01-01T00:00:00/);
  expect(duplicates(events)).toEqual([]);
});

test('trackLink and trackForm record without losing the navigation or the submit; data-trailmark-track needs no code', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  fixtures.serve('/aj-next', analyticsPage('', '<h1>Next page</h1>'));
  const body = `<a id="free-trial-link" href="/aj-next?from=link">Free trial</a>
<form id="signup-form" action="/aj-next" method="get"><input name="email" value="peter@example.com"><button id="signup">Sign up</button></form>
<button id="newsletter" data-trailmark-track="Newsletter Signed Up" data-trailmark-prop-list-name="weekly">Subscribe</button>
<script>
  analytics.trackLink(document.getElementById('free-trial-link'), 'Clicked Free-Trial Link', { plan: 'Enterprise' });
  analytics.trackForm(document.getElementById('signup-form'), 'Signed Up', { plan: 'Premium', revenue: 99.0 });
  analytics.ready(function () { window.apiReady = true; });
</script>`;
  const url = fixtures.serve('/aj-links', analyticsPage(snippet(baseURL!, writeKey), body));

  await page.goto(url);
  await page.waitForFunction(() => (window as any).apiReady);
  // At once: a click is recorded however early it comes (the attributes are read later, at idle).
  await page.click('#newsletter');
  await page.click('#free-trial-link');
  await page.waitForURL(/\/aj-next\?from=link$/);

  await page.goto(url);
  await page.waitForFunction(() => (window as any).apiReady);
  await page.click('#signup');
  await page.waitForURL(/\/aj-next\?email=/);

  const events = await eventually(baseURL!, writeKey, (e) => e.filter((x) => x.type === 'track' && x.event !== 'Web Vitals').length >= 3);
  // (The tag's own Web Vitals events aside: analytics.js has none.)
  const tracked = events.filter((e) => e.type === 'track' && e.event !== 'Web Vitals');
  expect(tracked.map((e) => e.event).sort()).toEqual(['Clicked Free-Trial Link', 'Newsletter Signed Up', 'Signed Up']);
  expect(tracked.find((e) => e.event === 'Clicked Free-Trial Link')).toMatchObject({ properties: { plan: 'Enterprise' } });
  expect(tracked.find((e) => e.event === 'Signed Up')).toMatchObject({ properties: { plan: 'Premium', revenue: 99 } });
  expect(tracked.find((e) => e.event === 'Newsletter Signed Up')).toMatchObject({ properties: { list_name: 'weekly' } });
  expect(duplicates(events as Stored[])).toEqual([]);
});
