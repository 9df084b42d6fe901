/**
 * What the neighbourhood methods learn from the training sessions, indexed
 * once: items as dense integers, each session's views in order and its
 * distinct items, item → the sessions containing it (oldest first), each
 * session's time, item view counts and their IDF.
 *
 * Predictions then do bounded work: candidate sessions are taken from the
 * tails of the item → sessions lists (the most recent ones), never from a
 * scan of the history.
 */
import type { SessionMeta } from './recommender';

/** Item ids as dense integers, so indexes are typed arrays and counters are array slots. */
export class ItemIds {
  private readonly ids = new Map<string, number>();
  readonly names: string[] = [];

  intern(item: string): number {
    let id = this.ids.get(item);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(item, id);
      this.names.push(item);
    }
    return id;
  }

  get(item: string): number | undefined {
    return this.ids.get(item);
  }

  /** The ids of a session's items in order, leaving out items never seen in training. */
  known(items: readonly string[]): number[] {
    const ids: number[] = [];
    for (const item of items) {
      const id = this.ids.get(item);
      if (id !== undefined) ids.push(id);
    }
    return ids;
  }

  get size(): number {
    return this.names.length;
  }
}

/** Indexes already built, per training set (tuning scores many configurations on one). */
const built = new WeakMap<readonly (readonly string[])[], WeakMap<object, SessionIndex>>();
const NO_META = {};

export class SessionIndex {
  /** The index of these sessions, built once and shared by the methods trained on them. */
  static of(sessions: readonly (readonly string[])[], meta?: readonly SessionMeta[]): SessionIndex {
    let byMeta = built.get(sessions);
    if (!byMeta) built.set(sessions, (byMeta = new WeakMap()));
    let index = byMeta.get(meta ?? NO_META);
    if (!index) byMeta.set(meta ?? NO_META, (index = new SessionIndex(sessions, meta)));
    return index;
  }

  readonly items = new ItemIds();
  /** Each training session's views in order, repeats included. */
  readonly sequences: Int32Array[] = [];
  /** The distinct items of each training session, in order of first view. */
  readonly sessionItems: Int32Array[] = [];
  /** item → the sessions containing it, ascending (oldest first). */
  readonly sessionsOf: Int32Array[];
  /** item → number of views in training. */
  readonly views: Float64Array;
  /** item → log(sessions / views), the IDF session-rec's V-SKNN and VSTAN use. */
  readonly idf: Float64Array;
  /** Items by views, most viewed first (ties: first seen first). */
  readonly ranking: number[];
  /** When each session happened (ms); NaN when the data has no clock. */
  readonly times: Float64Array;

  constructor(sessions: readonly (readonly string[])[], meta?: readonly SessionMeta[]) {
    const lists: number[][] = [];
    const views: number[] = [];
    sessions.forEach((session, s) => {
      const sequence = new Int32Array(session.length);
      const distinct = new Set<number>();
      session.forEach((item, i) => {
        const id = this.items.intern(item);
        views[id] = (views[id] ?? 0) + 1;
        sequence[i] = id;
        distinct.add(id);
      });
      this.sequences.push(sequence);
      this.sessionItems.push(Int32Array.from(distinct));
      for (const id of distinct) (lists[id] ??= []).push(s);
    });
    const n = this.items.size;
    this.sessionsOf = Array.from({ length: n }, (_, id) => Int32Array.from(lists[id] ?? []));
    this.views = Float64Array.from({ length: n }, (_, id) => views[id] ?? 0);
    this.idf = this.views.map((v) => (v > 0 ? Math.log(sessions.length / v) : 0));
    this.ranking = Array.from({ length: n }, (_, id) => id).sort((a, b) => (this.views[b] as number) - (this.views[a] as number) || a - b);
    this.times = Float64Array.from(sessions, (_, s) => meta?.[s]?.at ?? Number.NaN);
  }

  /** The top k ids by score (a sparse map), ties to the more viewed item, then filled up with the most viewed. */
  topK(scores: Map<number, number>, k: number): string[] {
    const ranked = [...scores.entries()]
      .sort((a, b) => b[1] - a[1] || (this.views[b[0]] as number) - (this.views[a[0]] as number) || a[0] - b[0])
      .slice(0, k)
      .map(([id]) => id);
    return this.fill(ranked, k);
  }

