const BASE_MS = 1000;
const MAX_MS = 5 * 60_000;

/**
 * Delay before retry number `attempt` (0 for the first retry): exponential
 * from 1 s, capped at 5 minutes, with "equal jitter" (half fixed, half
 * random) so that many browsers failing together do not retry together.
 */
export function backoff(attempt: number, random = Math.random): number {
  const ceiling = Math.min(MAX_MS, BASE_MS * 2 ** attempt);
  return ceiling / 2 + random() * (ceiling / 2);
}
