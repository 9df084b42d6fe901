/**
 * A learned blend of the home slot's sources: a linear score over candidate
 * features (ltr-extract.ts), fitted by softmax cross-entropy of the next
 * product among each pair's candidates (listwise), on the days before the
 * validation day only; scored on the validation day against the hand-set
 * blend (TUNING's weights), with the pairs each wins and loses.
 *
 *   npx tsx bench/recs-quality/ltr-fit.ts --dir /tmp/ltr [--fit 1,2,3,4] [--features full] [--l2 0.001] [--test]
 *
 * `--test` also scores the chosen fit on DIR/test.json (once, for the final choice).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Candidate, Query } from './ltr-extract';

type Featurizer = { names: string[]; of: (q: Query, c: Candidate) => number[] };

const bucketOf = (n: number) => (n <= 1 ? 0 : n === 2 ? 1 : n <= 4 ? 2 : 3);
const BUCKETS = ['1', '2', '3-4', '5+'];

function base(c: Candidate, set: string): number[] {
  const inv = (r: number) => (r > 0 ? 1 / r : 0);
  const core = [c.nb, c.cv, c.hop, c.rv];
  if (set === 'scores') return core;
  const ranks = [c.nbRank > 0 ? 1 : 0, c.cvRank > 0 ? 1 : 0, c.hopRank > 0 ? 1 : 0, inv(c.nbRank), inv(c.cvRank), inv(c.hopRank)];
  const pos = [c.pos === 0 ? 1 : 0, c.pos === 1 ? 1 : 0, c.pos === 2 ? 1 : 0, c.pos >= 3 && c.pos <= 4 ? 1 : 0, c.pos >= 5 ? 1 : 0];
  const extra = [Math.log1p(c.views) / 10, c.pop, Math.sqrt(c.nb * c.cv)];
  if (set === 'ranks') return [...core, ...ranks];
  if (set === 'nopop') return [...core, ...ranks, ...pos];
  if (set === 'full') return [...core, ...ranks, ...pos, ...extra];
  const log = (v: number) => (v > 0 ? Math.log(v) / 5 : -1.5);
  const logs = [log(c.nb), log(c.cv), log(c.hop), log(handSetScore(c))];
  return [...core, ...ranks, ...pos, ...extra, ...logs];
}
const BASE_NAMES: Record<string, string[]> = {
  scores: ['nb', 'cv', 'hop', 'rv'],
  ranks: ['nb', 'cv', 'hop', 'rv', 'inNb', 'inCv', 'inHop', 'invNbRank', 'invCvRank', 'invHopRank'],
  nopop: ['nb', 'cv', 'hop', 'rv', 'inNb', 'inCv', 'inHop', 'invNbRank', 'invCvRank', 'invHopRank', 'pos0', 'pos1', 'pos2', 'pos3-4', 'pos5+'],
  full: [
    'nb',
    'cv',
    'hop',
    'rv',
    'inNb',
    'inCv',
    'inHop',
    'invNbRank',
    'invCvRank',
    'invHopRank',
    'pos0',
    'pos1',
    'pos2',
    'pos3-4',
    'pos5+',
    'logViews',
    'pop',
    'nbXcv',
  ],
  logs: [
    'nb',
    'cv',
    'hop',
    'rv',
    'inNb',
    'inCv',
    'inHop',
    'invNbRank',
    'invCvRank',
    'invHopRank',
    'pos0',
    'pos1',
    'pos2',
    'pos3-4',
    'pos5+',
    'logViews',
    'pop',
    'nbXcv',
    'logNb',
    'logCv',
    'logHop',
    'logBlend',
  ],
};

/** `set` alone, or `set+len`: the same features again per session length (1, 2, 3–4, 5+ products). */
export function featurizer(spec: string): Featurizer {
  const [set, by] = spec.split('+') as [string, string | undefined];
  const names = BASE_NAMES[set];
  if (!names) throw new Error(`unknown feature set ${set}`);
  if (!by) return { names, of: (_q, c) => base(c, set) };
  const all = [...names, ...BUCKETS.flatMap((b) => names.map((n) => `${n}@${b}`))];
  return {
    names: all,
    of: (q, c) => {
      const g = base(c, set);
      const out = new Array<number>(g.length * 5).fill(0);
      const b = bucketOf(q.n);
      for (let i = 0; i < g.length; i++) {
        out[i] = g[i]!;
        out[(b + 1) * g.length + i] = g[i]!;
      }
      return out;
    },
  };
}

interface Matrix {
  queries: Query[];
  dims: number;
  /** Per query: the pool's feature rows, one after another, and the target's index in the pool (-1 when outside it). */
  x: Float64Array[];
  target: number[];
}

const handSetScore = (c: Candidate) => c.nb * 1 + c.cv * 0.1 + c.hop * 0.2 + c.rv * 0.35;

