/**
 * Recommendation serving at the edge: after loading a 5,000-product catalog
 * and ~100k simulated events, latency (one client: the time a page waits)
 * and throughput (16 concurrent clients) of GET /v1/recommendations next to
 * GET /healthz on the same server, over a realistic mix of slots and
 * shoppers; and freshness: how long until a shopper's own view shows in
 * their recommendations.
 *
 * The shoppers are browsers, as the tag is: each request passes the ack
 * token of the browser's last batch (`ack=`, from the seed's answers), so a
 * shopper whose events are stored is answered by ShopState alone, and the
 * freshness shopper passes the token of its view, not yet applied when it
 * first asks.
 */
import { DEMO_CATALOG_SEED, generateCatalog } from '../demo-site/simulate/catalog';
import { regionByKey } from '../demo-site/simulate/regions';
import { headerSafe } from '../demo-site/simulate/send';
import { seedDemoData } from '../demo-site/simulate/seed';
import type { ShopperTruth } from '../demo-site/simulate/shoppers';
import { runLoad, type LoadRequest } from './lib/load';

export interface RecommendationBench {
  catalogSize: number;
  eventsLoaded: number;
  loadSeconds: number;
  unloaded: { requests: number; p50: number; p99: number; healthzP50: number; healthzP99: number };
  loaded: { concurrency: number; rps: number; p50: number; p99: number; errors: number; healthzRps: number; ratio: number };
  freshnessMs: { median: number; max: number; samples: number };
}

const SHOPPER_USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/147.0.0.0 Safari/537.36';
export const SLOT_MIX = ['home', 'home', 'home', 'home', 'product', 'product', 'product', 'cart', 'trending', 'reorder'] as const;

export async function benchRecommendations(
  server: { url: string },
  {
    adminToken,
    catalogSize = 5000,
    events = 100_000,
    concurrency = 16,
    durationMs = 8000,
    log = (_: string) => {},
  }: {
    adminToken: string;
    catalogSize?: number;
    events?: number;
    concurrency?: number;
    durationMs?: number;
    log?: (line: string) => void;
  },
): Promise<RecommendationBench> {
  const origin = server.url.replace('localhost', '127.0.0.1');
  const loadStarted = Date.now();
  let lastPercent = -10;
  const seeded = await seedDemoData({
    url: origin,
    adminToken,
    catalogSize,
    maxEvents: events,
    concurrency: 8,
    onProgress: (p) => {
      const percent = Math.floor((100 * p.events) / events);
      if (percent >= lastPercent + 10) {
        lastPercent = percent;
        log(`  loading: ${p.events.toLocaleString('en-US')} events sent`);
      }
    },
  });
  const loadSeconds = (Date.now() - loadStarted) / 1000;
  const catalog = generateCatalog({ size: catalogSize, seed: DEMO_CATALOG_SEED });
  const products = catalog.map((p) => p.product_id);
  // An out-of-stock product is never recommended, so freshness is measured with products in stock.
  const inStock = catalog.filter((p) => p.in_stock).map((p) => p.product_id);

  const shoppers = withAcks(seeded.truth.shoppers, seeded.send.acks);
  const { unloaded, loaded } = await measureServing(origin, recommendationRequests(shoppers, products), { concurrency, durationMs });
  const freshness = await measureFreshness(origin, inStock, 10);
  return {
    catalogSize,
    eventsLoaded: seeded.send.events,
    loadSeconds,
    unloaded,
    loaded,
    freshnessMs: freshness,
  };
}

/**
 * Latency (one client: the time a page waits) and throughput (`concurrency`
 * clients) of the requests, next to GET /healthz on the same server, after
 * warming both paths up.
 */
export async function measureServing(
  origin: string,
  request: () => LoadRequest,
  { concurrency = 16, durationMs = 8000 }: { concurrency?: number; durationMs?: number } = {},
): Promise<Pick<RecommendationBench, 'unloaded' | 'loaded'>> {
  const healthz = () => ({ path: '/healthz' });
  await runLoad({ origin, concurrency: 4, durationMs: 1500, request });
  await runLoad({ origin, concurrency: 4, durationMs: 1000, request: healthz });
  const single = await runLoad({ origin, concurrency: 1, durationMs: durationMs / 2, request });
  const singleHealth = await runLoad({ origin, concurrency: 1, durationMs: durationMs / 4, request: healthz });
  const loadedHealth = await runLoad({ origin, concurrency, durationMs, request: healthz });
  const loaded = await runLoad({ origin, concurrency, durationMs, request });
  return {
    unloaded: { requests: single.requests, p50: single.p50, p99: single.p99, healthzP50: singleHealth.p50, healthzP99: singleHealth.p99 },
    loaded: {
      concurrency,
      rps: loaded.rps,
      p50: loaded.p50,
      p99: loaded.p99,
      errors: loaded.errors,
      healthzRps: loadedHealth.rps,
      ratio: loaded.rps / loadedHealth.rps,
    },
  };
}

