/**
 * Next-item evaluation as session-based recommendation papers report it:
 * for each test session and each position t ≥ 1, the items before t are the
 * prefix and item t is the target; over all (prefix, target) pairs,
 *
 *   HR@K  = share of pairs whose target is among the first K recommendations
 *   MRR@K = mean of 1/rank of the target, 0 when it is not in the first K.
 */
import type { SessionMeta, SessionRecommender } from './recommender';

export interface Evaluation {
  k: number;
  hitRate: number;
  mrr: number;
  /** (prefix, target) pairs scored. */
  pairs: number;
  elapsedMs: number;
}

/** Every (prefix, target) pair of the sessions, in order. */
export function* nextItemPairs(sessions: readonly (readonly string[])[]): Generator<{ session: number; prefix: readonly string[]; target: string }> {
  for (let s = 0; s < sessions.length; s++) {
    const items = sessions[s] as readonly string[];
    for (let t = 1; t < items.length; t++) yield { session: s, prefix: items.slice(0, t), target: items[t] as string };
  }
}

/** 1-based rank of the target within the first k recommendations, or 0 when absent. */
export function rankOf(recommendations: readonly string[], target: string, k: number): number {
  const limit = Math.min(k, recommendations.length);
  for (let i = 0; i < limit; i++) if (recommendations[i] === target) return i + 1;
  return 0;
}

export class MetricAccumulator {
  private hits = 0;
  private reciprocal = 0;
  private count = 0;

  constructor(readonly k: number) {}

  add(recommendations: readonly string[], target: string): void {
    const rank = rankOf(recommendations, target, this.k);
    this.count++;
    if (rank > 0) {
      this.hits++;
      this.reciprocal += 1 / rank;
    }
  }

  get pairs(): number {
    return this.count;
  }

  result(elapsedMs = 0): Evaluation {
    return {
      k: this.k,
      hitRate: this.count ? this.hits / this.count : 0,
      mrr: this.count ? this.reciprocal / this.count : 0,
      pairs: this.count,
      elapsedMs,
    };
  }
}

/** Scores a trained recommender on the test sessions. */
export async function evaluate(
  recommender: SessionRecommender,
  test: readonly (readonly string[])[],
  options: { k?: number; meta?: readonly SessionMeta[] } = {},
): Promise<Evaluation> {
  const k = options.k ?? 10;
  const metrics = new MetricAccumulator(k);
  const started = performance.now();
  for (const { session, prefix, target } of nextItemPairs(test)) {
    const meta = options.meta?.[session];
    const answer = recommender.recommend(prefix, k, meta);
    // Only await when the recommender is asynchronous: 60k awaits of plain arrays cost real time.
    const recommendations = Array.isArray(answer) ? answer : await answer;
    metrics.add(recommendations, target);
  }
  return metrics.result(performance.now() - started);
}
