/**
 * Hyper-parameter tuning on the validation day, never on the test sessions.
 *
 *   npx tsx bench/recs-quality/tune.ts                       # every method, both datasets
 *   npx tsx bench/recs-quality/tune.ts --only vsknn,stan --dataset Diginetica
 *
 * Each dataset's training sessions are split: the last day (by the sessions'
 * clock; for Diginetica the last 1/146 of the training sessions, see
 * diginetica.ts) is held out as it would be as a test set, and the methods
 * are trained on the days before it. For each method a bounded coordinate
 * ascent starts from the configuration session-rec published for Diginetica
 * and, parameter by parameter, tries every value of its grid with the others
 * fixed, keeping a value only if it raises HR@10 (MRR@10 breaks ties); passes
 * repeat until one changes nothing, at most three. The chosen parameters, with
 * their validation scores and how many configurations were scored, are
 * written to tuned.json, which `npm run bench` reads: the benchmark trains on
 * all training sessions with them and scores the test sessions once.
 *
 * Trailmark's own parameters are tuned the same way, by trailmark-tuning.ts.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadDiginetica } from './diginetica';
import { evaluate } from './metrics';
import { type Params, readTuned, TUNABLE, TUNED_FILE, type TunedFile } from './methods';
import type { Dataset, SessionRecommender } from './recommender';
import { simulatedDataset } from './simulated';
import { lastDay } from './validation';

export const PROTOCOL =
  'Tuned on the last day of the training sessions (Diginetica: the last 1/146, its sessions being in time order over 146 days), trained on the days before it; ' +
  'coordinate ascent over each parameter grid from the published Diginetica configuration, keeping a value only when HR@10 rises (MRR@10 breaks ties), at most three passes. ' +
  'The benchmark then trains on all training sessions with the chosen parameters and scores the test sessions once.';

export interface Score {
  hitRate: number;
  mrr: number;
}

const better = (a: Score, b: Score) => a.hitRate > b.hitRate + 1e-12 || (Math.abs(a.hitRate - b.hitRate) <= 1e-12 && a.mrr > b.mrr + 1e-12);

/** Coordinate ascent over a grid; `score` is called once per distinct configuration. */
export async function coordinateAscent(
  start: Params,
  grid: Record<string, readonly (number | string | boolean)[]>,
  score: (params: Params) => Promise<Score>,
  options: { passes?: number; log?: (line: string) => void } = {},
): Promise<{ params: Params; score: Score; evaluated: number }> {
  const seen = new Map<string, Score>();
  const scoreOnce = async (params: Params) => {
    const key = JSON.stringify(
      Object.keys(params)
        .sort()
        .map((k) => [k, params[k]]),
    );
    let s = seen.get(key);
    if (!s) {
      s = await score(params);
      seen.set(key, s);
      options.log?.(`  ${JSON.stringify(params)}  HR@10 ${s.hitRate.toFixed(4)}  MRR@10 ${s.mrr.toFixed(4)}`);
    }
    return s;
  };
  let best = { ...start };
  let bestScore = await scoreOnce(best);
  for (let pass = 0; pass < (options.passes ?? 3); pass++) {
    let changed = false;
    for (const [name, values] of Object.entries(grid)) {
      for (const value of values) {
        if (best[name] === value) continue;
        const candidate = { ...best, [name]: value };
        const s = await scoreOnce(candidate);
        if (better(s, bestScore)) {
          best = candidate;
          bestScore = s;
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  return { params: best, score: bestScore, evaluated: seen.size };
}

export async function scoreOn(make: () => SessionRecommender, dataset: Dataset): Promise<Score> {
  const recommender = make();
  await recommender.train(dataset.train, dataset.trainMeta);
  const result = await evaluate(recommender, dataset.test, { k: 10, ...(dataset.testMeta ? { meta: dataset.testMeta } : {}) });
  return { hitRate: result.hitRate, mrr: result.mrr };
}

export async function tuningDatasets(which?: string): Promise<Dataset[]> {
  const out: Dataset[] = [];
  if (!which || which === 'Diginetica') {
    const loaded = await loadDiginetica();
    if ('dataset' in loaded) out.push(loaded.dataset);
    else console.error(loaded.skipped);
  }
  if (!which || which.startsWith('Simulated')) out.push(simulatedDataset());
  return out;
}

/** Adds one method's result to tuned.json, keeping everything else in it. */
export function recordTuned(
  dataset: Dataset,
  validation: Dataset,
  pairs: number,
  key: string,
  result: { params: Params; score: Score; evaluated: number },
  command: string,
): void {
  const file: TunedFile = readTuned() ?? { protocol: PROTOCOL, command, datasets: {} };
  file.protocol = PROTOCOL;
  file.command = command;
  const entry = (file.datasets[dataset.name] ??= { validation: '', pairs: 0, tunedAt: '', methods: {} });
  entry.validation = `${validation.train.length.toLocaleString('en-US')} training / ${validation.test.length.toLocaleString('en-US')} validation sessions (the last day)`;
  entry.pairs = pairs;
  entry.tunedAt = new Date().toISOString().slice(0, 10);
  entry.methods[key] = { params: result.params, validation: result.score, evaluated: result.evaluated };
  writeFileSync(TUNED_FILE, `${JSON.stringify(file, null, 2)}\n`);
}

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const only = argument('only')?.split(',');
  const command = 'npx tsx bench/recs-quality/tune.ts';
  for (const dataset of await tuningDatasets(argument('dataset'))) {
    const validation = lastDay(dataset);
    const pairs = validation.test.reduce((n, s) => n + s.length - 1, 0);
    console.error(`${dataset.name}: ${validation.source}; ${validation.test.length} sessions, ${pairs} pairs`);
    for (const method of TUNABLE) {
      if (only && !only.includes(method.key)) continue;
      console.error(`${dataset.name}: tuning ${method.key}…`);
      const result = await coordinateAscent(method.start, method.grid, (params) => scoreOn(() => method.make(params), validation), {
        log: (l) => console.error(l),
      });
      console.error(
        `${dataset.name}: ${method.key} → ${JSON.stringify(result.params)} HR@10 ${result.score.hitRate.toFixed(4)} MRR@10 ${result.score.mrr.toFixed(4)} (${result.evaluated} configurations)`,
      );
      recordTuned(dataset, validation, pairs, method.key, result, command);
    }
  }
}
