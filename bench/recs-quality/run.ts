/**
 * Recommendation quality, offline: HR@10 and MRR@10 of the next viewed
 * product, on real sessions (Diginetica) and on held-out simulated sessions,
 * for the baselines and for any recommender passed in, all in the same run.
 *
 *   npx tsx bench/recs-quality/run.ts                            # the same as npm run bench -- --only quality, printed only
 *   npx tsx bench/recs-quality/run.ts --table bench/results.json # the table of a saved run
 *
 *   import { benchRecsQuality } from './recs-quality/run';
 *   const result = await benchRecsQuality({ recommenders: [() => new OurRecommender()] });
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LastItemCooccurrence, Popularity, RegionalPopularity } from './baselines';
import { loadDiginetica } from './diginetica';
import { evaluate } from './metrics';
import { readTuned, TUNABLE, tunedParams } from './methods';
import type { Dataset, RecommenderCost, SessionRecommender } from './recommender';
import { type SimulatedDatasetOptions, simulatedDataset } from './simulated';
import { trailmarkRecommenders } from './trailmark';

/** Makes a fresh, untrained recommender for a dataset. */
export type RecommenderFactory = (dataset: Dataset) => SessionRecommender;

export interface MethodResult {
  method: string;
  hitRate: number;
  mrr: number;
  /** (prefix, next item) pairs scored. */
  pairs: number;
  trainMs: number;
  evalMs: number;
  cost?: RecommenderCost;
  /** When the row was measured (a partial run replaces only its own rows in bench/results.json). */
  measuredAt?: string;
  /** One of the published neighbourhood methods the issue compares against (V-SKNN, STAN, VSTAN). */
  published?: boolean;
}

export type DatasetResult =
  { dataset: string; source: string; trainSessions: number; testSessions: number; methods: MethodResult[] } | { dataset: string; skipped: string };

export interface Result {
  k: number;
  datasets: DatasetResult[];
  /** What the figures mean and what they do not. */
  note: string;
}

export interface BenchRecsQualityOptions {
  k?: number;
  /** Recommenders to score next to the baselines (e.g. ours). */
  recommenders?: RecommenderFactory[];
  /** Directory of the Diginetica files, or false to leave them out. */
  diginetica?: string | false;
  /** Options of the simulated held-out set, or false to leave it out. */
  simulated?: SimulatedDatasetOptions | false;
  /** Progress lines (which dataset and method is running). */
  log?: (line: string) => void;
  /** Only the methods with these slugs (methodSlug: "vstan", "trailmark-home-slot", …); all when absent. */
  methods?: readonly string[];
}

