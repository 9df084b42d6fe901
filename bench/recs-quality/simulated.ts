/**
 * Held-out sessions from the shopper model (demo-site/simulate), prepared the
 * way Diginetica is: a session is the products viewed in one visit, in order;
 * the last `testDays` of the simulated history are held out; test items never
 * seen in training are removed and sessions shorter than two views dropped.
 *
 * Unlike Diginetica, each session comes with the visitor's region, a stable
 * shopper key and its start time, for recommenders that use them.
 *
 * Deterministic: the catalog, the shoppers and `now` are all fixed.
 */
import { EVENTS } from '@trailmark/schema';
import { generateCatalog } from '../../demo-site/simulate/catalog';
import { DEFAULT_SHOPPER_KNOBS, type PlantedTruth, type ShopperKnobs, simulateShoppers } from '../../demo-site/simulate/shoppers';
import type { Dataset, SessionMeta } from './recommender';

export interface SimulatedDatasetOptions {
  catalogSize?: number;
  catalogSeed?: number;
  visitors?: number;
  seed?: number;
  /** Days at the end of the history held out for testing. */
  testDays?: number;
  /** End of the simulated history; fixed so every run scores the same sessions. */
  now?: string;
  knobs?: Partial<ShopperKnobs>;
}

export interface SimulatedDataset extends Dataset {
  trainMeta: SessionMeta[];
  testMeta: SessionMeta[];
  truth: PlantedTruth;
}

const DAY = 86_400_000;

export function simulatedDataset(options: SimulatedDatasetOptions = {}): SimulatedDataset {
  const catalogSize = options.catalogSize ?? 5000;
  const visitors = options.visitors ?? 4000;
  const seed = options.seed ?? 1;
  const testDays = options.testDays ?? 7;
  const now = Date.parse(options.now ?? '2026-01-01T00:00:00Z');
  const catalog = generateCatalog({ size: catalogSize, seed: options.catalogSeed ?? 1 });
  const { visits, truth } = simulateShoppers({ catalog, seed, visitors, now, ...(options.knobs ? { knobs: options.knobs } : {}) });
  const regionOf = new Map(truth.shoppers.map((s) => [s.shopper, s.region]));

  const sessions = visits
    .map((visit) => ({
      items: visit.messages.flatMap((m) =>
        m.type === 'track' && m.event === EVENTS.productViewed ? [String((m.properties as { product_id: unknown }).product_id)] : [],
      ),
      meta: { region: regionOf.get(visit.shopper), shopper: visit.shopper, at: Date.parse(visit.messages[0]?.timestamp ?? '') } as SessionMeta,
    }))
    .filter((s) => s.items.length >= 2)
    .sort((a, b) => (a.meta.at ?? 0) - (b.meta.at ?? 0));

  const cut = now - testDays * DAY;
  const train = sessions.filter((s) => (s.meta.at ?? 0) < cut);
  const known = new Set(train.flatMap((s) => s.items));
  const test = sessions
    .filter((s) => (s.meta.at ?? 0) >= cut)
    .map((s) => ({ ...s, items: s.items.filter((item) => known.has(item)) }))
    .filter((s) => s.items.length >= 2);

  return {
    name: 'Simulated shoppers',
    source: `shopper model, ${catalogSize} products, ${visitors} shoppers (seed ${seed}), last ${testDays} of ${options.knobs?.days ?? DEFAULT_SHOPPER_KNOBS.days} days held out`,
    train: train.map((s) => s.items),
    test: test.map((s) => s.items),
    trainMeta: train.map((s) => s.meta),
    testMeta: test.map((s) => s.meta),
    truth,
  };
}
