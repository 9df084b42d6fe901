/**
 * A token bucket per write key, held in the isolate. Cloudflare runs many
 * isolates, so this caps each one; it protects storage from one runaway
 * client, it is not a billing meter.
 */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

const buckets = new Map<string, { tokens: number; updated: number }>();

/** Takes one token; returns 0 when allowed, else the seconds until one is free. */
export function takeToken(key: string, limit: RateLimit, now = Date.now()): number {
  let bucket = buckets.get(key);
  if (!bucket) {
    bucket = { tokens: limit.burst, updated: now };
    buckets.set(key, bucket);
  }
  bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.updated) / 1000) * limit.perSecond);
  bucket.updated = now;
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return 0;
  }
  return Math.max(1, Math.ceil((1 - bucket.tokens) / limit.perSecond));
}
