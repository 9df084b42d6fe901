/**
 * RFM quintile scores within a site (`rfm.recency`, `rfm.frequency`,
 * `rfm.monetary`, 1–5, 5 best) when the site's customers live on many
 * profile hosts: each host summarises its own customers in a mergeable
 * sketch, the sketches add up, and the sum gives the site's boundaries,
 * which every host then scores against.
 *
 * The sketch is a histogram over logarithmic bins (each 2% wide, as in
 * DDSketch), so its size grows with the range of values, not with the
 * number of customers (a few hundred bins per metric), and merging is adding
 * counts. Recency is kept in whole days since the latest order.
 *
 * Ties: a value's score comes from its mid-rank (the share of customers
 * below it plus half of those equal), so customers with the same value
 * share a score and a site where most customers ordered once does not put
 * them all in the top quintile of frequency.
 *
 * Refresh: recency ages every day, so a host re-summarises once a day (a
 * pass over its customers' documents) and the site's boundaries are
 * recomputed from the merged sketches. Boundaries that come out unchanged
 * (`sameBoundaries`) cost nothing; when they change, every profile's rfm
 * facts may change with no event of its own, so the audiences that use rfm
 * facts are evaluated again over all profiles (AudienceStore.invalidate →
 * backfill in bounded steps: one evaluation per profile and such audience).
 */
import { DAY_MS } from '../lib/decay';

export type RfmMetric = 'recency' | 'frequency' | 'monetary';

/** Counts per logarithmic bin; `zero` counts values ≤ 0. */
export interface Sketch {
  count: number;
  zero: number;
  bins: Record<string, number>;
}

export interface RfmSummary {
  /** When recency was measured (days since the latest order, at this moment). */
  at: number;
  recency: Sketch;
  frequency: Sketch;
  monetary: Sketch;
}

/**
 * Four cut-offs per metric, ascending. frequency and monetary: a value ≥
 * cut[k] scores at least k + 2. recency (days): a value ≥ cut[k] scores at
 * most 4 − k. Infinity: no customer reaches that step.
 */
export interface RfmBoundaries {
  computedAt: number;
  customers: number;
  recency: number[];
  frequency: number[];
  monetary: number[];
}

const GAMMA = 1.02;
const LOG_GAMMA = Math.log(GAMMA);

const binOf = (x: number) => Math.floor(Math.log(x) / LOG_GAMMA);
const edgeOf = (bin: number) => GAMMA ** bin;

export const emptySketch = (): Sketch => ({ count: 0, zero: 0, bins: {} });
export const emptyRfmSummary = (at: number): RfmSummary => ({ at, recency: emptySketch(), frequency: emptySketch(), monetary: emptySketch() });

/** Adds `n` customers with this value. */
export function addToSketch(sketch: Sketch, value: number, n = 1): void {
  if (!Number.isFinite(value) || n <= 0) return;
  sketch.count += n;
  if (value <= 0) {
    sketch.zero += n;
    return;
  }
  const key = String(binOf(value));
  sketch.bins[key] = (sketch.bins[key] ?? 0) + n;
}

/** The sketch bin of a positive value, or null for values ≤ 0 (counted apart): what a host keeps counts by. */
export const sketchBin = (value: number): number | null => (value > 0 && Number.isFinite(value) ? binOf(value) : null);

/** Adds `n` customers to a sketch by bin (sketchBin), without the value itself. */
export function addBinToSketch(sketch: Sketch, bin: number | null, n: number): void {
  sketch.count += n;
  if (bin === null) sketch.zero += n;
  else sketch.bins[String(bin)] = (sketch.bins[String(bin)] ?? 0) + n;
}

export function mergeSketches(a: Sketch, b: Sketch): Sketch {
  const bins = { ...a.bins };
  for (const [key, n] of Object.entries(b.bins)) bins[key] = (bins[key] ?? 0) + n;
  return { count: a.count + b.count, zero: a.zero + b.zero, bins };
}

/** A customer's RFM inputs: only profiles with orders count. */
export function addCustomer(summary: RfmSummary, customer: { orders: number; revenue: number; lastOrderAt: number | undefined }): void {
  if (customer.orders <= 0 || customer.lastOrderAt === undefined) return;
  addToSketch(summary.recency, Math.max(0, Math.floor((summary.at - customer.lastOrderAt) / DAY_MS)));
  addToSketch(summary.frequency, customer.orders);
  addToSketch(summary.monetary, customer.revenue);
}

