/** Realistic tag-shaped batches for the benchmarks. */
const UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const EVENTS = ['Product Viewed', 'Product List Viewed', 'Products Searched', 'Product Added'];

export function benchBatch(writeKey: string, sender: number, n: number, size = 20): string {
  const now = new Date().toISOString();
  const anonymousId = `bench-${sender}-${Math.floor(n / 10)}`;
  const batch = Array.from({ length: size }, (_, i) => ({
    type: i === 0 ? 'page' : 'track',
    ...(i === 0 ? { name: 'Product' } : { event: EVENTS[i % EVENTS.length] }),
    messageId: `bench-${process.pid}-${sender}-${n}-${i}`,
    anonymousId,
    timestamp: now,
    properties: { product_id: `p${(sender * 31 + n * 7 + i) % 500}`, category: `c${i % 12}`, price: 19.99, currency: 'USD' },
    context: {
      page: { url: 'https://shop.example/p/1', path: '/p/1', title: 'Product', referrer: '' },
      userAgent: UA,
      locale: 'en-US',
      library: { name: 'trailmark', version: '0.1.0' },
    },
  }));
  return JSON.stringify({ writeKey, sentAt: now, batch });
}