/** A shopper as the requests need them: the browser asking (its first anonymousId) and its newest ack token. */
export type BenchShopper = Pick<ShopperTruth, 'anonymousIds' | 'userId' | 'region'> & { ack?: string };

/** The shoppers with the ack token of the browser that asks (the seed's answers: `SendSummary.acks`). */
export function withAcks(shoppers: readonly Pick<ShopperTruth, 'anonymousIds' | 'userId' | 'region'>[], acks: ReadonlyMap<string, string>): BenchShopper[] {
  return shoppers.map(({ anonymousIds, userId, region }) => {
    const ack = acks.get(anonymousIds[0]!);
    return { anonymousIds, ...(userId ? { userId } : {}), region, ...(ack ? { ack } : {}) };
  });
}

/**
 * The bench's requests, in turn: a realistic mix of slots (home most often)
 * over the simulated shoppers, each from the shopper's region, with the
 * browser's ack token when it has one, as the tag sends it.
 */
export function recommendationRequests(shoppers: readonly BenchShopper[], products: readonly string[]) {
  let n = 0;
  return () => {
    const i = n++;
    const shopper = shoppers[(i * 7919) % shoppers.length]!;
    const slot = SLOT_MIX[i % SLOT_MIX.length]!;
    const params = new URLSearchParams({ writeKey: 'demo-write-key', slot, anonymousId: shopper.anonymousIds[0]!, limit: '8' });
    if (shopper.userId) params.set('userId', shopper.userId);
    if (shopper.ack) params.set('ack', shopper.ack);
    if (slot === 'product') params.set('productId', products[(i * 104729) % products.length]!);
    const geo = regionByKey(shopper.region);
    return {
      path: `/v1/recommendations?${params}`,
      headers: { 'x-geo-country': headerSafe(geo.country), 'x-geo-region': headerSafe(geo.region), 'x-geo-city': headerSafe(geo.city) },
    };
  };
}

/**
 * A new shopper views a product; the time until their home slot shows it
 * (as recently viewed), polling every 25 ms. Covers the whole path: ingest,
 * the shard's drain delay, ShopState, the next recommendation request.
 */
async function measureFreshness(origin: string, products: string[], samples: number) {
  const times: number[] = [];
  const home = async (anonymousId: string, ack = '') =>
    (await (await fetch(`${origin}/v1/recommendations?writeKey=demo-write-key&slot=home&anonymousId=${anonymousId}${ack && `&ack=${ack}`}`)).json()) as {
      variant: string;
      items: { productId: string }[];
    };
  for (let i = 0; i < samples; i++) {
    // The holdout group sees best sellers whatever it views, by design: measure with shoppers of the treatment group.
    let anonymousId = '';
    for (let attempt = 0; !anonymousId || (await home(anonymousId)).variant === 'control'; attempt++) anonymousId = `freshness-${Date.now()}-${i}-${attempt}`;
    const productId = products[(i * 31) % products.length]!;
    const started = performance.now();
    const res = await fetch(`${origin}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({
        writeKey: 'demo-write-key',
        // A shopper's browser, as the tag reports it: Node's fetch looks like a script, which the collector files as a bot.
        context: { userAgent: SHOPPER_USER_AGENT },
        batch: [{ type: 'track', event: 'Product Viewed', anonymousId, messageId: `${anonymousId}-view`, properties: { product_id: productId } }],
      }),
    });
    if (!res.ok) throw new Error(`freshness: ingest answered ${res.status}`);
    // The view's token, as the tag would pass it: not applied yet, so ShopState reads the shard.
    const { ack } = (await res.json()) as { ack?: string };
    for (;;) {
      const recs = await home(anonymousId, ack);
      if (recs.items.some((item) => item.productId === productId)) break;
      if (performance.now() - started > 10_000) throw new Error('freshness: the view never showed up in 10 s');
      await new Promise((r) => setTimeout(r, 25));
    }
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, max: times[times.length - 1]!, samples: times.length };
}
