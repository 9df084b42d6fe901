import type { StoredMessage } from '@trailmark/schema';
import { describe, expect, it } from 'vitest';
import { migrate } from '../lib/migrate';
import { openSqlJs } from '../lib/sqljs-sql';
import { SHOP_MIGRATIONS, ShopModel, type RecommendInput } from '../shop/shop-model';
import { HALF_LIFE, scope } from './aggregate-store';
import { DEFAULT_MIN_SHOPPERS, MAX_MIN_SHOPPERS } from './popularity-floor';
import { openAggregateStore, productIds, storedTrack } from './test-fixtures';

const now = Date.UTC(2026, 2, 1, 10);
const BAVARIA = 'DE/Bavaria';

describe('AggregateStore: the floor of a regional scope', () => {
  it('shows a product once k distinct shoppers counted for it, however often one of them did', async () => {
    const { aggregates, batch } = await openAggregateStore();
    const region = scope.region(BAVARIA);
    const view = (productId: string, shopper: string, day = 0) => {
      aggregates.bumpPopularity(region, productId, 1, now + day * 86_400_000, HALF_LIFE.popular);
      aggregates.noteShopper(region, productId, shopper);
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

  it('counts up to the largest floor, then keeps the count and lets the keys go', async () => {
    const { aggregates, batch, sql } = await openAggregateStore();
    const region = scope.trendingRegion(BAVARIA);
    for (let i = 0; i < MAX_MIN_SHOPPERS + 5; i++) {
      batch(() => {
        aggregates.bumpPopularity(region, 'hit', 1, now, HALF_LIFE.trending);
        aggregates.noteShopper(region, 'hit', `shopper-${i}`);
      });
    }
    expect(sql.exec('SELECT shoppers FROM popularity WHERE scope = ? AND product_id = ?', region, 'hit').one()).toEqual({ shoppers: MAX_MIN_SHOPPERS });
    expect(sql.exec('SELECT count(*) AS n FROM popularity_shoppers').one()).toEqual({ n: 0 });
    expect(productIds(aggregates.top(region, 10, MAX_MIN_SHOPPERS))).toEqual(['hit']);
  });

  it('has no floor for scopes that draw on every shopper of the site', async () => {
    const { aggregates, batch, sql } = await openAggregateStore();
    batch(() => {
      aggregates.bumpPopularity(scope.all, 'p', 1, now, HALF_LIFE.popular);
      aggregates.bumpPopularity(scope.category('Boats'), 'p', 1, now, HALF_LIFE.popular);
      aggregates.noteShopper(scope.all, 'p', 'someone');
      aggregates.noteShopper(scope.category('Boats'), 'p', 'someone');
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
        aggregates.noteShopper(region, `p${i}`, 'keen');
      }
      for (let s = 0; s < 5; s++) {
        aggregates.bumpPopularity(region, 'shared', 1, now, HALF_LIFE.popular);
        aggregates.noteShopper(region, 'shared', `s${s}`);
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
          { message: track(shopper, 'Order Completed', { order_id: `${shopper}-o`, products: [{ product_id: productId, name: productId, quantity: 1 }] }, BERLIN), idHashes: [] },
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
    expect(ask('trending', { regionalMinShoppers: DEFAULT_MIN_SHOPPERS - 1 }).items[0]).toMatchObject({ productId: 'currywurst', reason: 'trending-in-region' });
    buy(`berliner-${DEFAULT_MIN_SHOPPERS}`, 'currywurst');
    expect(ask('trending').items[0]).toMatchObject({ productId: 'currywurst', reason: 'trending-in-region' });
    expect(ask('home').items[0]).toMatchObject({ productId: 'currywurst', reason: 'popular-in-region' });
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
