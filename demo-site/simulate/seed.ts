/**
 * Loads a collector with a catalog and simulated shoppers: the one function
 * behind `npm run simulate`, the demo data of `npm start` and the
 * benchmarks' 100k events.
 *
 *   import { seedDemoData } from './demo-site/simulate/seed';
 *   await seedDemoData({ url: 'http://localhost:8787', adminToken, visitors: 300 });
 *   await seedDemoData({ url, adminToken, catalogSize: 5000, maxEvents: 100_000 });
 */
import { type CatalogUploadResult, checkCollector, pendingMessages, uploadCatalog, waitUntilStored } from './admin-client';
import { DEMO_CATALOG_SEED, DEMO_CATALOG_SIZE, generateCatalog } from './catalog';
import { type SendProgress, type SendSummary, sendVisits } from './send';
import { type PlantedTruth, type RepurchaseCycle, type ShopperKnobs, type ShopperTruth, type Visit, plantedTruth, shopperStream } from './shoppers';
import { plantTastes } from './tastes';

export const DEMO_WRITE_KEY = 'demo-write-key';
/** Shoppers `npm start` seeds an empty state with: enough for every slot and chart to have data. */
export const DEMO_SEED_VISITORS = 300;

export interface SeedOptions {
  /** The collector, e.g. http://localhost:8787. */
  url: string;
  /** Loads the catalog and waits until everything is stored; without it, events are only sent. */
  adminToken?: string;
  writeKey?: string;
  /** Shoppers to simulate (default DEMO_SEED_VISITORS, or unlimited when maxEvents is given). */
  visitors?: number;
  /** Stop once about this many events are generated (whole shoppers, so slightly more). */
  maxEvents?: number;
  /** Seeds the shoppers; the same seed and `now` give the same messages. */
  seed?: number;
  catalogSize?: number;
  catalogSeed?: number;
  /** The end of the simulated history (default: now). */
  now?: number | Date;
  /** Origin used in context.page.url (default: the collector's URL, where the demo storefront lives). */
  siteOrigin?: string;
  knobs?: Partial<ShopperKnobs>;
  concurrency?: number;
  /** Skip the catalog upload (the collector still learns products from product events). */
  skipCatalog?: boolean;
  onProgress?: (progress: SendProgress) => void;
  /** Called once everything is sent, before waiting for storage. */
  onSent?: (summary: SendSummary) => void;
  /** One-line notes (catalog loaded, waiting for storage…). */
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export interface SeedResult {
  catalog: CatalogUploadResult | { status: 'skipped' };
  send: SendSummary;
  /** Milliseconds spent waiting for the collector to store the backlog (when an admin token was given). */
  storedAfterMs?: number;
  truth: PlantedTruth;
}

export async function seedDemoData(options: SeedOptions): Promise<SeedResult> {
  const log = options.log ?? (() => {});
  const writeKey = options.writeKey ?? DEMO_WRITE_KEY;
  await checkCollector(options.url);
  // A wrong admin token should stop us before sending, not after.
  if (options.adminToken) await pendingMessages({ url: options.url, adminToken: options.adminToken });

  const products = generateCatalog({ size: options.catalogSize ?? DEMO_CATALOG_SIZE, seed: options.catalogSeed ?? DEMO_CATALOG_SEED });
  let catalog: SeedResult['catalog'] = { status: 'skipped' };
  if (options.adminToken && !options.skipCatalog) {
    catalog = await uploadCatalog({ url: options.url, adminToken: options.adminToken, writeKey, products });
    if (catalog.status === 'unsupported') {
      log('Note: this collector has no PUT /v1/admin/catalog yet (404); it will learn the products from the product events.');
    } else {
      log(`Catalog: ${catalog.loaded} products loaded${catalog.rejected ? `, ${catalog.rejected} rejected` : ''}.`);
    }
  }

  const tastes = plantTastes(products);
  const shoppers: ShopperTruth[] = [];
  const cycles: RepurchaseCycle[] = [];
  const simulation = {
    catalog: products,
    seed: options.seed ?? 1,
    ...(options.visitors !== undefined || options.maxEvents === undefined ? { visitors: options.visitors ?? DEMO_SEED_VISITORS } : {}),
    ...(options.maxEvents !== undefined ? { maxEvents: options.maxEvents } : {}),
    now: options.now ?? Date.now(),
    siteOrigin: options.siteOrigin ?? options.url,
    ...(options.knobs ? { knobs: options.knobs } : {}),
  };
  // Generated while sending, so a large run never holds all its messages at once.
  function* visits(): Generator<Visit> {
    for (const shopper of shopperStream(simulation, tastes)) {
      shoppers.push(shopper.truth);
      if (shopper.cycle) cycles.push(shopper.cycle);
      yield* shopper.visits;
    }
  }
  const send = await sendVisits({
    url: options.url,
    writeKey,
    visits: visits(),
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });

  options.onSent?.(send);
  let storedAfterMs: number | undefined;
  if (options.adminToken) {
    log('Waiting until the collector has stored everything…');
    storedAfterMs = await waitUntilStored({ url: options.url, adminToken: options.adminToken });
  }
  return { catalog, send, ...(storedAfterMs !== undefined ? { storedAfterMs } : {}), truth: plantedTruth(tastes, shoppers, cycles) };
}
