import { describe, expect, it } from 'vitest';
import {
  BACKLOG_REST_MS,
  DRAIN_DELAY_MS,
  DRAIN_REST_FACTOR,
  HIGH_WATER_MESSAGES,
  MAX_BACKLOG_MS,
  MAX_BURST_DEFER_MS,
  burstAfter,
  holdBack,
  nextStoredRate,
  restAfterDrain,
} from './drain-pacing';

describe('drain pacing', () => {
  it('holds the drain back for the first seconds of a burst only, and never past the high water mark', () => {
    const start = holdBack({ rate: 5000, burstSince: undefined, now: 1000, pending: 100 });
    expect(start).toEqual({ defer: true, burstSince: 1000 });
    expect(holdBack({ rate: 5000, burstSince: 1000, now: 1000 + MAX_BURST_DEFER_MS - 1, pending: 100 }).defer).toBe(true);
    expect(holdBack({ rate: 5000, burstSince: 1000, now: 1000 + MAX_BURST_DEFER_MS, pending: 100 })).toEqual({ defer: false, burstSince: 1000 });
    expect(holdBack({ rate: 5000, burstSince: 1000, now: 1100, pending: HIGH_WATER_MESSAGES }).defer).toBe(false);
    // Below the burst rate with nothing waiting: drain now, and the next burst starts its own hold-back.
    expect(holdBack({ rate: 100, burstSince: 1000, now: 1100, pending: 0 })).toEqual({ defer: false, burstSince: undefined });
  });

  it('keeps a burst going while its backlog is drained, so a lull caused by the drain does not hold it back again', () => {
    // Acceptance slowed while the drain worked through the backlog: the same burst, past its hold-back.
    const lull = holdBack({ rate: 100, burstSince: 1000, now: 1000 + MAX_BURST_DEFER_MS + 500, pending: 4000 });
    expect(lull).toEqual({ defer: false, burstSince: 1000 });
    expect(holdBack({ rate: 5000, burstSince: lull.burstSince, now: 1000 + MAX_BURST_DEFER_MS + 700, pending: 4000 }).defer).toBe(false);
  });

  it('ends a burst once everything is stored, by the same rule before and after a drain', () => {
    expect(burstAfter(1000, 1)).toBe(1000);
    expect(burstAfter(1000, 0)).toBeUndefined();
    expect(burstAfter(undefined, 10)).toBeUndefined();
    // A fast look with nothing waiting (a drain called directly stored it all): a new burst, held back afresh.
    expect(holdBack({ rate: 5000, burstSince: 1000, now: 1000 + MAX_BURST_DEFER_MS + 10, pending: 0 })).toEqual({
      defer: true,
      burstSince: 1000 + MAX_BURST_DEFER_MS + 10,
    });
  });

  it('rests a multiple of the drain while requests arrive and the backlog is short', () => {
    const rest = restAfterDrain({ tookMs: 100, pending: 2000, arrived: 300, storedPerMs: 5, attempts: 0 });
    expect(rest).toBe(100 * DRAIN_REST_FACTOR);
    expect(restAfterDrain({ tookMs: 10, pending: 2000, arrived: 300, storedPerMs: 5, attempts: 0 })).toBe(DRAIN_DELAY_MS);
  });

  it('drains back to back when nothing arrives, or when what waits would take too long to store', () => {
    expect(restAfterDrain({ tookMs: 100, pending: 2000, arrived: 0, storedPerMs: 5, attempts: 0 })).toBe(BACKLOG_REST_MS);
    // 5 a millisecond: 15,000 is what MAX_BACKLOG_MS stores; one more is behind.
    const atBound = 5 * MAX_BACKLOG_MS;
    expect(restAfterDrain({ tookMs: 100, pending: atBound, arrived: 300, storedPerMs: 5, attempts: 0 })).toBe(100 * DRAIN_REST_FACTOR);
    expect(restAfterDrain({ tookMs: 100, pending: atBound + 1, arrived: 300, storedPerMs: 5, attempts: 0 })).toBe(BACKLOG_REST_MS);
    expect(restAfterDrain({ tookMs: 100, pending: HIGH_WATER_MESSAGES, arrived: 300, storedPerMs: undefined, attempts: 0 })).toBe(BACKLOG_REST_MS);
  });

  it("shares the backlog bound between the site's shards, which all drain into one ShopState", () => {
    // Four shards: each may keep a quarter of what MAX_BACKLOG_MS stores, so together they keep no more than one would.
    const quarter = (5 * MAX_BACKLOG_MS) / 4;
    expect(restAfterDrain({ tookMs: 100, pending: quarter, arrived: 300, storedPerMs: 5, attempts: 0, shards: 4 })).toBe(100 * DRAIN_REST_FACTOR);
    expect(restAfterDrain({ tookMs: 100, pending: quarter + 1, arrived: 300, storedPerMs: 5, attempts: 0, shards: 4 })).toBe(BACKLOG_REST_MS);
    expect(restAfterDrain({ tookMs: 100, pending: quarter + 1, arrived: 300, storedPerMs: 5, attempts: 0, shards: 1 })).toBe(100 * DRAIN_REST_FACTOR);
  });

  it('backs off exponentially after failed drains, whatever the backlog', () => {
    const mid = () => 0.5;
    expect(restAfterDrain({ tookMs: 100, pending: 50_000, arrived: 0, storedPerMs: 5, attempts: 1, random: mid })).toBe(500);
    expect(restAfterDrain({ tookMs: 100, pending: 50_000, arrived: 0, storedPerMs: 5, attempts: 3, random: mid })).toBe(2000);
    expect(restAfterDrain({ tookMs: 100, pending: 50_000, arrived: 0, storedPerMs: 5, attempts: 20, random: mid })).toBe(60_000);
  });

  it('estimates the stored rate from drains large enough to tell, following the latest', () => {
    expect(nextStoredRate(undefined, 50, 10)).toBeUndefined();
    const first = nextStoredRate(undefined, 1000, 200);
    expect(first).toBe(5);
    const slower = nextStoredRate(first, 1000, 1000)!;
    expect(slower).toBeLessThan(5);
    expect(slower).toBeGreaterThan(1);
    expect(nextStoredRate(slower, 10, 1000)).toBe(slower);
  });
});