/** Candidates in the hand-set blend's order: the first `pool` are re-ranked, the rest follow in that order. */
function matrix(queries: Query[], f: Featurizer, pool = POOL): Matrix {
  const dims = f.names.length;
  const ordered = queries.map((q) => ({ ...q, cands: [...q.cands].sort((a, b) => handSetScore(b) - handSetScore(a) || (a.id < b.id ? -1 : 1)) }));
  const x = ordered.map((q) => {
    const n = Math.min(pool, q.cands.length);
    const out = new Float64Array(n * dims);
    for (let i = 0; i < n; i++) out.set(f.of(q, q.cands[i]!), i * dims);
    return out;
  });
  const target = ordered.map((q) => {
    const i = q.cands.findIndex((c) => c.id === q.target);
    return i < pool ? i : -1;
  });
  return { queries: ordered, dims, x, target };
}

type Scorer = (q: number, i: number) => number;

/** Ranks (1-based within the first k, 0 when absent) of each pair's target. */
function ranks(m: Matrix, score: Scorer, k = 10): Int32Array {
  const out = new Int32Array(m.queries.length);
  m.queries.forEach((q, qi) => {
    const n = m.x[qi]!.length / m.dims;
    const scored = q.cands.slice(0, n).map((c, i) => ({ id: c.id, s: score(qi, i) }));
    scored.sort((a, b) => b.s - a.s || (a.id < b.id ? -1 : 1));
    const list = [...scored.slice(0, k).map((s) => s.id), ...q.cands.slice(n, n + k).map((c) => c.id), ...q.fallback].slice(0, k);
    const r = list.indexOf(q.target);
    out[qi] = r >= 0 ? r + 1 : 0;
  });
  return out;
}

function summary(r: Int32Array): { hr: number; mrr: number } {
  let hits = 0;
  let rr = 0;
  for (const x of r) if (x > 0) (hits++, (rr += 1 / x));
  return { hr: hits / r.length, mrr: rr / r.length };
}

const linear =
  (m: Matrix, w: Float64Array): Scorer =>
  (q, i) => {
    const x = m.x[q]!;
    let s = 0;
    for (let j = 0; j < m.dims; j++) s += x[i * m.dims + j]! * w[j]!;
    return s;
  };

/** Softmax cross-entropy of the target among the candidates, L2 on the weights; full-batch Adam. */
function fit(ms: Matrix[], dims: number, l2: number, iterations = 400, lr = 0.05, init?: Float64Array): Float64Array {
  const w = init ? Float64Array.from(init) : new Float64Array(dims);
  const mAdam = new Float64Array(dims);
  const vAdam = new Float64Array(dims);
  const items: { x: Float64Array; t: number }[] = [];
  for (const m of ms) m.x.forEach((x, q) => m.target[q]! >= 0 && items.push({ x, t: m.target[q]! }));
  const grad = new Float64Array(dims);
  const s = new Float64Array(POOL_MAX);
  for (let it = 1; it <= iterations; it++) {
    grad.fill(0);
    let loss = 0;
    for (const { x, t } of items) {
      const n = x.length / dims;
      let max = -Infinity;
      for (let i = 0; i < n; i++) {
        let v = 0;
        for (let j = 0; j < dims; j++) v += x[i * dims + j]! * w[j]!;
        s[i] = v;
        if (v > max) max = v;
      }
      if (LOSS === 'sig') {
        // 1 − HR@10, smoothed: a sigmoid of the 10th negative's lead over the target.
        let tenth = -1;
        {
          const order: number[] = [];
          for (let i = 0; i < n; i++) if (i !== t) order.push(i);
          order.sort((a, b) => s[b]! - s[a]!);
          tenth = order[Math.min(9, order.length - 1)] ?? -1;
        }
        if (tenth < 0) continue;
        const d = (s[tenth]! - s[t]!) / TAU;
        const sig = 1 / (1 + Math.exp(-d));
        loss += sig;
        const g = (sig * (1 - sig)) / TAU;
        for (let j = 0; j < dims; j++) grad[j]! += g * (x[tenth * dims + j]! - x[t * dims + j]!);
        continue;
      }
      if (LOSS === 'top10') {
        // Smoothed HR@10: the target against the negatives ranked ~10th (the ones it must beat to be shown).
        const order: number[] = [];
        for (let i = 0; i < n; i++) if (i !== t) order.push(i);
        order.sort((a, b) => s[b]! - s[a]!);
        const around = order.slice(Math.max(0, BAND[0]! - 1), BAND[1]);
        for (const neg of around) {
          const d = (s[neg]! - s[t]!) / TAU;
          const sig = 1 / (1 + Math.exp(-d));
          loss += d > 30 ? d : Math.log1p(Math.exp(d));
          const g = sig / around.length;
          for (let j = 0; j < dims; j++) grad[j]! += (g * (x[neg * dims + j]! - x[t * dims + j]!)) / TAU;
        }
        continue;
      }
      let z = 0;
      for (let i = 0; i < n; i++) z += s[i] = Math.exp(s[i]! - max);
      loss += Math.log(z) - Math.log(s[t]!);
      for (let i = 0; i < n; i++) {
        const p = s[i]! / z - (i === t ? 1 : 0);
        for (let j = 0; j < dims; j++) grad[j]! += p * x[i * dims + j]!;
      }
    }
    for (let j = 0; j < dims; j++) {
      const g = grad[j]! / items.length + 2 * l2 * w[j]!;
      mAdam[j] = 0.9 * mAdam[j]! + 0.1 * g;
      vAdam[j] = 0.999 * vAdam[j]! + 0.001 * g * g;
      w[j]! -= (lr * (mAdam[j]! / (1 - 0.9 ** it))) / (Math.sqrt(vAdam[j]! / (1 - 0.999 ** it)) + 1e-8);
    }
    if (it % 100 === 0) console.error(`  iteration ${it}: loss ${(loss / items.length).toFixed(4)}`);
  }
  return w;
}

