import type { StoredMessage } from '@trailmark/schema';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { migrate } from '../lib/migrate';
import { openSqlJs } from '../lib/sqljs-sql';
import { SHOP_MIGRATIONS, ShopModel, type RecommendInput } from '../shop/shop-model';
import { HALF_LIFE, scope } from './aggregate-store';
import { DEFAULT_MIN_SHOPPERS, FLOOR_WINDOW_HOURS, floorWindowHours, HOUR_MS, MAX_MIN_SHOPPERS } from './popularity-floor';
import { DAY_MS } from '../lib/decay';
import { openAggregateStore, productIds, storedTrack } from './test-fixtures';

const now = Date.UTC(2026, 2, 1, 10);
const BAVARIA = 'DE/Bavaria';

describe('AggregateStore: the floor of a regional scope', () => {
  it('shows a product once k distinct shoppers counted for it, however often one of them did', async () => {
    const { aggregates, batch } = await openAggregateStore();
    const region = scope.region(BAVARIA);
    const view = (productId: string, shopper: string, day = 0) => {
      aggregates.bumpPopularity(region, productId, 1, now + day * DAY_MS, HALF_LIFE.popular);
      aggregates.noteShopper(region, productId, shopper, now + day * DAY_MS);
    };
    // One keen shopper, every day for ten days; four shoppers for another product.
    for (let day = 0; day < 10; day++) batch(() => view('lonely', 'keen', day));
    batch(() => ['a', 'b', 'c', 'd'].forEach((s) => view('almost', s)));
    expect(productIds(aggregates.top(region, 10))).toEqual(['lonely', 'almost']);
    expect(aggregates.top(region, 10, 5)).toEqual([]);
    batch(() => view('almost', 'e'));
    expect(productIds(aggregates.top(region, 10, 5))).toEqual(['almost']);
    // 1: no floor.
    expect(productIds(aggregates.top(region, 10, 1))).toEqual(['lonely', 'almost']);
  });

  it('counts up to the largest floor, keeping no more keys than that', async () => {
    const { aggregates, batch, sql } = await openAggregateStore();
    const region = scope.trendingRegion(BAVARIA);
    for (let i = 0; i < MAX_MIN_SHOPPERS + 5; i++) {
      batch(() => {
        aggregates.bumpPopularity(region, 'hit', 1, now + i * 60_000, HALF_LIFE.trending);
        aggregates.noteShopper(region, 'hit', `shopper-${i}`, now + i * 60_000);
      });
    }
    expect(sql.exec('SELECT shoppers FROM popularity WHERE scope = ? AND product_id = ?', region, 'hit').one()).toEqual({ shoppers: MAX_MIN_SHOPPERS });
    expect(sql.exec('SELECT count(*) AS n FROM popularity_shoppers').one()).toEqual({ n: MAX_MIN_SHOPPERS });
    expect(productIds(aggregates.top(region, 10, MAX_MIN_SHOPPERS))).toEqual(['hit']);
  });

  it('counts only the shoppers within the scope’s window: those of last week do not vouch for today’s one', async () => {
    const { aggregates, batch } = await openAggregateStore();
    const trending = scope.trendingRegion(BAVARIA);
    const popular = scope.region(BAVARIA);
    const view = (shopper: string, atMs: number) =>
      batch(() => {
        for (const [name, halfLife] of [
          [trending, HALF_LIFE.trending],
          [popular, HALF_LIFE.popular],
        ] as const) {
          aggregates.bumpPopularity(name, 'niche', 1, atMs, halfLife);
          aggregates.noteShopper(name, 'niche', shopper, atMs);
        }
      });
    // Four shoppers a week ago made it nobody's secret then; today one shopper alone views it again.
    ['a', 'b', 'c', 'd', 'e'].forEach((s) => view(s, now - 7 * DAY_MS));
    expect(productIds(aggregates.top(trending, 10, 5))).toEqual(['niche']);
    view('today', now);
    // Trending (a day's half-life, a two-day window) now rests on one shopper: hidden. Popular (a week's half-life) still has six within two weeks.
    expect(aggregates.top(trending, 10, 5)).toEqual([]);
    expect(productIds(aggregates.top(popular, 10, 5))).toEqual(['niche']);
    // Four more today make five within the window again.
    ['f', 'g', 'h', 'i'].forEach((s) => view(s, now + HOUR_MS));
    expect(productIds(aggregates.top(trending, 10, 5))).toEqual(['niche']);
  });

  it('counts a shopper who comes back once, at their latest hour', async () => {
    const { aggregates, batch, sql } = await openAggregateStore();
    const trending = scope.trendingRegion(BAVARIA);
    const view = (shopper: string, atMs: number) =>
      batch(() => {
        aggregates.bumpPopularity(trending, 'p', 1, atMs, HALF_LIFE.trending);
        aggregates.noteShopper(trending, 'p', shopper, atMs);
      });
    ['a', 'b', 'c', 'd'].forEach((s) => view(s, now - 3 * DAY_MS));
    ['a', 'b', 'c', 'd', 'e'].forEach((s) => view(s, now));
    expect(sql.exec('SELECT shoppers FROM popularity WHERE scope = ? AND product_id = ?', trending, 'p').one()).toEqual({ shoppers: 5 });
    expect(productIds(aggregates.top(trending, 10, 5))).toEqual(['p']);
  });

  it('gives every arrival order the count of the shoppers within the window of the newest, up to the largest floor', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ shopper: fc.integer({ min: 0, max: 14 }), hoursAgo: fc.integer({ min: 0, max: 120 }) }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 6 }),
        async (contributions, batchSize) => {
          const { aggregates, batch, sql } = await openAggregateStore();
          const trending = scope.trendingRegion(BAVARIA);
          for (let i = 0; i < contributions.length; i += batchSize) {
            batch(() => {
              for (const { shopper, hoursAgo } of contributions.slice(i, i + batchSize)) {
                aggregates.bumpPopularity(trending, 'p', 1, now - hoursAgo * HOUR_MS, HALF_LIFE.trending);
                aggregates.noteShopper(trending, 'p', `s${shopper}`, now - hoursAgo * HOUR_MS);
              }
            });
          }
          const newest = Math.min(...contributions.map((c) => c.hoursAgo));
          const within = new Set(contributions.filter((c) => c.hoursAgo <= newest + FLOOR_WINDOW_HOURS.trending).map((c) => c.shopper));
          const stored = sql.exec<{ shoppers: number }>('SELECT shoppers FROM popularity WHERE scope = ? AND product_id = ?', trending, 'p').one();
          expect(stored.shoppers).toBe(Math.min(within.size, MAX_MIN_SHOPPERS));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('sets each floored scope’s window to two of its half-lives', () => {
    expect(FLOOR_WINDOW_HOURS.trending * HOUR_MS).toBe(2 * HALF_LIFE.trending);
    expect(FLOOR_WINDOW_HOURS.popular * HOUR_MS).toBe(2 * HALF_LIFE.popular);
    expect(FLOOR_WINDOW_HOURS.sold * HOUR_MS).toBe(2 * HALF_LIFE.sold);
    expect(floorWindowHours(scope.trendingRegion('x'))).toBe(FLOOR_WINDOW_HOURS.trending);
    expect(floorWindowHours(scope.region('x'))).toBe(FLOOR_WINDOW_HOURS.popular);
    expect(floorWindowHours(scope.soldRegion('x'))).toBe(FLOOR_WINDOW_HOURS.sold);
    expect(floorWindowHours(scope.trendingAll)).toBeUndefined();
  });

  it('has no floor for scopes that draw on every shopper of the site', async () => {
    const { aggregates, batch, sql } = await openAggregateStore();
    batch(() => {
      aggregates.bumpPopularity(scope.all, 'p', 1, now, HALF_LIFE.popular);
      aggregates.bumpPopularity(scope.category('Boats'), 'p', 1, now, HALF_LIFE.popular);
      aggregates.noteShopper(scope.all, 'p', 'someone', now);
      aggregates.noteShopper(scope.category('Boats'), 'p', 'someone', now);
    });
    expect(productIds(aggregates.top(scope.all, 10, 5))).toEqual(['p']);
    expect(productIds(aggregates.top(scope.category('Boats'), 10, 5))).toEqual(['p']);
    expect(sql.exec('SELECT count(*) AS n FROM popularity_shoppers').one()).toEqual({ n: 0 });
  });

  it('reads a bounded number of rows however few products pass the floor', async () => {
    const { aggregates, batch } = await openAggregateStore();
    const region = scope.region(BAVARIA);
    // 500 products one shopper viewed, then one that five shoppers did, ranked last.
    batch(() => {
      for (let i = 0; i < 500; i++) {
        aggregates.bumpPopularity(region, `p${i}`, 10, now, HALF_LIFE.popular);
        aggregates.noteShopper(region, `p${i}`, 'keen', now);
      }
      for (let s = 0; s < 5; s++) {
        aggregates.bumpPopularity(region, 'shared', 1, now, HALF_LIFE.popular);
        aggregates.noteShopper(region, 'shared', `s${s}`, now);
      }
    });
    // Only among the best 4 × limit rows: 'shared' is beyond them, so the region lists nothing and the slot falls back.
    expect(aggregates.top(region, 60, 5)).toEqual([]);
    expect(productIds(aggregates.top(region, 130, 5))).toEqual(['shared']);
  });
});

