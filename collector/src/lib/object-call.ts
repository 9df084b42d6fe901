/**
 * A call to a Durable Object that survives a transient failure of the
 * runtime between caller and object (a connection lost, an object being
 * reset or moved), as Cloudflare's Durable Objects error handling advises:
 * an error with `.retryable` set may be retried when the call is idempotent,
 * one with `.overloaded` set must not be (retries add to the overload), and
 * the stub that threw may be broken, so each attempt gets a fresh one.
 * Errors the object's own code threw carry neither flag and are rethrown at
 * once, as is the last error once the attempts are used up.
 *
 * The bound is small and the waits short (full jitter, doubling): the caller
 * is a request a browser waits on, which answers 503 after the last attempt
 * and is then resent by the tag. Only for calls that are reads or
 * idempotent: say at the call why it is safe to repeat. Pure: tested beside.
 */

/** Attempts in all, the first one included. */
export const OBJECT_CALL_ATTEMPTS = 3;
/** The bound of the first wait; each next one doubles. With 3 attempts at most 25 + 50 ms are spent waiting. */
export const OBJECT_CALL_BASE_DELAY_MS = 25;

export interface ObjectCallOptions {
  /** Names the call in the log line of a retry. */
  label?: string;
  attempts?: number;
  baseDelayMs?: number;
  /** Told of each failure that is retried (default: a console warning naming the call and the error). */
  onRetry?: (err: unknown, attempt: number) => void;
  sleep?: (ms: number) => Promise<void>;
  /** In [0, 1): where in its bound each wait falls. */
  random?: () => number;
}

/** May a call that failed with `err` be made again: a transient failure, not an overload? */
export function isRetryable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const flags = err as { retryable?: unknown; overloaded?: unknown };
  return flags.retryable === true && flags.overloaded !== true;
}

/**
 * Runs `call` on the stub `stub()` makes and returns its result; on a
 * retryable error, waits a moment and runs it again on a new stub, at most
 * `attempts` times in all. Any other error, or the last one, is rethrown.
 *
 * @example
 * const seq = await callObject(() => env.INGEST_SHARD.getByName(name), (shard) => shard.accept(writeKey, chunks, owners));
 */
export async function callObject<S, T>(stub: () => S, call: (stub: S) => PromiseLike<T>, options: ObjectCallOptions = {}): Promise<T> {
  const attempts = options.attempts ?? OBJECT_CALL_ATTEMPTS;
  const baseDelayMs = options.baseDelayMs ?? OBJECT_CALL_BASE_DELAY_MS;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const onRetry =
    options.onRetry ??
    ((err: unknown, attempt: number) =>
      console.warn(`${options.label ?? 'Durable Object call'} failed (attempt ${attempt} of ${attempts}), retrying: ${describeError(err)}`));
  for (let attempt = 1; ; attempt++) {
    try {
      return await call(stub());
    } catch (err) {
      if (attempt >= attempts || !isRetryable(err)) throw err;
      onRetry(err, attempt);
      await sleep(random() * baseDelayMs * 2 ** (attempt - 1));
    }
  }
}

/** An error's message with the runtime's flags, for a log line: "Network connection lost. (retryable)". */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const flags = err as Error & { retryable?: unknown; overloaded?: unknown; remote?: unknown };
  const marks = (['retryable', 'overloaded', 'remote'] as const).filter((flag) => flags[flag] === true);
  return marks.length ? `${err.message} (${marks.join(', ')})` : err.message;
}
