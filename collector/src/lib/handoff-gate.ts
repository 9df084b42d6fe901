/**
 * What a profile host's hand-offs to the destinations (audience transitions,
 * campaign entries) and its erasures agree on:
 *
 * - no hand-off runs while a person is erased: `erase(fn)` waits for the one
 *   in flight, so whatever was handed over is already in the outboxes (where
 *   the erasure cancels it), and none starts until `fn` is done, so nothing
 *   about the person is handed over after;
 * - a failed hand-off waits before the next try, doubling from a second up
 *   to a minute, without holding up the host's other alarm work.
 */
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 60_000;

export class HandoffGate {
  private erasing = 0;
  private inFlight: Promise<void> | undefined;
  private failures = 0;
  private retryAt = 0;

  /** `name` says whose hand-off failed in the warning. */
  constructor(
    private readonly name: string,
    private readonly clock: () => number,
  ) {}

  /** When a pending hand-off may run (`now` or after its back-off), or undefined while an erasure runs. */
  readyAt(now: number): number | undefined {
    return this.erasing > 0 ? undefined : Math.max(now, this.retryAt);
  }

  /**
   * Runs one hand-off unless an erasure runs or the back-off since a failure
   * has not passed at `now`. A failure is logged and backs off; it does not
   * throw.
   */
  async run(handOff: () => Promise<void>, now = this.clock()): Promise<void> {
    if (this.erasing > 0 || now < this.retryAt) return;
    const run = handOff();
    this.inFlight = run.catch(() => undefined);
    try {
      await run;
      this.failures = 0;
      this.retryAt = 0;
    } catch (err) {
      this.failures++;
      this.retryAt = this.clock() + Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (this.failures - 1));
      console.warn(`${this.name} hand-off failed (${this.failures}×, retried later): ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.inFlight = undefined;
    }
  }

  /** Runs an erasure with no hand-off in flight or starting. */
  async erase<T>(fn: () => Promise<T>): Promise<T> {
    this.erasing++;
    try {
      await this.inFlight;
      return await fn();
    } finally {
      this.erasing--;
    }
  }
}
