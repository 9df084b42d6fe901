/**
 * V-SKNN, vector-multiplication session kNN (Ludewig & Jannach 2018,
 * "Evaluation of session-based recommendation algorithms"; "VMContextKNN" in
 * session-rec), as its papers and the session-rec reference define it:
 *
 * - the current session is a vector: each item weighs by the position of its
 *   last view, later views more (`weighting`: same, div i/n, linear
 *   1 − 0.1·(n − i), quadratic (i/n)², log 1/log10(n − i + 1.7));
 * - candidates are the `sampleSize` most recent training sessions sharing an
 *   item with it; similarity is the dot product of the current vector with a
 *   candidate's binary item set, divided by the number of distinct current
 *   items; the `k` most similar are the neighbours;
 * - each item of a neighbour scores the neighbour's similarity, times a decay
 *   by how far back in the current session the most recent item it shares
 *   with that neighbour was (`weightingScore`, step s = 1 for the last view:
 *   same, div 1/s, linear 1 − 0.1·s, quadratic 1/s², log 1/log10(s + 1.7)),
 *   times 1 + idfWeighting · idf(item) when IDF weighting is on
 *   (idf = log(training sessions / views of the item));
 * - items of the current session are scored like any other ("remind").
 *
 * The reference's linear decays go to zero past the tenth position but also
 * below zero (a negative score); here they stop at zero.
 */
import type { SessionRecommender } from './recommender';
import { SessionIndex, topSessions } from './session-index';

export type Weighting = 'same' | 'div' | 'linear' | 'quadratic' | 'log';

export interface VsknnOptions {
  k: number;
  sampleSize: number;
  /** Weight of a current item by its position i (1-based) among the session's n views. */
  weighting: Weighting;
  /** Decay of a neighbour's contribution by the step back to the item it shares. */
  weightingScore: Weighting;
  /** Weight of IDF in item scores; false for none. */
  idfWeighting: number | false;
}

export const VSKNN_DEFAULTS: VsknnOptions = { k: 100, sampleSize: 500, weighting: 'div', weightingScore: 'div', idfWeighting: false };

export function positionWeight(weighting: Weighting, i: number, n: number): number {
  switch (weighting) {
    case 'same':
      return 1;
    case 'div':
      return i / n;
    case 'linear':
      return Math.max(0, 1 - 0.1 * (n - i));
    case 'quadratic':
      return (i / n) ** 2;
    case 'log':
      return 1 / Math.log10(n - i + 1.7);
  }
}

export function stepDecay(weighting: Weighting, step: number): number {
  switch (weighting) {
    case 'same':
      return 1;
    case 'div':
      return 1 / step;
    case 'linear':
      return Math.max(0, 1 - 0.1 * step);
    case 'quadratic':
      return 1 / (step * step);
    case 'log':
      return 1 / Math.log10(step + 1.7);
  }
}

export class Vsknn implements SessionRecommender {
  readonly name: string;
  readonly options: VsknnOptions;
  private index = new SessionIndex([]);
  /** Per item: its weight in the current session (0: not in it). */
  private weight = new Float64Array(0);
  /** Per item: marks the current neighbour's items (=== mark). */
  private inNeighbour = new Int32Array(0);
  private mark = 0;
  private scores = new Float64Array(0);

  constructor(options: Partial<VsknnOptions> = {}, label?: string) {
    this.options = { ...VSKNN_DEFAULTS, ...options };
    const o = this.options;
    this.name =
      label ?? `V-SKNN (k=${o.k}, sample=${o.sampleSize}, ${o.weighting}/${o.weightingScore}, idf=${o.idfWeighting === false ? 'off' : o.idfWeighting})`;
  }

  train(sessions: readonly (readonly string[])[]): void {
    this.index = SessionIndex.of(sessions);
    const n = this.index.items.size;
    this.weight = new Float64Array(n);
    this.inNeighbour = new Int32Array(n);
    this.scores = new Float64Array(n);
  }

  recommend(prefix: readonly string[], k: number): string[] {
    const { index, weight, inNeighbour, scores, options: o } = this;
    const sequence = index.items.known(prefix);
    if (sequence.length === 0) return index.topKDense(scores, [], k);
    const n = sequence.length;
    const distinct: number[] = [];
    sequence.forEach((id, i) => {
      if (!distinct.includes(id)) distinct.push(id);
      weight[id] = positionWeight(o.weighting, i + 1, n);
    });

    const candidates = index.recentSessionsWithAny(distinct, o.sampleSize);
    const similarity = new Float64Array(candidates.length);
    const kept = new Int32Array(candidates.length);
    let count = 0;
    for (const session of candidates) {
      let dot = 0;
      for (const item of index.sessionItems[session] as Int32Array) dot += weight[item] as number;
      if (dot > 0) {
        kept[count] = session;
        similarity[count++] = dot / distinct.length;
      }
    }
    const neighbours = topSessions(kept, similarity, count, o.k);

    const touched: number[] = [];
    for (let j = 0; j < neighbours.sessions.length; j++) {
      const items = index.sessionItems[neighbours.sessions[j] as number] as Int32Array;
      this.mark++;
      for (const item of items) inNeighbour[item] = this.mark;
      let step = 1;
      while (step <= n && inNeighbour[sequence[n - step] as number] !== this.mark) step++;
      const base = (neighbours.scores[j] as number) * stepDecay(o.weightingScore, step);
      if (base === 0) continue;
      for (const item of items) {
        if (scores[item] === 0) touched.push(item);
        scores[item] = (scores[item] as number) + (o.idfWeighting === false ? base : base * (1 + (index.idf[item] as number) * o.idfWeighting));
      }
    }
    const top = index.topKDense(scores, touched, k);
    for (const item of touched) scores[item] = 0;
    for (const item of distinct) weight[item] = 0;
    return top;
  }
}