/** A method's name as a filter key: lower case, its parameters left out ("V-SKNN (k=100, …)" → "v-sknn"). */
export function methodSlug(name: string): string {
  return name
    .toLowerCase()
    .replace(/\(.*?\)/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/**
 * A partial run's rows put into a saved result: a method measured again
 * replaces its row (by name), every other row and dataset is kept.
 */
export function mergeQuality(saved: Result | undefined, fresh: Result): Result {
  if (!saved || saved.k !== fresh.k) return fresh;
  const datasets = saved.datasets.map((old) => {
    const now = fresh.datasets.find((d) => d.dataset === old.dataset);
    if (!now) return old;
    if (!('methods' in now) || !('methods' in old)) return now;
    const fresher = new Map(now.methods.map((m) => [m.method, m]));
    const methods = old.methods.map((m) => fresher.get(m.method) ?? m);
    for (const m of now.methods) if (!old.methods.some((o) => o.method === m.method)) methods.push(m);
    return { ...now, methods };
  });
  for (const d of fresh.datasets) if (!datasets.some((o) => o.dataset === d.dataset)) datasets.push(d);
  return { ...fresh, datasets };
}

/**
 * The reference methods; regional popularity only where sessions carry a
 * region. The neighbourhood methods (session kNN, V-SKNN, STAN, VSTAN) run
 * with the parameters tuned on this dataset's validation day (tuned.json,
 * see tune.ts), else with session-rec's published Diginetica configuration.
 */
export function baselines(dataset: Dataset): SessionRecommender[] {
  const hasRegions = dataset.trainMeta?.some((m) => m.region !== undefined) ?? false;
  const tuned = readTuned();
  return [
    new Popularity(),
    ...(hasRegions ? [new RegionalPopularity()] : []),
    new LastItemCooccurrence(),
    ...TUNABLE.map((method) => {
      const { params, tuned: wasTuned } = tunedParams(method, dataset.name, tuned);
      const recommender = method.make(params);
      if (PUBLISHED.includes(method.key)) published.add(recommender);
      if (wasTuned) return recommender;
      const untuned = renamed(recommender, `${recommender.name}, untuned`);
      if (published.has(recommender)) published.add(untuned);
      return untuned;
    }),
  ];
}

/** The published neighbourhood methods (Ludewig et al. 2021) our rows are compared with. */
const PUBLISHED = ['vsknn', 'stan', 'vstan'];
const published = new WeakSet<SessionRecommender>();

function renamed(recommender: SessionRecommender, name: string): SessionRecommender {
  return { name, train: (s, m) => recommender.train(s, m), recommend: (p, k, m) => recommender.recommend(p, k, m) };
}

export async function benchRecsQuality(options: BenchRecsQualityOptions = {}): Promise<Result> {
  const k = options.k ?? 10;
  const log = options.log ?? (() => {});
  const datasets: DatasetResult[] = [];

  if (options.diginetica !== false) {
    log('Loading Diginetica…');
    const loaded = await loadDiginetica(options.diginetica);
    if ('skipped' in loaded) {
      log(loaded.skipped);
      datasets.push({ dataset: 'Diginetica', skipped: loaded.skipped });
    } else {
      datasets.push(await scoreDataset(loaded.dataset, k, options.recommenders ?? [], log, options.methods));
    }
  }
  if (options.simulated !== false) {
    log('Simulating shoppers…');
    datasets.push(await scoreDataset(simulatedDataset(options.simulated ?? {}), k, options.recommenders ?? [], log, options.methods));
  }
  return {
    k,
    datasets,
    note:
      `HR@${k} and MRR@${k} of the next viewed item over every (prefix, next item) pair of the held-out sessions, ranking the whole catalogue. ` +
      'Quality figures do not depend on the machine; times do (and other work on it).',
  };
}

async function scoreDataset(
  dataset: Dataset,
  k: number,
  extra: RecommenderFactory[],
  log: (line: string) => void,
  only?: readonly string[],
): Promise<DatasetResult> {
  const methods: MethodResult[] = [];
  const all = [...baselines(dataset), ...extra.map((make) => make(dataset))];
  for (const recommender of only ? all.filter((r) => only.includes(methodSlug(r.name))) : all) {
    log(`${dataset.name}: ${recommender.name}…`);
    const started = performance.now();
    await recommender.train(dataset.train, dataset.trainMeta);
    const trainMs = performance.now() - started;
    const result = await evaluate(recommender, dataset.test, { k, ...(dataset.testMeta ? { meta: dataset.testMeta } : {}) });
    const cost = recommender.cost?.();
    methods.push({
      method: recommender.name,
      hitRate: result.hitRate,
      mrr: result.mrr,
      pairs: result.pairs,
      trainMs,
      evalMs: result.elapsedMs,
      measuredAt: new Date().toISOString(),
      ...(cost ? { cost } : {}),
      ...(published.has(recommender) ? { published: true } : {}),
    });
  }
  return { dataset: dataset.name, source: dataset.source, trainSessions: dataset.train.length, testSessions: dataset.test.length, methods };
}

/** The best published method's HR and MRR on a dataset, each the best of any of them. */
export function bestPublished(d: { methods: MethodResult[] }): { hitRate: number; mrr: number } | undefined {
  const rows = d.methods.filter((m) => m.published);
  if (rows.length === 0) return undefined;
  return { hitRate: Math.max(...rows.map((m) => m.hitRate)), mrr: Math.max(...rows.map((m) => m.mrr)) };
}

/**
 * The result as a text table, one row per dataset and method; "÷ best" is
 * the row's figure over the best published method's on that dataset (the
 * best HR and the best MRR, whichever methods they come from).
 */
export function formatRecsQuality(result: Result): string {
  const header = ['dataset', 'method', `HR@${result.k}`, '÷ best', `MRR@${result.k}`, '÷ best', 'pairs', 'train s', 'ms/req', 'rows/req'];
  const rows: string[][] = [];
  for (const d of result.datasets) {
    if ('skipped' in d) {
      rows.push([d.dataset, `skipped: ${d.skipped}`, '', '', '', '', '', '', '', '']);
      continue;
    }
    const best = bestPublished(d);
    for (const m of d.methods) {
      rows.push([
        d.dataset,
        m.method,
        m.hitRate.toFixed(3),
        best ? (m.hitRate / best.hitRate).toFixed(3) : '',
        m.mrr.toFixed(3),
        best ? (m.mrr / best.mrr).toFixed(3) : '',
        m.pairs.toLocaleString('en-US'),
        (m.trainMs / 1000).toFixed(1),
        (m.cost?.msPerRequest ?? m.evalMs / Math.max(1, m.pairs)).toFixed(2),
        m.cost ? m.cost.rowsReadPerRequest.toFixed(0) : '',
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.filter((r) => r[2] !== '').map((r) => (r[i] ?? '').length)));
  const numeric = (i: number) => i >= 2;
  const format = (row: string[]) =>
    row[2] === '' && row[1]?.startsWith('skipped')
      ? `${(row[0] ?? '').padEnd(widths[0] ?? 0)}  ${row[1]}`
      : row.map((cell, i) => (numeric(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join('  ');
  const lines = [format(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(format)];
  const sources = result.datasets.flatMap((d) =>
    'source' in d
      ? [`${d.dataset}: ${d.source}; ${d.trainSessions.toLocaleString('en-US')} training / ${d.testSessions.toLocaleString('en-US')} test sessions`]
      : [],
  );
  const writes = result.datasets.flatMap((d) => {
    const cost = 'methods' in d ? d.methods.find((m) => m.cost?.rowsWrittenPerEvent !== undefined)?.cost : undefined;
    return cost
      ? [
          `${d.dataset}: replaying a training view wrote ${cost.rowsWrittenPerEvent!.toFixed(1)} rows and read ${cost.rowsReadPerEvent!.toFixed(1)} (per event, batches of 300 sessions)`,
        ]
      : [];
  });
  return [
    ...lines,
    '',
    ...sources,
    ...writes,
    result.note,
    '÷ best: over the best HR and the best MRR of V-SKNN, STAN and VSTAN on the same dataset (parameters tuned on the last training day).',
    'ms/req: time per prediction in this process (one thread; Trailmark rows on sql.js, compiled to WebAssembly, with the queries the Durable Object runs).',
    'rows/req: rows a recommendation request read.',
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  // --table FILE: print the table of a saved run (bench/results.json's "quality") without running again.
  const i = process.argv.indexOf('--table');
  const saved = i >= 0 ? (JSON.parse(readFileSync(process.argv[i + 1]!, 'utf8')) as { quality?: Result } & Partial<Result>) : undefined;
  const result = saved
    ? (saved.quality ?? (saved as Result))
    : await benchRecsQuality({ recommenders: trailmarkRecommenders(), log: (line) => process.stderr.write(`${line}\n`) });
  process.stdout.write(`${formatRecsQuality(result)}\n`);
}
