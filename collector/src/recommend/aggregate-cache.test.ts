import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../lib/decay';
import { migrate } from '../lib/migrate';
import { openSqlJs } from '../lib/sqljs-sql';
import { SHOP_MIGRATIONS } from '../shop/shop-model';
import { AggregateCache } from './aggregate-cache';
import { AggregateStore, HALF_LIFE, scope } from './aggregate-store';

/** A store and its cache, wired as ShopModel wires them. */
async function cached() {
  const { sql, transaction, counters } = await openSqlJs();
  migrate(sql, SHOP_MIGRATIONS);
  const store = new AggregateStore(sql);
  const cache = new AggregateCache(store);
  store.written = (rows) => cache.forget(rows);
  const batch = (fn: () => void) =>
    transaction(() => {
      store.begin();
      fn();
      store.flush();
    });
  return { store, cache, batch, counters };
}

const NOW = Date.UTC(2026, 5, 1);

describe('AggregateCache', () => {
  it('reads each key from SQLite once, and again only after a batch changed it', async () => {
    const { store, cache, batch, counters } = await cached();
    batch(() => {
      store.bumpPopularity(scope.all, 'a', 1, NOW, HALF_LIFE.popular);
      store.bumpPopularity(scope.region('de/be'), 'b', 1, NOW, HALF_LIFE.popular);
      store.bumpLink('v', 'a', 'b', 2);
      store.bumpLink('v', 'c', 'd', 1);
      store.bumpTotals('a', 3, 1);
      store.bumpTotals('b', 1, 0);
      store.recordRepurchase('a', 10 * DAY_MS);
    });
    const readAll = () => ({
      all: cache.top(scope.all, 10),
      region: cache.top(scope.region('de/be'), 10),
      a: cache.neighbours('v', 'a', 10),
      c: cache.neighbours('v', 'c', 10),
      totals: cache.totals(['a', 'b', 'nothing']),
      repurchase: cache.repurchaseIntervals(['a', 'nothing']),
    });
    const first = readAll();
    const rowsRead = counters.rowsRead;
    expect(readAll()).toEqual(first);
    expect(counters.rowsRead).toBe(rowsRead);

    // A batch that touches "all", a's co-views and a's totals: those are read again, the rest are not.
    batch(() => {
      store.bumpPopularity(scope.all, 'b', 5, NOW, HALF_LIFE.popular);
      store.bumpLink('v', 'a', 'c', 5);
      store.bumpTotals('a', 1, 0);
    });
    const misses = { ...cache.misses };
    const second = readAll();
    expect(second.all.map((s) => s.productId)).toEqual(['b', 'a']);
    expect(second.a.map((s) => s.productId)).toEqual(['c', 'b']);
    expect(second.totals.get('a')).toEqual({ views: 4, buys: 1 });
    expect(second.region).toEqual(first.region);
    expect(second.c).toEqual(first.c);
    expect(cache.misses).toEqual({ ...misses, tops: misses.tops + 1, neighbours: misses.neighbours + 1, totals: misses.totals + 1 });
    // The same answers as the store itself.
    expect(second.all).toEqual(store.top(scope.all, 10));
    expect(second.totals).toEqual(store.totals(['a', 'b', 'nothing']));
    expect(second.repurchase).toEqual(store.repurchaseIntervals(['a', 'nothing']));
  });

  it('hands out frozen rows, so no caller can change what the next request reads', async () => {
    const { store, cache, batch } = await cached();
    batch(() => store.bumpPopularity(scope.all, 'a', 1, NOW, HALF_LIFE.popular));
    const top = cache.top(scope.all, 10);
    expect(Object.isFrozen(top)).toBe(true);
    expect(Object.isFrozen(top[0])).toBe(true);
  });

  it('keeps one list per limit asked', async () => {
    const { store, cache, batch } = await cached();
    batch(() => {
      for (const id of ['a', 'b', 'c']) store.bumpPopularity(scope.all, id, id.charCodeAt(0), NOW, HALF_LIFE.popular);
    });
    expect(cache.top(scope.all, 1).map((s) => s.productId)).toEqual(['c']);
    expect(cache.top(scope.all, 3).map((s) => s.productId)).toEqual(['c', 'b', 'a']);
  });

  it('keeps a regional top per floor, and reads it again once a shopper counted', async () => {
    const { store, cache, batch } = await cached();
    const region = scope.region('de/be');
    const view = (shopper: string) =>
      batch(() => {
        store.bumpPopularity(region, 'p', 1, NOW, HALF_LIFE.popular);
        store.noteShopper(region, 'p', shopper, NOW);
      });
    ['s1', 's2'].forEach(view);
    expect(cache.top(region, 10, 3)).toEqual([]);
    expect(cache.top(region, 10).map((s) => s.productId)).toEqual(['p']);
    view('s3');
    expect(cache.top(region, 10, 3).map((s) => s.productId)).toEqual(['p']);
    // Only the count moved (a contributor row alone, as a move to shards delivers it): still read again.
    cache.top(region, 10, 4);
    batch(() => store.noteShopper(region, 'p', 's4', NOW));
    expect(cache.top(region, 10, 4).map((s) => s.productId)).toEqual(['p']);
  });
});
