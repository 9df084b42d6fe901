/**
 * When an IngestShard drains, and how long it rests between drains: the
 * balance between acknowledging requests fast and storing what was
 * acknowledged soon. Pure; the shard keeps the state and calls these.
 *
 * At ordinary rates a shard drains DRAIN_DELAY_MS after the first message.
 * For the first seconds of a burst it does not drain at all, so the CPU goes
 * to acknowledging (the buffer absorbs the burst, as a queue would); a burst
 * lasts until the shard has stored everything it brought. Past
 * that, drains rest DRAIN_REST_FACTOR times as long as they work while
 * requests keep arriving, unless what waits would take longer than
 * MAX_BACKLOG_MS to store (a site's shards share it): then they run back to
 * back, so a long burst is stored within about that long of its last
 * acknowledgement.
 */

/** Wait this long after the first message before draining, so one drain carries many requests. */
export const DRAIN_DELAY_MS = 200;
/**
 * While requests keep arriving and the backlog is short, rest this many
 * times as long as the last drain took before the next: storage work stays a
 * bounded share of the CPU, accepting stays fast, and each drain carries a
 * large batch.
 */
export const DRAIN_REST_FACTOR = 4;
/** Between drains run back to back: long enough to let waiting requests in. */
export const BACKLOG_REST_MS = 5;
/**
 * A burst: at least this many messages a second reaching a shard. For the
 * first MAX_BURST_DEFER_MS of a burst the drain waits. Below this rate a
 * shopper's events are stored within DRAIN_DELAY_MS, which keeps
 * recommendations fresh.
 */
export const BURST_MESSAGES_PER_S = 500;
export const MAX_BURST_DEFER_MS = 5000;
/** Past this many waiting messages the drain runs back to back whatever arrives: the buffer stays bounded. */
export const HIGH_WATER_MESSAGES = 20_000;
/**
 * Past the burst's hold-back, the drain runs back to back while what waits
 * would take longer than this to store at the rate the shard's recent drains
 * stored. That rate is measured on the wall clock, so it counts everything a
 * drain waits for: the objects it calls, D1, R2, and whatever else shares
 * their threads (acceptance, other shards' drains).
 */
export const MAX_BACKLOG_MS = 3000;
/** The stored-per-millisecond estimate follows the latest drains with this weight. */
const RATE_WEIGHT = 0.3;
/** A drain of fewer messages says little of the rate (its fixed costs dominate). */
const MIN_RATE_SAMPLE = 100;
const MAX_BACKOFF_MS = 60_000;

/** Messages stored per millisecond, updated with one drain's figures (unchanged when the drain was too small to tell). */
export function nextStoredRate(previous: number | undefined, drained: number, tookMs: number): number | undefined {
  if (drained < MIN_RATE_SAMPLE) return previous;
  const rate = drained / Math.max(1, tookMs);
  return previous === undefined ? rate : previous + RATE_WEIGHT * (rate - previous);
}

/**
 * When the burst that began at `burstSince` stands, with `pending` messages
 * waiting: the one rule for a burst's end, applied by holdBack before each
 * drain and by the shard after each (ingest-shard.ts).
 *
 * A burst ends only once the shard has stored everything: while a backlog
 * is being drained, acceptance slows (the drain takes the CPU) and the rate
 * drops below BURST_MESSAGES_PER_S, but that is the same burst, and holding
 * the drain back again then would let the backlog grow by another
 * MAX_BURST_DEFER_MS of acceptance each time it had been brought down. Once
 * everything is stored, the next burst is held back afresh.
 */
export function burstAfter(burstSince: number | undefined, pending: number): number | undefined {
  return pending === 0 ? undefined : burstSince;
}

/**
 * Is a burst on that the drain should stay out of for now? `rate`: messages
 * a second that reached the shard since the last look; `burstSince`: when
 * the burst began (undefined: none yet); it ends as burstAfter says.
 */
export function holdBack({ rate, burstSince, now, pending }: { rate: number; burstSince: number | undefined; now: number; pending: number }): {
  defer: boolean;
  burstSince: number | undefined;
} {
  const current = burstAfter(burstSince, pending);
  if (rate < BURST_MESSAGES_PER_S) return { defer: false, burstSince: current };
  const since = current ?? now;
  return { defer: now - since < MAX_BURST_DEFER_MS && pending < HIGH_WATER_MESSAGES, burstSince: since };
}

/**
 * How long to wait before the next drain, when messages remain after one.
 * `arrived`: messages accepted while the drain ran; `attempts`: the most
 * failed drains of a waiting row (0: the last drain stored everything it took).
 */
export function restAfterDrain({
  tookMs,
  pending,
  arrived,
  storedPerMs,
  attempts,
  shards = 1,
  random = Math.random,
}: {
  tookMs: number;
  pending: number;
  arrived: number;
  storedPerMs: number | undefined;
  attempts: number;
  /**
   * The site's ingest shards. They all drain into the same ShopState, one
   * object on one thread, so their backlogs are stored one after another:
   * each keeps its share of MAX_BACKLOG_MS, and the site's whole backlog
   * stays within it. (A shard measures its rate mostly while draining
   * alone, so its own estimate does not see the others waiting.)
   */
  shards?: number;
  random?: () => number;
}): number {
  if (attempts > 0) return Math.min(MAX_BACKOFF_MS, 250 * 2 ** attempts * (0.5 + random()));
  const behind = pending >= HIGH_WATER_MESSAGES || (storedPerMs !== undefined && pending / storedPerMs > MAX_BACKLOG_MS / Math.max(1, shards));
  if (arrived === 0 || behind) return BACKLOG_REST_MS;
  return Math.max(DRAIN_DELAY_MS, tookMs * DRAIN_REST_FACTOR);
}
