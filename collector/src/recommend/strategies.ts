/**
 * Candidate generators, one per strategy. Each reads a bounded number of rows
 * (top-N by an index) and returns products scored in [0, 1] within itself, so
 * a slot can blend them with weights (see rank.ts).
 */
import { DAY_MS } from '../lib/decay';
import { topSorted } from '../lib/top-k';
import type { Profile } from '../profiles/profile';
import type { AggregateReader } from '../aggregates/snapshot-reader';
import type { LinkKind, Scored } from './aggregate-store';
import { NEIGHBOURHOOD, scoreNeighbours } from './session-neighbours';
import type { SessionStore } from './session-store';

/**
 * Tuned on the Diginetica sessions (bench/recs-quality): next-product hit rate
 * and MRR at 10 for the home and product slots. Shoppers go back to products
 * they compared, so the home slot leads with what they just viewed next to
 * what those products lead to.
 */
export const TUNING = {
  /** Neighbours read per seed item. */
  neighbours: 60,
  /** Popularity rows read per scope. */
  popular: 60,
  /**
   * Link scores are divided by the neighbour's own total to this power, so
   * best sellers do not appear next to everything (0: raw counts, 1: lift).
   */
  normalisation: 0.2,
  /** Weight of the i-th most recent session view as a seed: recency^i. */
  recency: 0.7,
  /** Session views used as seeds. */
  seeds: 5,
  /** Weight of the shopper's own recent views among the home slot's picks ("pick up where you left off"). */
  recentlyViewedHome: 0.35,
  /** Weight of session neighbours (session kNN) in the home slot; co-views then weigh `coViewsHome`. */
  neighboursHome: 1,
  coViewsHome: 0.1,
  /** Weight of session neighbours in the product slot, next to co-views of the product on screen (weight 1). */
  neighboursProduct: 2,
  /** Session-neighbour products kept (by raw score) before their totals are read. */
  neighbourCandidates: 200,
  /** Weight of other products viewed in this session on a product page ("you were also looking at"). */
  recentlyViewedProduct: 1,
  /**
   * While the session holds one product, the home slot also weighs what the
   * best first picks are co-viewed with (a second hop), at this weight: one
   * product's ring of sessions and co-views miss many next views.
   */
  secondHopHome: 0.2,
  /** The first picks the second hop starts from. */
  secondHopPicks: 10,
  /** The second hop's best raw scores that are damped by their totals (the same top ten on Diginetica as damping all, for a sixth of the totals). */
  secondHopCandidates: 100,
};

function scaled(list: Scored[]): Scored[] {
  const top = list.reduce((max, s) => Math.max(max, s.score), 0);
  return top > 0 ? list.map((s) => ({ productId: s.productId, score: s.score / top })) : [];
}

/** Best score first; equal scores by product id, so every ranking is one strict order. */
export const byScore = (a: Scored, b: Scored) => b.score - a.score || (a.productId < b.productId ? -1 : 1);

function sortedTop(scores: Map<string, number>, limit: number): Scored[] {
  const all: Scored[] = [];
  for (const [productId, score] of scores) all.push({ productId, score });
  return topSorted(all, limit, byScore);
}

export type Totals = (productIds: string[]) => Map<string, { views: number; buys: number }>;

/** Item totals read once per request, however many sources ask for the same products. */
export function memoTotals(store: AggregateReader): Totals {
  const known = new Map<string, { views: number; buys: number } | undefined>();
  return (productIds) => {
    let missing: string[] | undefined;
    for (const id of productIds) if (!known.has(id)) (missing ??= []).push(id);
    if (missing) {
      const found = store.totals(missing);
      for (const id of missing) known.set(id, found.get(id));
    }
    const out = new Map<string, { views: number; buys: number }>();
    for (const id of productIds) {
      const total = known.get(id);
      if (total) out.set(id, total);
    }
    return out;
  };
}

/**
 * The best `limit` of the scores once each is divided by the product's total
 * views (or buys) to the normalisation power (IDF-like damping of best sellers).
 */
function dampedTop(raw: Iterable<readonly [string, number]>, ids: string[], totals: Totals, by: 'views' | 'buys', limit: number): Scored[] {
  const found = totals(ids);
  const out: Scored[] = [];
  for (const [productId, score] of raw) out.push({ productId, score: score / Math.max(1, found.get(productId)?.[by] ?? 1) ** TUNING.normalisation });
  return topSorted(out, limit, byScore);
}

/**
 * Products linked to the seeds (viewed in the same sessions, or bought
 * together), seed weights summed, normalised by each neighbour's totals.
 */
export function linked(
  store: AggregateReader,
  kind: LinkKind,
  seeds: { productId: string; weight: number }[],
  exclude: ReadonlySet<string>,
  totals: Totals = (ids) => store.totals(ids),
  /** At most this many of the best raw scores are damped (their totals read). */
  candidates = Infinity,
): Scored[] {
  const raw = new Map<string, number>();
  for (const seed of seeds) {
    for (const n of store.neighbours(kind, seed.productId, TUNING.neighbours)) {
      if (exclude.has(n.productId)) continue;
      raw.set(n.productId, (raw.get(n.productId) ?? 0) + seed.weight * n.score);
    }
  }
  if (raw.size === 0) return [];
  const by = kind === 'v' ? 'views' : 'buys';
  if (raw.size <= candidates) return scaled(dampedTop(raw, [...raw.keys()], totals, by, TUNING.neighbours));
  const top = sortedTop(raw, candidates);
  return scaled(
    dampedTop(
      top.map((s) => [s.productId, s.score] as const),
      top.map((s) => s.productId),
      totals,
      by,
      TUNING.neighbours,
    ),
  );
}

