/**
 * The existing Segment and RudderStack clients deliver to the collector
 * unchanged, configured only with its URL and a write key: the Node clients
 * from this process, the browser clients in Chromium on a page of another origin.
 */
import { expect, test } from '@playwright/test';
import { Analytics as SegmentNode } from '@segment/analytics-node';
import RudderNode from '@rudderstack/rudder-sdk-node';
import { build } from 'esbuild';
import { createSite, eventually, exportEvents, serveStatic } from './support';

test.describe('Node clients', () => {
  test('@segment/analytics-node delivers every call type', async ({ baseURL }) => {
    const writeKey = await createSite(baseURL!);
    const analytics = new SegmentNode({ writeKey, host: baseURL!, flushAt: 3, maxRetries: 3 });
    analytics.track({ anonymousId: 'seg-anon', event: 'Product Viewed', properties: { product_id: 'p1', price: 9.5 } });
    analytics.page({ anonymousId: 'seg-anon', name: 'Home', properties: { path: '/' } });
    analytics.screen({ anonymousId: 'seg-anon', name: 'Cart' });
    analytics.identify({ anonymousId: 'seg-anon', userId: 'seg-user', traits: { email: 'a@example.com' } });
    analytics.group({ userId: 'seg-user', groupId: 'acme' });
    analytics.alias({ userId: 'seg-user-2', previousId: 'seg-user' });
    await analytics.closeAndFlush();

    const events = await eventually(
      () => exportEvents(baseURL!, writeKey),
      (e) => e.length >= 6,
    );
    expect(events.map((e) => e.type).sort()).toEqual(['alias', 'group', 'identify', 'page', 'screen', 'track']);
    const viewed = events.find((e) => e.type === 'track')!;
    expect(viewed).toMatchObject({ event: 'Product Viewed', anonymousId: 'seg-anon', properties: { product_id: 'p1', price: 9.5 } });
    expect(viewed.messageId).toMatch(/^node-next-/);
    expect(viewed.context.library.name).toBe('@segment/analytics-node');
    // The customer and their anonymous history are one profile.
    expect(new Set(events.filter((e) => e.anonymousId === 'seg-anon').map((e) => e.profileId)).size).toBe(1);
  });

  test('@rudderstack/rudder-sdk-node delivers gzip batches', async ({ baseURL }) => {
    const writeKey = await createSite(baseURL!);
    const errors: unknown[] = [];
    const client = new RudderNode(writeKey, { dataPlaneUrl: baseURL!, flushAt: 5, errorHandler: (err: unknown) => errors.push(err) });
    client.track({ anonymousId: 'rs-anon', event: 'Product Added', properties: { product_id: 'p2' }, context: { ip: '198.51.100.7' } });
    client.page({ anonymousId: 'rs-anon', name: 'Product' });
    client.identify({ anonymousId: 'rs-anon', userId: 'rs-user', traits: { plan: 'gold' } });
    client.group({ userId: 'rs-user', groupId: 'g1' });
    client.alias({ userId: 'rs-user-2', previousId: 'rs-user' });
    client.screen({ userId: 'rs-user', name: 'Checkout' });
    await client.flush();

    const events = await eventually(
      () => exportEvents(baseURL!, writeKey),
      (e) => e.length >= 6,
    );
    expect(errors).toEqual([]);
    expect(events.map((e) => e.type).sort()).toEqual(['alias', 'group', 'identify', 'page', 'screen', 'track']);
    const added = events.find((e) => e.type === 'track')!;
    expect(added).toMatchObject({ event: 'Product Added', anonymousId: 'rs-anon', channel: 'server' });
    // Rudder sends originalTimestamp + sentAt: the collector corrects the clock and keeps the original.
    expect(added.originalTimestamp).toBeTruthy();
    expect(JSON.stringify(added)).not.toContain('198.51.100.7');
  });
});

