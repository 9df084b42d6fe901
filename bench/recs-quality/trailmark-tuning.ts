/**
 * Tuning of Trailmark's own ranking parameters, by the protocol the baselines
 * follow (tune.ts): the Diginetica training sessions but the last day are
 * replayed through ShopModel once, then a coordinate ascent over the home
 * slot's read-side parameters (strategies.ts TUNING, session-neighbours.ts
 * NEIGHBOURHOOD) scores the home slot on the last day, never on the test
 * sessions.
 *
 *   npx tsx bench/recs-quality/trailmark-tuning.ts [--cache /tmp/replay.sqlite] [--slot product] [--in-memory] [--holdout-days 7]
 *
 * `--cache` keeps the replayed database between runs (delete it when what an
 * event writes changes). `--slot product` tunes the product slot's weights
 * next to the home slot's chosen ones. `--in-memory` scores the home slot on
 * in-memory-replay.ts's maps instead of sql.js (the same rankings, about
 * fifteen seconds to replay instead of ten minutes). `--holdout-days 7` holds
 * out the last week of training instead of its last day (validation.ts
 * `lastDays`: eight times the pairs, and the test week's distance from its
 * training), still never the test sessions.
 *
 * The result goes to tuned.json ("trailmark"); the values are then written
 * into the code by hand (the Worker reads no benchmark file), and a test
 * checks the code and tuned.json agree. One configuration serves every shop,
 * so it is tuned on Diginetica only; the simulated shop checks it does not
 * regress there.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { NEIGHBOURHOOD } from '../../collector/src/recommend/session-neighbours';
import { TUNING } from '../../collector/src/recommend/strategies';
import { loadDiginetica } from './diginetica';
import { evaluate } from './metrics';
import type { Params } from './methods';
import { replayInMemory } from './in-memory-replay';
import type { SessionRecommender } from './recommender';
import { cacheReplayIn, trailmarkRecommenders } from './trailmark';
import { coordinateAscent, recordTuned } from './tune';
import { lastDays } from './validation';

/** The product slot's weights searched with `--slot product`. */
export const PRODUCT_GRID: Record<string, readonly number[]> = {
  'TUNING.neighboursProduct': [0, 0.1, 0.25, 0.5, 1, 2, 4, 8],
  'TUNING.recentlyViewedProduct': [0.2, 0.4, 0.6, 0.8, 1],
};

/** The read-side parameters searched, with their grids; prefixed by the object that holds them. */
export const TRAILMARK_GRID: Record<string, readonly number[]> = {
  'TUNING.coViewsHome': [0, 0.05, 0.1, 0.2, 0.35, 0.5, 1],
  'TUNING.recentlyViewedHome': [0.2, 0.35, 0.5, 0.75, 1],
  'TUNING.recency': [0.5, 0.6, 0.7, 0.8, 0.9],
  'TUNING.normalisation': [0, 0.1, 0.2, 0.3],
  'NEIGHBOURHOOD.seeds': [2, 3, 5],
  'NEIGHBOURHOOD.k': [50, 100, 200],
  'NEIGHBOURHOOD.spw': [1.25, 2.5, 5],
  'NEIGHBOURHOOD.snhDays': [20, 40, 80, 160],
  'NEIGHBOURHOOD.inh': [2.5, 5, 10],
  'NEIGHBOURHOOD.ipw': [1.25, 2.5, 5, 10],
  'TUNING.secondHopHome': [0, 0.1, 0.15, 0.2, 0.3],
  'TUNING.secondHopPicks': [3, 5, 10, 20],
};

const HOLDERS = { TUNING, NEIGHBOURHOOD } as unknown as Record<string, Record<string, number>>;

/** The parameters as the code has them now. */
export function currentTrailmarkParams(grid = TRAILMARK_GRID): Params {
  return Object.fromEntries(Object.keys(grid).map((name) => [name, valueOf(name)]));
}

function valueOf(name: string): number {
  const [holder, key] = name.split('.') as [string, string];
  return HOLDERS[holder]![key]!;
}

function apply(params: Params): void {
  for (const [name, value] of Object.entries(params)) {
    const [holder, key] = name.split('.') as [string, string];
    HOLDERS[holder]![key] = value as number;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const argument = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const cache = argument('cache');
  if (cache) cacheReplayIn(cache);
  const slot = argument('slot') === 'product' ? 'product' : 'home';
  const grid = slot === 'product' ? PRODUCT_GRID : TRAILMARK_GRID;
  const loaded = await loadDiginetica();
  if (!('dataset' in loaded)) throw new Error(loaded.skipped);
  const dataset = loaded.dataset;
  const holdoutDays = Number(argument('holdout-days') ?? 1);
  if (!Number.isInteger(holdoutDays) || holdoutDays < 1) throw new Error('--holdout-days takes a whole number of days (1 or more)');
  const validation = lastDays(dataset, holdoutDays);
  const pairs = validation.test.reduce((n, s) => n + s.length - 1, 0);
  console.error(`${validation.source}; replaying ${validation.train.length} sessions…`);
  const [home, , product] = trailmarkRecommenders().map((make) => make(validation));
  const inMemory = (): SessionRecommender => {
    let model: ReturnType<typeof replayInMemory> | undefined;
    return {
      name: 'Trailmark home slot (in memory)',
      train: (sessions, meta) => void (model = replayInMemory(sessions, meta)),
      recommend: (prefix, k, meta) => model!.home(prefix, k, meta),
    };
  };
  if (process.argv.includes('--in-memory') && slot !== 'home') throw new Error('--in-memory ranks the home slot only');
  const recommender = process.argv.includes('--in-memory') ? inMemory() : slot === 'product' ? product! : home!;
  const started = performance.now();
  await recommender.train(validation.train, validation.trainMeta);
  console.error(`replayed in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  const start = currentTrailmarkParams(grid);
  const result = await coordinateAscent(
    start,
    grid,
    async (params) => {
      apply(params);
      const r = await evaluate(recommender, validation.test, { k: 10, ...(validation.testMeta ? { meta: validation.testMeta } : {}) });
      return { hitRate: r.hitRate, mrr: r.mrr };
    },
    { log: (line) => console.error(line) },
  );
  console.error(
    `trailmark ${slot} slot → ${JSON.stringify(result.params)} HR@10 ${result.score.hitRate.toFixed(4)} MRR@10 ${result.score.mrr.toFixed(4)} (${result.evaluated} configurations)`,
  );
  recordTuned(
    dataset,
    validation,
    pairs,
    slot === 'product' ? 'trailmark-product' : 'trailmark',
    result,
    'npx tsx bench/recs-quality/tune.ts; npx tsx bench/recs-quality/trailmark-tuning.ts [--slot product]',
  );
}
