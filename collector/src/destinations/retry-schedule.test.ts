import { describe, expect, it } from 'vitest';
import { afterFailure, backoffCeiling, parseRetryAfter, RETRY_CAP_MS, RETRY_MIN_MS, RETRY_WINDOW_MS } from './retry-schedule';

describe('retry schedule', () => {
  it('doubles the ceiling from 5 s up to 4 h', () => {
    expect([1, 2, 3, 4].map(backoffCeiling)).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(backoffCeiling(12)).toBe(10_240_000);
    expect(backoffCeiling(13)).toBe(RETRY_CAP_MS);
    expect(backoffCeiling(1000)).toBe(RETRY_CAP_MS);
  });

  it('draws the wait uniformly below the ceiling (full jitter), never under 1 s', () => {
    const at = (random: number) => afterFailure({ failedAttempts: 4, firstAttemptAt: 0, now: 1000, random: () => random });
    expect(at(0)).toEqual({ dead: false, nextAt: 1000 + RETRY_MIN_MS });
    expect(at(0.5)).toEqual({ dead: false, nextAt: 1000 + 20_000 });
    expect(at(0.999999)).toEqual({ dead: false, nextAt: 1000 + 40_000 });
  });

  it('keeps retrying for 24 hours, then the delivery is dead', () => {
    expect(afterFailure({ failedAttempts: 30, firstAttemptAt: 0, now: RETRY_WINDOW_MS - 1, random: () => 0.5 }).dead).toBe(false);
    expect(afterFailure({ failedAttempts: 30, firstAttemptAt: 0, now: RETRY_WINDOW_MS, random: () => 0.5 })).toEqual({ dead: true });
  });

  it('honours Retry-After as a lower bound, at most a day', () => {
    expect(afterFailure({ failedAttempts: 1, firstAttemptAt: 0, now: 0, retryAfterMs: 120_000, random: () => 0.5 })).toEqual({ dead: false, nextAt: 120_000 });
    expect(afterFailure({ failedAttempts: 10, firstAttemptAt: 0, now: 0, retryAfterMs: 1_000, random: () => 1 })).toEqual({
      dead: false,
      nextAt: backoffCeiling(10),
    });
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-03-01T10:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Sun, 01 Mar 2026 10:05:00 GMT', now)).toBe(300_000);
    expect(parseRetryAfter('Sun, 01 Mar 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('9999999999', now)).toBe(24 * 3600_000);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter('-5', now)).toBeNull();
  });
});

describe('retry schedule against a receiver that never answers (seeded simulation)', () => {
  /** mulberry32: a small seeded generator, so the figures are the same on every run. */
  const seeded = (seed: number) => () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };

  it('gives every delivery at least 24 hours of attempts, and kills it within 28', () => {
    const random = seeded(12);
    const attempts: number[] = [];
    const deadAfterHours: number[] = [];
    for (let run = 0; run < 20_000; run++) {
      let now = 0;
      let made = 1;
      for (;;) {
        const decision = afterFailure({ failedAttempts: made, firstAttemptAt: 0, now, random });
        if (decision.dead) break;
        now = decision.nextAt;
        made++;
      }
      attempts.push(made);
      deadAfterHours.push(now / 3600_000);
    }
    attempts.sort((a, b) => a - b);
    deadAfterHours.sort((a, b) => a - b);
    const median = (values: number[]) => values[values.length >> 1]!;
    console.log(
      `[measured] 20,000 deliveries to a dead receiver: attempts median ${median(attempts)} (${attempts[0]}–${attempts.at(-1)}); ` +
        `dead after ${median(deadAfterHours).toFixed(1)} h median (${deadAfterHours[0]!.toFixed(1)}–${deadAfterHours.at(-1)!.toFixed(1)} h)`,
    );
    expect(deadAfterHours[0]).toBeGreaterThanOrEqual(24);
    expect(deadAfterHours.at(-1)).toBeLessThanOrEqual(24 + RETRY_CAP_MS / 3600_000);
    expect(attempts[0]).toBeGreaterThanOrEqual(17);
  });
});
