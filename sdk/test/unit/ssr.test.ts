/** The npm package on a server: importing it touches no browser global; createTracker() gives an inert tracker. */
import { describe, expect, it } from 'vitest';

describe('server-side rendering', () => {
  it('imports without window or document, and createTracker() records nothing', async () => {
    expect(typeof (globalThis as { window?: unknown }).window).toBe('undefined');
    const { createTracker, EVENTS } = await import('../../src/index');
    expect(EVENTS.productViewed).toBe('Product Viewed');
    const tracker = createTracker({ writeKey: 'k', apiHost: 'https://c.example' });
    expect(() => {
      tracker.page();
      tracker.track('Rendered on the server', { a: 1 });
      tracker.identify('u1');
      tracker.productViewed({ product_id: 'p1' });
      tracker.consent('granted');
      tracker.reset();
    }).not.toThrow();
    expect(tracker.anonymousId()).toBe('');
    await expect(tracker.flush()).resolves.toBeUndefined();
    await expect(tracker.recommend('home')).rejects.toThrow(/browser/);
  });
});