/** Summaries of the same site from several hosts; taken at about the same time (recency is relative to `at`). */
export function mergeRfmSummaries(summaries: RfmSummary[]): RfmSummary {
  return summaries.reduce(
    (sum, s) => ({
      at: Math.max(sum.at, s.at),
      recency: mergeSketches(sum.recency, s.recency),
      frequency: mergeSketches(sum.frequency, s.frequency),
      monetary: mergeSketches(sum.monetary, s.monetary),
    }),
    emptyRfmSummary(0),
  );
}

/** Bins ascending by value, each with its lower edge and its score by mid-rank (5 for the highest values). */
function binScores(sketch: Sketch): { edge: number; score: number }[] {
  const bins = [
    ...(sketch.zero ? [{ edge: 0, n: sketch.zero }] : []),
    ...Object.entries(sketch.bins)
      .map(([key, n]) => ({ bin: Number(key), n }))
      .sort((a, b) => a.bin - b.bin)
      .map(({ bin, n }) => ({ edge: edgeOf(bin), n })),
  ];
  let below = 0;
  return bins.map(({ edge, n }) => {
    const midRank = (below + n / 2) / sketch.count;
    below += n;
    return { edge, score: Math.min(5, Math.max(1, Math.ceil(5 * midRank))) };
  });
}

/** Where higher values score higher: the lowest edge reaching each score 2–5. */
function risingCuts(sketch: Sketch): number[] {
  const bins = binScores(sketch);
  return [2, 3, 4, 5].map((score) => bins.find((b) => b.score >= score)?.edge ?? Infinity);
}

/** Recency: fewer days score higher; the lowest edge from which the score is at most 4, 3, 2, 1. */
function fallingCuts(sketch: Sketch): number[] {
  const bins = binScores(sketch).map((b) => ({ edge: b.edge, score: 6 - b.score }));
  return [4, 3, 2, 1].map((score) => bins.find((b) => b.score <= score)?.edge ?? Infinity);
}

export function rfmBoundaries(summary: RfmSummary): RfmBoundaries {
  return {
    computedAt: summary.at,
    customers: summary.frequency.count,
    recency: fallingCuts(summary.recency),
    frequency: risingCuts(summary.frequency),
    monetary: risingCuts(summary.monetary),
  };
}

export function rfmScore(metric: RfmMetric, value: number, boundaries: RfmBoundaries): number {
  const cuts = boundaries[metric];
  let reached = 0;
  for (const cut of cuts) if (value >= cut) reached++;
  return metric === 'recency' ? 5 - reached : 1 + reached;
}

/**
 * Where new boundaries score customers differently from old ones, per metric:
 * the value ranges [low, high) between each cut that moved and where it
 * went. Only customers in them change score now; for recency (days since the
 * latest order, which grows), `earlierCuts` are the new cuts that came
 * before the old: customers not there yet will cross them sooner than their
 * wake-up planned with the old ones.
 */
export interface BoundaryShift {
  recency: [number, number][];
  frequency: [number, number][];
  monetary: [number, number][];
  earlierCuts: number[];
}

export function boundaryShift(before: RfmBoundaries | undefined, after: RfmBoundaries): BoundaryShift {
  const ranges = (metric: RfmMetric): [number, number][] => {
    if (!before) return [[-Infinity, Infinity]];
    const out: [number, number][] = [];
    after[metric].forEach((cut, k) => {
      const old = before[metric][k] ?? Infinity;
      if (cut !== old) out.push([Math.min(cut, old), Math.max(cut, old)]);
    });
    return out;
  };
  const earlierCuts = before
    ? after.recency.filter((cut, k) => cut < (before.recency[k] ?? Infinity) && Number.isFinite(cut))
    : after.recency.filter(Number.isFinite);
  return { recency: ranges('recency'), frequency: ranges('frequency'), monetary: ranges('monetary'), earlierCuts };
}

/** Whether new boundaries would score anyone differently (if not, nothing needs evaluating again). */
export function sameBoundaries(a: RfmBoundaries | undefined, b: RfmBoundaries | undefined): boolean {
  if (!a || !b) return a === b;
  const same = (x: number[], y: number[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  return same(a.recency, b.recency) && same(a.frequency, b.frequency) && same(a.monetary, b.monetary);
}
