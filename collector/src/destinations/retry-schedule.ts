/**
 * When a failed delivery is tried again.
 *
 * Exponential backoff with full jitter: after the n-th failed attempt the
 * next waits a uniformly random time between 1 s and min(4 h, 5 s × 2^(n−1)),
 * so a destination that comes back is not hit by every waiting delivery at
 * once. Deliveries keep being retried until one fails at least 24 hours
 * after the first attempt; that one is dead (kept, replayable). A
 * `Retry-After` answer (seconds or an HTTP date) is honoured: the next
 * attempt waits at least that long (at most 24 hours).
 */
export const RETRY_BASE_MS = 5_000;
export const RETRY_CAP_MS = 4 * 3600_000;
export const RETRY_MIN_MS = 1_000;
export const RETRY_WINDOW_MS = 24 * 3600_000;
export const MAX_RETRY_AFTER_MS = 24 * 3600_000;

/** The longest wait after the `failedAttempts`-th failure (1 for the first). */
export function backoffCeiling(failedAttempts: number): number {
  return Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.min(30, Math.max(0, failedAttempts - 1)));
}

export type RetryDecision = { dead: true } | { dead: false; nextAt: number };

export function afterFailure(input: {
  failedAttempts: number;
  firstAttemptAt: number;
  now: number;
  retryAfterMs?: number | null;
  random?: () => number;
}): RetryDecision {
  if (input.now - input.firstAttemptAt >= RETRY_WINDOW_MS) return { dead: true };
  const random = input.random ?? Math.random;
  const jittered = Math.max(RETRY_MIN_MS, random() * backoffCeiling(input.failedAttempts));
  const wait = Math.max(jittered, Math.min(MAX_RETRY_AFTER_MS, input.retryAfterMs ?? 0));
  return { dead: false, nextAt: input.now + Math.round(wait) };
}

/** Milliseconds a `Retry-After` header asks for (delta-seconds or an HTTP date), or null when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  if (!value) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Math.min(MAX_RETRY_AFTER_MS, Number(text) * 1000);
  // An HTTP date names its day and month in letters; anything else (a negative number…) is unreadable.
  const at = /[a-z]{3}/i.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at)) return null;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, at - now));
}
