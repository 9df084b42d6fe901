/**
 * What a recommender implements to be scored by this harness, and the shape
 * of the data it is scored on.
 *
 * A session is the list of products viewed in one visit, in order. The
 * recommender is trained on earlier sessions, then asked, for each prefix of
 * each later session, for its k best guesses of the next product.
 *
 * Sessions may come with what a shop knows besides the clicks (the visitor's
 * region, a stable shopper key, the time); Diginetica has none of it, the
 * simulated sessions have all of it. Methods that do not use it ignore it.
 */

export interface SessionMeta {
  /** Where the visitor is, e.g. "us-ca"; the same key in training and test. */
  region?: string;
  /** The same shopper across sessions (a stitched profile id). */
  shopper?: string;
  /** When the session started (ms since the epoch). */
  at?: number;
}

/** What serving costs, for recommenders that run on the shop's storage (counted over the evaluation). */
export interface RecommenderCost {
  /** Rows a recommendation request read, on average. */
  rowsReadPerRequest: number;
  /** Time one request took in this process (sql.js, one thread), on average. */
  msPerRequest?: number;
  /** Rows written (and read) per replayed training event, on average. */
  rowsWrittenPerEvent?: number;
  rowsReadPerEvent?: number;
}

export interface SessionRecommender {
  readonly name: string;
  /**
   * Learns from past sessions, oldest first (position is recency).
   * `meta[i]`, when given, describes `sessions[i]`.
   */
  train(sessions: readonly (readonly string[])[], meta?: readonly SessionMeta[]): void | Promise<void>;
  /** Up to k product ids, best first, for the next view after `prefix` (never empty prefixes). */
  recommend(prefix: readonly string[], k: number, meta?: SessionMeta): string[] | Promise<string[]>;
  /** Storage cost, when the method runs on the shop's storage. */
  cost?(): RecommenderCost;
}

export interface Dataset {
  name: string;
  /** Training sessions, oldest first. */
  train: string[][];
  /** Held-out later sessions, every item of which occurs in training. */
  test: string[][];
  trainMeta?: SessionMeta[];
  testMeta?: SessionMeta[];
  /** Where the data came from, for the report. */
  source: string;
}
