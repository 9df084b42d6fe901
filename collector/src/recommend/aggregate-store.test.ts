import { describe, expect, it } from 'vitest';
import { DAY_MS, LEGACY_EPOCH_MS, MAX_EXPONENT } from '../lib/decay';
import { HALF_LIFE, scope } from './aggregate-store';
import { openAggregateStore, productIds } from './test-fixtures';

describe('AggregateStore popularity decay', () => {
  for (const year of [2030, 2100]) {
    it(`ranks by decayed popularity in ${year}, for every half-life, with finite scores`, async () => {
      const { aggregates, batch } = await openAggregateStore();
      const now = Date.UTC(year, 5, 1);
      // Ids in the reverse of the right order: a tie (every score Infinity) would put "a" first.
      batch(() => {
        for (const [halfLife, name] of [
          [HALF_LIFE.trending, scope.trendingAll],
          [HALF_LIFE.popular, scope.all],
          [HALF_LIFE.sold, scope.soldAll],
        ] as const) {
          aggregates.bumpPopularity(name, 'a', 1, now - 3 * DAY_MS, halfLife);
          aggregates.bumpPopularity(name, 'b', 1, now - DAY_MS, halfLife);
          aggregates.bumpPopularity(name, 'c', 1, now, halfLife);
        }
      });
      for (const name of [scope.trendingAll, scope.all, scope.soldAll]) {
        const top = aggregates.top(name, 10);
        expect(productIds(top), name).toEqual(['c', 'b', 'a']);
        for (const s of top) expect(Number.isFinite(s.score) && s.score > 0, `${name} ${s.productId}: ${s.score}`).toBe(true);
      }
    });
  }

  it('keeps a shop’s ranking across a rebase of its stored scores', async () => {
    const { aggregates, batch, sql } = await openAggregateStore();
    const start = Date.UTC(2026, 0, 1);
    batch(() => {
      for (let i = 0; i < 10; i++) aggregates.bumpPopularity(scope.trendingAll, 'old-a', 1, start, HALF_LIFE.trending);
      for (let i = 0; i < 5; i++) aggregates.bumpPopularity(scope.trendingAll, 'old-b', 1, start, HALF_LIFE.trending);
      aggregates.bumpPopularity(scope.all, 'old-a', 1, start, HALF_LIFE.popular);
    });
    expect(aggregates.epochOf(scope.trendingAll)).toBe(LEGACY_EPOCH_MS);

    // More than MAX_EXPONENT half-lives later: one new view, and one more for old-b.
    const later = start + (MAX_EXPONENT + 88) * HALF_LIFE.trending;
    batch(() => {
      aggregates.bumpPopularity(scope.trendingAll, 'new', 1, later, HALF_LIFE.trending);
      aggregates.bumpPopularity(scope.trendingAll, 'old-b', 0.5, later - HALF_LIFE.trending, HALF_LIFE.trending);
      aggregates.bumpPopularity(scope.all, 'new', 1, later, HALF_LIFE.popular);
    });
    expect(aggregates.epochOf(scope.trendingAll)).toBe(later);
    // The popular scope (a 7-day half-life) is not due yet: it keeps its epoch.
    expect(aggregates.epochOf(scope.all)).toBe(LEGACY_EPOCH_MS);
    // "new" (1 now) first; old-b's 0.5 a day ago (worth 0.25 now) beats old-a's 10 of 600 days ago.
    const trending = aggregates.top(scope.trendingAll, 10);
    expect(productIds(trending)).toEqual(['new', 'old-b', 'old-a']);
    const score = Object.fromEntries(trending.map((s) => [s.productId, s.score]));
    expect(score.new).toBeCloseTo(1, 12);
    expect(score['old-b']).toBeCloseTo(0.25, 12);
    expect(score['old-a']! / (10 * 2 ** -(MAX_EXPONENT + 88))).toBeCloseTo(1, 9);
    expect(productIds(aggregates.top(scope.all, 10))).toEqual(['new', 'old-a']);
    const stored = sql.exec<{ scope: string; epoch_ms: number }>('SELECT scope, epoch_ms FROM decay_epochs').toArray();
    expect(stored).toEqual([{ scope: scope.trendingAll, epoch_ms: later }]);
  });

  it('forgets what a failed batch left in memory', async () => {
    const { aggregates, batch } = await openAggregateStore();
    const now = Date.UTC(2026, 0, 1);
    aggregates.begin();
    aggregates.bumpPopularity(scope.all, 'ghost', 100, now, HALF_LIFE.popular);
    // The batch failed before flush(); the retry starts with begin().
    batch(() => aggregates.bumpPopularity(scope.all, 'real', 1, now, HALF_LIFE.popular));
    expect(productIds(aggregates.top(scope.all, 10))).toEqual(['real']);
  });
});