  /**
   * The same from dense scores: `touched` lists the items with a score, so
   * only they are looked at (a linear pass keeping the best k).
   */
  topKDense(scores: Float64Array, touched: readonly number[], k: number): string[] {
    const best: number[] = [];
    const better = (a: number, b: number) => {
      const sa = scores[a] as number;
      const sb = scores[b] as number;
      return sa > sb || (sa === sb && ((this.views[a] as number) > (this.views[b] as number) || (this.views[a] === this.views[b] && a < b)));
    };
    for (const id of touched) {
      if (!((scores[id] as number) > 0)) continue;
      if (best.length === k && !better(id, best[k - 1] as number)) continue;
      let i = best.length < k ? best.length : k - 1;
      best[i] = id;
      while (i > 0 && better(id, best[i - 1] as number)) {
        best[i] = best[i - 1] as number;
        best[i - 1] = id;
        i--;
      }
    }
    return this.fill(best, k);
  }

  private fill(ranked: number[], k: number): string[] {
    if (ranked.length < k) {
      const taken = new Set(ranked);
      for (const id of this.ranking) {
        if (ranked.length >= k) break;
        if (!taken.has(id)) ranked.push(id);
      }
    }
    return ranked.map((id) => this.items.names[id] as string);
  }

  /**
   * The `sampleSize` most recent training sessions containing any of the
   * items. They are all among each item's own `sampleSize` most recent
   * sessions, so only those tails are merged: bounded work even for best
   * sellers. Newest first.
   */
  recentSessionsWithAny(items: readonly number[], sampleSize: number): Int32Array {
    if (items.length === 1) {
      const sessions = this.sessionsOf[items[0] as number] as Int32Array;
      return sessions.slice(Math.max(0, sessions.length - sampleSize)).reverse();
    }
    let total = 0;
    for (const id of items) total += Math.min(sampleSize, (this.sessionsOf[id] as Int32Array).length);
    const pool = new Int32Array(total);
    let at = 0;
    for (const id of items) {
      const sessions = this.sessionsOf[id] as Int32Array;
      const from = Math.max(0, sessions.length - sampleSize);
      pool.set(sessions.subarray(from), at);
      at += sessions.length - from;
    }
    pool.sort();
    const recent = new Int32Array(Math.min(sampleSize, total));
    let n = 0;
    for (let i = pool.length - 1; i >= 0 && n < recent.length; i--) {
      if (i === pool.length - 1 || pool[i] !== pool[i + 1]) recent[n++] = pool[i] as number;
    }
    return recent.subarray(0, n);
  }
}

/**
 * Keeps the `k` best of `count` scored candidates (ties: the later, i.e. more
 * recent, session first), best first. Quickselect on a copy, then a sort of
 * the k kept: linear in the number of candidates.
 */
export function topSessions(sessions: Int32Array, scores: Float64Array, count: number, k: number): { sessions: Int32Array; scores: Float64Array } {
  let keep: number[];
  if (count <= k) {
    keep = Array.from({ length: count }, (_, i) => i);
  } else {
    const threshold = kthLargest(scores.slice(0, count), k);
    keep = [];
    const ties: number[] = [];
    for (let i = 0; i < count; i++) {
      const s = scores[i] as number;
      if (s > threshold) keep.push(i);
      else if (s === threshold) ties.push(i);
    }
    ties.sort((a, b) => (sessions[b] as number) - (sessions[a] as number));
    for (const i of ties) {
      if (keep.length >= k) break;
      keep.push(i);
    }
  }
  keep.sort((a, b) => (scores[b] as number) - (scores[a] as number) || (sessions[b] as number) - (sessions[a] as number));
  return { sessions: Int32Array.from(keep, (i) => sessions[i] as number), scores: Float64Array.from(keep, (i) => scores[i] as number) };
}

/** The k-th largest value (1-based) of the array, which is reordered. */
function kthLargest(values: Float64Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  const target = k - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >>> 1] as number;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((values[i] as number) > pivot) i++;
      while ((values[j] as number) < pivot) j--;
      if (i <= j) {
        const t = values[i] as number;
        values[i] = values[j] as number;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return values[target] as number;
  }
  return values[target] as number;
}