test.describe('browser clients on another origin', () => {
  async function bundle(entry: string): Promise<string> {
    const result = await build({ stdin: { contents: entry, resolveDir: process.cwd() }, bundle: true, format: 'iife', write: false, logLevel: 'silent' });
    return result.outputFiles[0]!.text;
  }

  test('@segment/analytics-next loads its settings here and delivers', async ({ page, baseURL }) => {
    const js = await bundle(`import { AnalyticsBrowser } from '@segment/analytics-next'; window.AnalyticsBrowser = AnalyticsBrowser;`);
    const site = await serveStatic({
      '/segment.js': js,
      '/': '<!doctype html><title>shop</title><script src="/segment.js"></script>',
    });
    try {
      const writeKey = await createSite(baseURL!, [site.origin]);
      const requests: string[] = [];
      page.on('request', (r) => requests.push(new URL(r.url()).host));
      await page.goto(site.origin);
      await page.evaluate(
        async ({ writeKey, cdnURL }) => {
          const [analytics] = await (window as any).AnalyticsBrowser.load({ writeKey, cdnURL });
          await analytics.page('Home');
          await analytics.track('Product Viewed', { product_id: 'p9' });
          await analytics.identify('seg-browser-user', { email: 'b@example.com' });
          await analytics.track('Product Added', { product_id: 'p9' });
        },
        { writeKey, cdnURL: baseURL! },
      );
      const events = await eventually(
        () => exportEvents(baseURL!, writeKey),
        (e) => e.length >= 4,
      );
      expect(events.map((e) => e.type).sort()).toEqual(['identify', 'page', 'track', 'track']);
      const anonymousIds = new Set(events.map((e) => e.anonymousId));
      expect(anonymousIds.size).toBe(1);
      expect(events.find((e) => e.event === 'Product Added')!.userId).toBe('seg-browser-user');
      expect(new Set(events.map((e) => e.profileId)).size).toBe(1);
      // Nothing went anywhere but the page's origin and the collector.
      expect(new Set(requests)).toEqual(new Set([new URL(site.origin).host, new URL(baseURL!).host]));
    } finally {
      await site.close();
    }
  });

  for (const mode of ['xhr', 'beacon'] as const) {
    test(`@rudderstack/analytics-js (${mode}) loads its source config here and delivers`, async ({ page, baseURL }) => {
      const js = await bundle(`import { RudderAnalytics } from '@rudderstack/analytics-js/bundled'; window.RudderAnalytics = RudderAnalytics;`);
      const site = await serveStatic({
        '/rudder.js': js,
        '/': '<!doctype html><title>shop</title><script src="/rudder.js"></script>',
        '/next': '<!doctype html><title>next</title>',
      });
      try {
        const writeKey = await createSite(baseURL!, [site.origin]);
        await page.goto(site.origin);
        await page.evaluate(
          ({ writeKey, url, beacon }) =>
            new Promise<void>((resolve) => {
              const analytics = new (window as any).RudderAnalytics();
              analytics.load(writeKey, url, { configUrl: url, useBeacon: beacon, beaconQueueOptions: { flushQueueInterval: 500 } });
              analytics.ready(() => {
                analytics.page('Home');
                analytics.track('Products Searched', { query: 'boots' });
                analytics.identify('rs-browser-user', { plan: 'gold' });
                analytics.track('Product Viewed', { product_id: 'p3' });
                resolve();
              });
            }),
          { writeKey, url: baseURL!, beacon: mode === 'beacon' },
        );
        // The beacon queue flushes when the page is left; the XHR queue sends right away.
        if (mode === 'beacon') await page.goto(`${site.origin}/next`);
        const events = await eventually(
          () => exportEvents(baseURL!, writeKey),
          (e) => e.length >= 4,
        );
        expect(events.map((e) => e.type).sort()).toEqual(['identify', 'page', 'track', 'track']);
        expect(events.find((e) => e.event === 'Product Viewed')!.userId).toBe('rs-browser-user');
        expect(events.find((e) => e.event === 'Products Searched')!.userId).toBeUndefined();
        expect(new Set(events.map((e) => e.profileId)).size).toBe(1);
      } finally {
        await site.close();
      }
    });
  }
});