let n = 0;
function track(anonymousId: string, event: string, properties: Record<string, unknown>, geo: { country: string; region: string }): StoredMessage {
  const atMs = now + n * 1000;
  return storedTrack({ ids: { anonymousId }, event, properties, geo, atMs, messageId: `m${n++}` });
}

describe('ShopModel: a lone shopper in a region', () => {
  const BERLIN = { country: 'DE', region: 'Berlin' };
  const TEXAS = { country: 'US', region: 'Texas' };

  async function shop() {
    const { sql, transaction } = await openSqlJs();
    migrate(sql, SHOP_MIGRATIONS);
    const model = new ShopModel(sql);
    // The rest of the site: eight Texans buy boots and view hats.
    transaction(() =>
      model.ingest(
        Array.from({ length: 8 }, (_, i) => [
          track(`tex-${i}`, 'Product Viewed', { product_id: 'hat', name: 'Hat' }, TEXAS),
          track(`tex-${i}`, 'Order Completed', { order_id: `t${i}`, products: [{ product_id: 'boots', name: 'Boots', quantity: 1 }] }, TEXAS),
        ])
          .flat()
          .map((message) => ({ message, idHashes: [] })),
      ),
    );
    const buy = (shopper: string, productId: string) =>
      transaction(() =>
        model.ingest([
          { message: track(shopper, 'Product Viewed', { product_id: productId, name: productId }, BERLIN), idHashes: [] },
          {
            message: track(
              shopper,
              'Order Completed',
              { order_id: `${shopper}-o`, products: [{ product_id: productId, name: productId, quantity: 1 }] },
              BERLIN,
            ),
            idHashes: [],
          },
        ]),
      );
    const ask = (slot: 'trending' | 'home', extra: Partial<RecommendInput> = {}) =>
      model.recommend({ writeKey: 'w', slot, anonymousId: `visitor-${n++}`, limit: 6, geo: BERLIN, holdoutPercent: 0, nowMs: now + 3_600_000, ...extra });
    const view = (shopper: string, productId: string) =>
      transaction(() => model.ingest([{ message: track(shopper, 'Product Viewed', { product_id: productId, name: productId }, BERLIN), idHashes: [] }]));
    return { buy, view, ask };
  }

  it('does not put what they bought on another visitor’s regional slots', async () => {
    const { buy, ask } = await shop();
    buy('alone', 'secret');
    for (const slot of ['trending', 'home'] as const) {
      const answer = ask(slot);
      const regional = answer.items.filter((i) => i.reason === 'trending-in-region' || i.reason === 'popular-in-region');
      expect(regional, slot).toEqual([]);
      // The visitor sees the site's popularity instead.
      expect(answer.items[0]?.productId, slot).toBe('boots');
    }
  });

  it('does once k shoppers in the region did, and the floor is the site’s setting', async () => {
    const { buy, ask } = await shop();
    for (let i = 0; i < DEFAULT_MIN_SHOPPERS - 1; i++) buy(`berliner-${i}`, 'currywurst');
    expect(ask('trending').items.find((i) => i.productId === 'currywurst')?.reason).not.toBe('trending-in-region');
    expect(ask('trending', { regionalMinShoppers: DEFAULT_MIN_SHOPPERS - 1 }).items[0]).toMatchObject({
      productId: 'currywurst',
      reason: 'trending-in-region',
    });
    buy(`berliner-${DEFAULT_MIN_SHOPPERS}`, 'currywurst');
    expect(ask('trending').items[0]).toMatchObject({ productId: 'currywurst', reason: 'trending-in-region' });
    expect(ask('home').items[0]).toMatchObject({ productId: 'currywurst', reason: 'popular-in-region' });
  });

  it('does not let shoppers of last week vouch for one shopper today on the trending slot', async () => {
    const { sql, transaction } = await openSqlJs();
    migrate(sql, SHOP_MIGRATIONS);
    const model = new ShopModel(sql);
    const lastWeek = now - 7 * DAY_MS;
    const view = (shopper: string, productId: string, atMs: number) =>
      transaction(() =>
        model.ingest([
          {
            message: storedTrack({
              ids: { anonymousId: shopper },
              event: 'Product Viewed',
              properties: { product_id: productId, name: productId },
              geo: BERLIN,
              atMs,
              messageId: `m${n++}`,
            }),
            idHashes: [],
          },
        ]),
      );
    for (let i = 0; i < DEFAULT_MIN_SHOPPERS - 1; i++) view(`berliner-${i}`, 'kebab', lastWeek);
    view('alone', 'kebab', now);
    const answer = model.recommend({ writeKey: 'w', slot: 'trending', anonymousId: 'visitor', limit: 6, geo: BERLIN, holdoutPercent: 0, nowMs: now + HOUR_MS });
    expect(answer.items.filter((i) => i.reason === 'trending-in-region')).toEqual([]);
    // Within the window, the same five are enough.
    view('berliner-0', 'kebab', now + HOUR_MS);
    view('berliner-1', 'kebab', now + HOUR_MS);
    view('berliner-2', 'kebab', now + HOUR_MS);
    view('berliner-3', 'kebab', now + HOUR_MS);
    const later = model.recommend({
      writeKey: 'w',
      slot: 'trending',
      anonymousId: 'visitor',
      limit: 6,
      geo: BERLIN,
      holdoutPercent: 0,
      nowMs: now + 2 * HOUR_MS,
    });
    expect(later.items[0]).toMatchObject({ productId: 'kebab', reason: 'trending-in-region' });
  });

  it('still leads with the region when the page already shows its best (exclude)', async () => {
    const { buy, view, ask } = await shop();
    for (let i = 0; i < DEFAULT_MIN_SHOPPERS; i++) {
      buy(`berliner-${i}`, 'currywurst');
      view(`berliner-${i}`, 'pretzel');
    }
    // "Picked for you" above shows the currywurst: the region's next best leads the trending shelf, ahead of the site's boots.
    const answer = ask('trending', { exclude: ['currywurst'] });
    expect(answer.items.map((i) => i.productId)).not.toContain('currywurst');
    expect(answer.items[0]).toMatchObject({ productId: 'pretzel', reason: 'trending-in-region' });
    expect(answer.items[1]).toMatchObject({ productId: 'boots', reason: 'trending' });
  });
});
