/**
 * Session neighbours: products viewed in the recent sessions most like the
 * shopper's current one, scored the way the best published neighbourhood
 * methods do (STAN, Garg et al. 2019; VSTAN, Latifi, Mauro & Jannach 2021):
 *
 * - the current session is a vector in which a product weighs
 *   exp((i − n) / spw) by the position i of its last view among n;
 * - a candidate session's similarity is the cosine of that vector with the
 *   candidate's products, times exp(−age / snh) for a candidate older than now;
 * - the k most similar are the neighbours; a product of a neighbour scores its
 *   similarity times exp(−|p − p*| / inh), p its position in the neighbour and
 *   p* the position there of the neighbour's last product shared with the
 *   current session, times exp((i* − n) / ipw), i* the position in the current
 *   session of the latest view the neighbour shares.
 *
 * Pure: the candidates come from SessionStore (a bounded read), and the
 * popularity damping that plays the part of IDF is applied by the caller with
 * the other sources' (strategies.ts).
 */
import { topSorted } from '../lib/top-k';
import type { RecentSession } from './session-store';

const DAY_MS = 86_400_000;

/** Chosen on the Diginetica validation day (bench/recs-quality/tune.ts). */
export const NEIGHBOURHOOD = {
  /** The current session's latest products whose rings give the candidates. */
  seeds: 5,
  /** Neighbours kept. */
  k: 100,
  /** λ of the position weight in the current session. */
  spw: 2.5,
  /** λ of the neighbour's age, in days. */
  snhDays: 80,
  /** λ of a product's distance to the shared product in a neighbour. */
  inh: 10,
  /** λ of how far back the neighbour's latest shared view is in the current session. */
  ipw: 1.25,
};

/**
 * Scores the products of the candidate sessions for the current session
 * (oldest first, each product once, in the order last viewed).
 */
export function scoreNeighbours(current: readonly string[], candidates: readonly RecentSession[], nowMs: number, p = NEIGHBOURHOOD): Map<string, number> {
  const scores = new Map<string, number>();
  const n = current.length;
  if (n === 0) return scores;
  const weight = new Map<string, number>();
  const position = new Map<string, number>();
  current.forEach((productId, i) => {
    weight.set(productId, Math.exp((i + 1 - n) / p.spw));
    position.set(productId, i + 1);
  });
  let norm = 0;
  for (const w of weight.values()) norm += w * w;
  norm = Math.sqrt(norm);

  const neighbours: Neighbour[] = [];
  for (let order = 0; order < candidates.length; order++) {
    const session = candidates[order]!;
    if (session.products.length === 0) continue;
    let dot = 0;
    for (const productId of session.products) dot += weight.get(productId) ?? 0;
    if (dot === 0) continue;
    const age = Math.max(0, nowMs - session.at);
    neighbours.push({ session, order, similarity: (dot / (norm * Math.sqrt(session.products.length))) * Math.exp(-age / (p.snhDays * DAY_MS)) });
  }

  // exp(−d / inh) for the distances d met so far (the same values, computed once per distance).
  const nearness: number[] = [];
  for (const { session, similarity } of topSorted(neighbours, p.k, mostSimilarFirst)) {
    const products = session.products;
    let shared = 0;
    let latestShared = 0;
    for (let index = 0; index < products.length; index++) {
      const i = position.get(products[index]!);
      if (i === undefined) continue;
      shared = index + 1;
      latestShared = Math.max(latestShared, i);
    }
    const base = similarity * Math.exp((latestShared - n) / p.ipw);
    for (let index = 0; index < products.length; index++) {
      const productId = products[index]!;
      const d = Math.abs(index + 1 - shared);
      const near = (nearness[d] ??= Math.exp(-d / p.inh));
      scores.set(productId, (scores.get(productId) ?? 0) + base * near);
    }
  }
  return scores;
}

interface Neighbour {
  session: RecentSession;
  /** Its place among the candidates: the last tie-break, so the order is the stable sort's. */
  order: number;
  similarity: number;
}

/** Most similar first; among equals the more recent session, then the candidates' order. */
const mostSimilarFirst = (a: Neighbour, b: Neighbour) => b.similarity - a.similarity || b.session.at - a.session.at || a.order - b.order;
