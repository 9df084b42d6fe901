/**
 * The neighbourhood baselines with their hyper-parameters: where tuning
 * starts (the configuration session-rec published for Diginetica), the
 * bounded grid it searches (session-rec's own ranges), and the parameters
 * chosen on the validation day (tuned.json, written by tune.ts).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SessionKnn, type SessionKnnOptions } from './baselines';
import type { SessionRecommender } from './recommender';
import { Stan, Vstan, type StanOptions, type VstanOptions } from './stan';
import { Vsknn, type VsknnOptions, type Weighting } from './vsknn';

export type Params = Record<string, number | string | boolean>;

export interface TunableMethod {
  key: string;
  /** Where the search starts: the published Diginetica configuration. */
  start: Params;
  /** The values tried for each parameter. */
  grid: Record<string, readonly (number | string | boolean)[]>;
  make(params: Params): SessionRecommender;
}

const WEIGHTINGS: readonly Weighting[] = ['same', 'div', 'linear', 'quadratic', 'log'];
/** session-rec's λ grid; 0.00001 means "only the item itself". */
const LAMBDAS = [0.00001, 0.625, 1.25, 2.5, 5, 10];

export const TUNABLE: readonly TunableMethod[] = [
  {
    key: 'sknn',
    start: { k: 100, sampleSize: 500 },
    grid: { k: [50, 100, 500, 1000, 1500], sampleSize: [500, 1000, 2500, 5000, 10000] },
    make: (p) => new SessionKnn(p as unknown as SessionKnnOptions),
  },
  {
    key: 'vsknn',
    start: { k: 1500, sampleSize: 10000, weighting: 'quadratic', weightingScore: 'linear', idfWeighting: 10 },
    grid: {
      k: [50, 100, 500, 1000, 1500],
      sampleSize: [500, 1000, 2500, 5000, 10000],
      weighting: WEIGHTINGS,
      weightingScore: WEIGHTINGS,
      idfWeighting: [false, 1, 2, 5, 10],
    },
    make: (p) => new Vsknn(p as unknown as VsknnOptions),
  },
  {
    key: 'stan',
    start: { k: 500, sampleSize: 2500, lambdaSpw: 2.5, lambdaSnh: 80, lambdaInh: 5 },
    grid: {
      k: [100, 200, 500, 1000, 1500, 2000],
      sampleSize: [1000, 2500, 5000, 10000],
      lambdaSpw: LAMBDAS,
      lambdaSnh: [2.5, 5, 10, 20, 40, 80, 100],
      lambdaInh: LAMBDAS,
    },
    make: (p) => new Stan(p as unknown as StanOptions),
  },
  {
    key: 'vstan',
    start: { k: 1500, sampleSize: 10000, lambdaSpw: 5, lambdaSnh: 80, lambdaInh: 5, lambdaIpw: 5, lambdaIdf: 1 },
    grid: {
      k: [100, 200, 500, 1000, 1500, 2000],
      sampleSize: [1000, 2500, 5000, 10000],
      lambdaSpw: LAMBDAS,
      lambdaSnh: [2.5, 5, 10, 20, 40, 80, 100],
      lambdaInh: LAMBDAS,
      lambdaIpw: LAMBDAS,
      lambdaIdf: [false, 1, 2, 5, 10],
    },
    make: (p) => new Vstan(p as unknown as VstanOptions),
  },
];

export const TUNED_FILE = fileURLToPath(new URL('./tuned.json', import.meta.url));

export interface TunedMethod {
  params: Params;
  /** HR@10 and MRR@10 on the validation day with these parameters. */
  validation: { hitRate: number; mrr: number };
  /** Configurations scored to find them. */
  evaluated: number;
}

export interface TunedFile {
  protocol: string;
  command: string;
  datasets: Record<string, { validation: string; pairs: number; tunedAt: string; methods: Record<string, TunedMethod> }>;
}

export function readTuned(file = TUNED_FILE): TunedFile | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as TunedFile;
  } catch {
    return undefined;
  }
}

/** The parameters tuned for a dataset, else the published starting point. */
export function tunedParams(method: TunableMethod, dataset: string, tuned = readTuned()): { params: Params; tuned: boolean } {
  const found = tuned?.datasets[dataset]?.methods[method.key];
  return found ? { params: found.params, tuned: true } : { params: method.start, tuned: false };
}
