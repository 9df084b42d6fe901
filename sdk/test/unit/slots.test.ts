import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatPrice, readRecommendations, recommend, START_WAIT_MS } from '../../src/slots';
import type { Host } from '../../src/tracker';

describe('readRecommendations', () => {
  it('keeps a well-formed response as it is', () => {
    const response = {
      recId: 'r1',
      slot: 'home',
      variant: 'control',
      strategy: 'global-popular',
      items: [
        {
          productId: 'p1',
          name: 'Tent',
          price: 12.5,
          currency: 'USD',
          imageUrl: 'https://i/1.jpg',
          url: 'https://s/p1',
          category: 'c',
          score: 0.8,
          reason: 'popular',
        },
      ],
    };
    expect(readRecommendations(response, 'home')).toEqual(response);
  });

  it('coerces hostile or broken data to the expected types', () => {
    const read = readRecommendations(
      {
        recId: { toString: 'x' },
        variant: '<b>',
        items: [
          { productId: 'p1', name: { html: '<img onerror=alert(1)>' }, price: 'free', score: Infinity, url: ['javascript:alert(1)'] },
          { name: 'no id' },
          null,
          'junk',
          { productId: 7, name: '<script>alert(1)</script>' },
        ],
      },
      'product',
    );
    expect(read).toEqual({
      recId: '',
      slot: 'product',
      variant: 'treatment',
      strategy: '',
      items: [
        { productId: 'p1', name: '', price: undefined, currency: undefined, imageUrl: undefined, url: undefined, category: undefined, score: 0, reason: '' },
        // Text stays text: the renderer only ever sets it as textContent.
        expect.objectContaining({ productId: '7', name: '<script>alert(1)</script>' }),
      ],
    });
    expect(readRecommendations(null, 'home').items).toEqual([]);
    expect(readRecommendations({ items: 'x' }, 'home').items).toEqual([]);
  });
});

describe("readRecommendations with the shop's origin", () => {
  it('resolves root-relative links and images against the shop, not the page; absolute ones stay', () => {
    const items = [
      { productId: 'p1', url: '/products/p1', imageUrl: '/images/p1.jpg' },
      { productId: 'p2', url: 'https://cdn.example/p2', imageUrl: 'https://cdn.example/p2.jpg' },
    ];
    const read = readRecommendations({ items }, 'home', 'http://localhost:8787');
    expect(read.items.map((i) => [i.url, i.imageUrl])).toEqual([
      ['http://localhost:8787/products/p1', 'http://localhost:8787/images/p1.jpg'],
      ['https://cdn.example/p2', 'https://cdn.example/p2.jpg'],
    ]);
    // Without it (a site that names none, served by another collector), the page resolves them as before.
    expect(readRecommendations({ items }, 'home').items[0]).toMatchObject({ url: '/products/p1', imageUrl: '/images/p1.jpg' });
  });
});

describe('readRecommendations of the offer slot', () => {
  it('keeps an offer with its text and links, null without one, and none for other slots', () => {
    const offer = { campaignId: 'c1', title: 'Sale', body: 'Now', url: '/sale', imageUrl: 'https://cdn.example/s.jpg', coupon: 'X1', extra: '<b>' };
    expect(readRecommendations({ slot: 'offer', items: [], offer }, 'offer', 'https://shop.example').offer).toEqual({
      campaignId: 'c1',
      title: 'Sale',
      body: 'Now',
      url: 'https://shop.example/sale',
      imageUrl: 'https://cdn.example/s.jpg',
      coupon: 'X1',
    });
    expect(readRecommendations({ slot: 'offer', items: [], offer: null }, 'offer').offer).toBeNull();
    expect(readRecommendations({ slot: 'offer', offer: { title: 'no campaign' } }, 'offer').offer).toBeNull();
    expect(readRecommendations({ slot: 'home', items: [] }, 'home')).not.toHaveProperty('offer');
  });
});

describe('formatPrice', () => {
  it('formats in the page language, and survives unknown currency codes', () => {
    expect(formatPrice(12.5, 'USD', 'en-US')).toBe('$12.50');
    expect(formatPrice(12.5, 'EUR', 'de-DE')).toMatch(/12,50\s€/);
    expect(formatPrice(12.5, 'NOT A CODE', 'en-US')).toBe('12.5 NOT A CODE');
    expect(formatPrice(12.5, undefined, 'en-US')).toBe('12.5');
    expect(formatPrice(undefined, 'USD', 'en-US')).toBe('');
  });
});

describe('recommend() while the tag starts', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  /** A host whose start settles when `started` does; `asked` gets each slot request's URL. */
  function setUp(started: Promise<unknown>, mayStore: () => boolean) {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const asked: string[] = [];
    vi.stubGlobal('localStorage', { getItem: () => null });
    vi.stubGlobal('fetch', async (url: string) => {
      asked.push(url);
      return new Response('{"recId":"r1","items":[{"productId":"p1"}]}');
    });
    const host = {
      options: { apiHost: 'https://c.example', writeKey: 'key' },
      started,
      mayStore,
      tracker: { anonymousId: () => 'anon-1', user: () => ({ id: () => null }) },
    } as unknown as Host;
    return { host, asked };
  }

  it('waits for the start, then asks with the visitor’s ids', async () => {
    let granted = false;
    let start = () => {};
    const { host, asked } = setUp(new Promise<void>((resolve) => (start = resolve)), () => granted);
    const answer = recommend(host, 'home');
    await vi.advanceTimersByTimeAsync(START_WAIT_MS - 1000);
    expect(asked).toEqual([]);
    granted = true;
    start();
    expect((await answer).recId).toBe('r1');
    expect(new URL(asked[0]!).searchParams.get('anonymousId')).toBe('anon-1');
  });

  it('answers anyway when the start never ends (settings request stalled, chunk never loaded)', async () => {
    const { host, asked } = setUp(new Promise(() => {}), () => false);
    let settled = false;
    const answer = recommend(host, 'home').finally(() => (settled = true));
    await vi.advanceTimersByTimeAsync(START_WAIT_MS);
    expect(settled).toBe(true);
    expect((await answer).items.map((i) => i.productId)).toEqual(['p1']);
    // Without consent known, as a page without it: no ids.
    expect(new URL(asked[0]!).searchParams.has('anonymousId')).toBe(false);
  });
});
