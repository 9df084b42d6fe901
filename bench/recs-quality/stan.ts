/**
 * STAN, sequence and time aware neighbourhood (Garg, Gupta, Raghu, Bhagat &
 * Shroff, SIGIR 2019), and VSTAN, its extension with V-SKNN's ideas (Latifi,
 * Mauro & Jannach 2021, "Session-aware recommendation: a surprising quest for
 * the state of the art"), as the papers and the session-rec reference define
 * them:
 *
 * - the current session is a vector: an item weighs exp((i − n) / λspw) by the
 *   position i of its last view among the session's n views;
 * - candidates are the `sampleSize` most recent training sessions sharing an
 *   item with it; similarity is the cosine of the current vector with a
 *   candidate's binary item set, times exp(−Δt / λsnh) for a candidate Δt days
 *   older than the current session (when the data has a clock); the `k` most
 *   similar are the neighbours;
 * - an item of a neighbour scores the neighbour's similarity times
 *   exp(−|p(item) − p*| / λinh), where p* is the position in the neighbour of
 *   the last item it shares with the current session and p(item) the
 *   item's own (last) position there;
 * - VSTAN also multiplies by exp((i* − n) / λipw), i* the position in the
 *   current session of the most recent view the neighbour shares, and by
 *   1 + λidf · idf(item) (idf = log(training sessions / views of the item));
 * - items of the current session are scored like any other ("remind").
 *
 * The reference accepts a `similarity` option for VSTAN but always computes
 * the cosine; so does this.
 */
import type { SessionMeta, SessionRecommender } from './recommender';
import { SessionIndex, topSessions } from './session-index';

const DAY_MS = 86_400_000;

export interface StanOptions {
  k: number;
  sampleSize: number;
  /** Position weight in the current session (λspw). */
  lambdaSpw: number;
  /** Recency of a neighbour session, in days (λsnh). */
  lambdaSnh: number;
  /** Distance of an item to the shared item in a neighbour (λinh). */
  lambdaInh: number;
}

export interface VstanOptions extends StanOptions {
  /** Position in the current session of the neighbour's most recent shared item (λipw); false for off. */
  lambdaIpw: number | false;
  /** Weight of IDF in item scores (λidf); false for off. */
  lambdaIdf: number | false;
}

export const STAN_DEFAULTS: StanOptions = { k: 500, sampleSize: 2500, lambdaSpw: 2.5, lambdaSnh: 80, lambdaInh: 5 };
export const VSTAN_DEFAULTS: VstanOptions = { ...STAN_DEFAULTS, k: 1500, sampleSize: 10000, lambdaSpw: 5, lambdaInh: 5, lambdaIpw: 5, lambdaIdf: 1 };

class NeighbourhoodScorer {
  private index = new SessionIndex([]);
  private weight = new Float64Array(0);
  private lastPosition = new Int32Array(0);
  private scores = new Float64Array(0);
  /** Marks: inCurrent[item] === current, inNeighbour[item] === neighbour. */
  private inCurrent = new Int32Array(0);
  private inNeighbour = new Int32Array(0);
  private current = 0;
  private neighbour = 0;

  constructor(private readonly o: VstanOptions) {}

  train(sessions: readonly (readonly string[])[], meta?: readonly SessionMeta[]): void {
    this.index = SessionIndex.of(sessions, meta);
    const n = this.index.items.size;
    this.weight = new Float64Array(n);
    this.lastPosition = new Int32Array(n);
    this.scores = new Float64Array(n);
    this.inCurrent = new Int32Array(n);
    this.inNeighbour = new Int32Array(n);
  }