function compare(a: Int32Array, b: Int32Array): { won: number; lost: number } {
  let won = 0;
  let lost = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i]! > 0 && b[i] === 0) won++;
    if (a[i] === 0 && b[i]! > 0) lost++;
  }
  return { won, lost };
}

const argument = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

const dir = argument('dir') ?? '/tmp/ltr';
const load = (name: string): Query[] => JSON.parse(readFileSync(path.join(dir, `${name}.json`), 'utf8'));
const fitDays = (argument('fit') ?? '1,2,3,4').split(',');
const specs = (argument('features') ?? 'full').split(',');
const l2s = (argument('l2') ?? '0.001').split(',').map(Number);
const iterations = Number(argument('iterations') ?? 400);
const POOL = Number(argument('pool') ?? 50);
const POOL_MAX = 1000;
const LOSS = argument('loss') ?? 'softmax';
const TAU = Number(argument('tau') ?? 1);
const BAND = (argument('band') ?? '8,12').split(',').map(Number);
const LR = Number(argument('lr') ?? 0.05);
/** Start from the hand-set blend (scaled), when asked. */
const INIT_SCALE = Number(argument('init') ?? 0);

const validation = load('validation');
const fitQueries = fitDays.map((d) => load(`fit-${d}`));
const handSet =
  (m: Matrix): Scorer =>
  (q, i) =>
    handSetScore(m.queries[q]!.cands[i]!);
const baseM = matrix(validation, featurizer('scores'));
const baseRanks = ranks(baseM, handSet(baseM));
const b = summary(baseRanks);
const covered = baseM.target.filter((t) => t >= 0).length;
console.log(
  `validation: ${validation.length} pairs (${covered} with the next product among the first ${POOL} candidates); hand-set blend HR@10 ${b.hr.toFixed(4)} MRR@10 ${b.mrr.toFixed(4)}`,
);
for (const d of fitDays) {
  const m = matrix(load(`fit-${d}`), featurizer('scores'));
  const s = summary(ranks(m, handSet(m)));
  console.log(`fit day -${d}: ${m.queries.length} pairs; hand-set blend HR@10 ${s.hr.toFixed(4)} MRR@10 ${s.mrr.toFixed(4)}`);
}

const results: unknown[] = [];
for (const spec of specs) {
  const f = featurizer(spec);
  const fitMs = fitQueries.map((q) => matrix(q, f));
  const valM = matrix(validation, f);
  for (const l2 of l2s) {
    const started = performance.now();
    let init: Float64Array | undefined;
    if (INIT_SCALE > 0) {
      init = new Float64Array(f.names.length);
      (
        [
          ['nb', 1],
          ['cv', 0.1],
          ['hop', 0.2],
          ['rv', 0.35],
        ] as const
      ).forEach(([n, v]) => (init![f.names.indexOf(n)] = v * INIT_SCALE));
    }
    const w = fit(fitMs, f.names.length, l2, iterations, LR, init);
    const r = ranks(valM, linear(valM, w));
    const s = summary(r);
    const fitS = summary(ranks(fitMs[0]!, linear(fitMs[0]!, w)));
    const { won, lost } = compare(r, baseRanks);
    console.log(
      `${spec} l2=${l2}: validation HR@10 ${s.hr.toFixed(4)} MRR@10 ${s.mrr.toFixed(4)} (won ${won}, lost ${lost}); fit day -1 HR@10 ${fitS.hr.toFixed(4)}; ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );
    const weights = Object.fromEntries(f.names.map((n, j) => [n, Number(w[j]!.toFixed(4))]));
    results.push({ spec, l2, fit: fitDays, validation: s, won, lost, weights });
    if (process.argv.includes('--weights')) console.log(JSON.stringify(weights));
    if (process.argv.includes('--test')) {
      const test = load('test');
      const tM = matrix(test, f);
      const tb = matrix(test, featurizer('scores'));
      const tr = ranks(tM, linear(tM, w));
      const tBase = ranks(tb, handSet(tb));
      const ts = summary(tr);
      const tbs = summary(tBase);
      console.log(
        `TEST ${spec} l2=${l2}: HR@10 ${ts.hr.toFixed(4)} MRR@10 ${ts.mrr.toFixed(4)} (won ${compare(tr, tBase).won}, lost ${compare(tr, tBase).lost}); hand-set ${tbs.hr.toFixed(4)} / ${tbs.mrr.toFixed(4)}`,
      );
    }
  }
}
if (argument('save')) writeFileSync(argument('save')!, JSON.stringify(results, null, 1));