/**
 * Products of the recent sessions most like the current one (session kNN,
 * see session-neighbours.ts): candidates are the sessions in the rings of the
 * session's latest products, the shopper's own session left out; best sellers
 * damped like co-views.
 */
export function sessionNeighbours(
  store: SessionStore,
  current: readonly string[],
  ownSession: string | undefined,
  nowMs: number,
  exclude: ReadonlySet<string>,
  totals: Totals,
): Scored[] {
  const rings = store.ringsOf(current.slice(-NEIGHBOURHOOD.seeds));
  const keys = new Set<string>();
  for (const ring of rings.values()) for (const key of ring) if (key !== ownSession) keys.add(key);
  const scores = scoreNeighbours(current, store.sessions([...keys]), nowMs);
  for (const productId of exclude) scores.delete(productId);
  if (scores.size === 0) return [];
  const top = sortedTop(scores, TUNING.neighbourCandidates);
  return scaled(
    dampedTop(
      top.map((s) => [s.productId, s.score] as const),
      top.map((s) => s.productId),
      totals,
      'views',
      TUNING.neighbours,
    ),
  );
}

/**
 * Co-views of the best first picks (two sources blended with their weights),
 * each weighted by its blended score; the session's own products are not
 * picks. A one-product session has few neighbours and one list of co-views:
 * the products next to those find next views neither holds.
 */
export function secondHop(
  store: AggregateReader,
  first: readonly { candidates: readonly Scored[]; weight: number }[],
  session: readonly string[],
  exclude: ReadonlySet<string>,
  totals: Totals,
): Scored[] {
  const blended = new Map<string, number>();
  for (const { candidates, weight } of first) {
    for (const c of candidates) if (!session.includes(c.productId)) blended.set(c.productId, (blended.get(c.productId) ?? 0) + c.score * weight);
  }
  const picks = sortedTop(blended, TUNING.secondHopPicks).map((s) => ({ productId: s.productId, weight: s.score }));
  return picks.length > 0 ? linked(store, 'v', picks, exclude, totals, TUNING.secondHopCandidates) : [];
}

/** Seeds from a session: the most recent views weigh most. */
export function sessionSeeds(recentFirst: readonly string[]): { productId: string; weight: number }[] {
  return recentFirst.slice(0, TUNING.seeds).map((productId, i) => ({ productId, weight: TUNING.recency ** i }));
}

/** The seeds themselves: products the shopper looked at, the latest first. */
export function recentlyViewed(seeds: { productId: string; weight: number }[], exclude: ReadonlySet<string>): Scored[] {
  return scaled(seeds.filter((s) => !exclude.has(s.productId)).map((s) => ({ productId: s.productId, score: s.weight })));
}

/**
 * A scope's most popular products that the slot may show; `minShoppers`: a
 * regional scope's floor (popularity-floor.ts). Scored against the best of
 * those that are left, like every other source: a list scaled against
 * products the page already shows would weigh too little in the blend (a
 * region's trending shelf under its own "picked for you" would show only the
 * site's trending).
 */
export function popular(store: AggregateReader, scopeName: string, exclude: ReadonlySet<string>, minShoppers?: number): Scored[] {
  const top = store.top(scopeName, TUNING.popular, minShoppers);
  return scaled(exclude.size > 0 ? top.filter((s) => !exclude.has(s.productId)) : top);
}

/** Popular products of the shopper's strongest interest categories, weighted by interest. */
export function interestPicks(store: AggregateReader, categories: { category: string; score: number }[], exclude: ReadonlySet<string>): Scored[] {
  const scores = new Map<string, number>();
  for (const { category, score: weight } of categories.slice(0, 3)) {
    for (const s of popular(store, `cat:${category}`, exclude)) scores.set(s.productId, (scores.get(s.productId) ?? 0) + weight * s.score);
  }
  return scaled(sortedTop(scores, TUNING.popular));
}

/**
 * Products the shopper buys on a cycle and is due to buy again: elapsed time
 * since the last purchase near or past their interval (their own, or the
 * shop's typical one for the product).
 */
export function dueForReorder(profile: Profile, shopIntervals: Map<string, number>, nowMs: number): Scored[] {
  const due: Scored[] = [];
  for (const [productId, history] of Object.entries(profile.purchases)) {
    const interval = history.meanIntervalMs ?? shopIntervals.get(productId);
    if (!interval || interval < DAY_MS) continue;
    const progress = (nowMs - history.lastAt) / interval;
    // Due from 80% of the cycle; most due first, fading once long overdue.
    if (progress >= 0.8) due.push({ productId, score: progress <= 1.5 ? progress : 1.5 / progress });
  }
  return scaled(due.sort((a, b) => b.score - a.score));
}