  recommend(prefix: readonly string[], k: number, meta?: SessionMeta): string[] {
    const { index, weight, lastPosition, scores, inCurrent, inNeighbour, o } = this;
    const sequence = index.items.known(prefix);
    if (sequence.length === 0) return index.topKDense(scores, [], k);
    const n = sequence.length;
    const distinct: number[] = [];
    const current = ++this.current;
    sequence.forEach((id, i) => {
      if (inCurrent[id] !== current) distinct.push(id);
      inCurrent[id] = current;
      weight[id] = Math.exp((i + 1 - n) / o.lambdaSpw);
    });
    let norm = 0;
    for (const id of distinct) norm += (weight[id] as number) ** 2;
    norm = Math.sqrt(norm);

    const now = meta?.at;
    const candidates = index.recentSessionsWithAny(distinct, o.sampleSize);
    const similarity = new Float64Array(candidates.length);
    for (let c = 0; c < candidates.length; c++) {
      const session = candidates[c] as number;
      const items = index.sessionItems[session] as Int32Array;
      let dot = 0;
      for (const item of items) dot += weight[item] as number;
      let sim = dot / (norm * Math.sqrt(items.length));
      const then = index.times[session] as number;
      if (now !== undefined && Number.isFinite(then)) sim *= Math.exp(-Math.max(0, now - then) / (o.lambdaSnh * DAY_MS));
      similarity[c] = sim;
    }
    const neighbours = topSessions(candidates, similarity, candidates.length, o.k);

    const touched: number[] = [];
    for (let j = 0; j < neighbours.sessions.length; j++) {
      const session = neighbours.sessions[j] as number;
      const sim = neighbours.scores[j] as number;
      if (!(sim > 0)) continue;
      const seq = index.sequences[session] as Int32Array;
      const mark = ++this.neighbour;
      let pStar = 0;
      for (let p = 0; p < seq.length; p++) {
        const item = seq[p] as number;
        lastPosition[item] = p + 1;
        inNeighbour[item] = mark;
        if (inCurrent[item] === current) pStar = p + 1;
      }
      let base = sim;
      if (o.lambdaIpw !== false) {
        // The most recent view of the current session this neighbour shares.
        let i = n;
        while (i > 0 && inNeighbour[sequence[i - 1] as number] !== mark) i--;
        base *= Math.exp((i - n) / o.lambdaIpw);
      }
      for (const item of index.sessionItems[session] as Int32Array) {
        let add = base * Math.exp(-Math.abs((lastPosition[item] as number) - pStar) / o.lambdaInh);
        if (o.lambdaIdf !== false) add *= 1 + o.lambdaIdf * (index.idf[item] as number);
        if (scores[item] === 0 && add > 0) touched.push(item);
        scores[item] = (scores[item] as number) + add;
      }
    }
    const top = index.topKDense(scores, touched, k);
    for (const item of touched) scores[item] = 0;
    for (const item of distinct) weight[item] = 0;
    return top;
  }
}

export class Stan implements SessionRecommender {
  readonly name: string;
  readonly options: StanOptions;
  private readonly scorer: NeighbourhoodScorer;

  constructor(options: Partial<StanOptions> = {}, label?: string) {
    this.options = { ...STAN_DEFAULTS, ...options };
    const o = this.options;
    this.scorer = new NeighbourhoodScorer({ ...o, lambdaIpw: false, lambdaIdf: false });
    this.name = label ?? `STAN (k=${o.k}, sample=${o.sampleSize}, λ=${o.lambdaSpw}/${o.lambdaSnh}d/${o.lambdaInh})`;
  }

  train(sessions: readonly (readonly string[])[], meta?: readonly SessionMeta[]): void {
    this.scorer.train(sessions, meta);
  }

  recommend(prefix: readonly string[], k: number, meta?: SessionMeta): string[] {
    return this.scorer.recommend(prefix, k, meta);
  }
}

export class Vstan implements SessionRecommender {
  readonly name: string;
  readonly options: VstanOptions;
  private readonly scorer: NeighbourhoodScorer;

  constructor(options: Partial<VstanOptions> = {}, label?: string) {
    this.options = { ...VSTAN_DEFAULTS, ...options };
    const o = this.options;
    this.scorer = new NeighbourhoodScorer(o);
    this.name = label ?? `VSTAN (k=${o.k}, sample=${o.sampleSize}, λ=${o.lambdaSpw}/${o.lambdaSnh}d/${o.lambdaInh}/${o.lambdaIpw}/idf ${o.lambdaIdf})`;
  }

  train(sessions: readonly (readonly string[])[], meta?: readonly SessionMeta[]): void {
    this.scorer.train(sessions, meta);
  }

  recommend(prefix: readonly string[], k: number, meta?: SessionMeta): string[] {
    return this.scorer.recommend(prefix, k, meta);
  }
}
