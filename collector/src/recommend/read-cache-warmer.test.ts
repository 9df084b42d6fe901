import { describe, expect, it } from 'vitest';
import { CATALOG_CACHE_ITEMS } from '../catalog/catalog-store';
import { migrate } from '../lib/migrate';
import { openSqlJs } from '../lib/sqljs-sql';
import { SHOP_MIGRATIONS, ShopModel } from '../shop/shop-model';
import { ReadCacheWarmer, WARM_CHUNK } from './read-cache-warmer';

const NEIGHBOURS = 5;
const PRODUCTS = WARM_CHUNK.keys + 30;
const LINKED = WARM_CHUNK.lists + 7;
const id = (i: number) => `p${String(i).padStart(4, '0')}`;

/** A shop's tables filled row by row (as drains would have left them), and a model over them, its caches cold. */
async function shop({ extraCatalog = 0 } = {}) {
  const { sql, counters, transaction } = await openSqlJs();
  migrate(sql, SHOP_MIGRATIONS);
  transaction(() => {
    for (let i = 0; i < PRODUCTS; i++) {
      sql.exec("INSERT INTO catalog (product_id, name, price, in_stock, updated_at, source) VALUES (?, ?, 10, 1, 0, 'admin')", id(i), `Product ${i}`);
      sql.exec('INSERT INTO item_totals (product_id, views, buys) VALUES (?, ?, 0)', id(i), i + 1);
      sql.exec('INSERT INTO product_sessions (product_id, sessions) VALUES (?, ?)', id(i), JSON.stringify([`s${i}`, `s${i + 1}`]));
      sql.exec(
        'INSERT INTO recent_sessions (session_key, profile_id, at, products, refs) VALUES (?, ?, ?, ?, 1)',
        `s${i}`,
        `profile-${i}`,
        i,
        JSON.stringify([id(i)]),
      );
    }
    for (let i = 0; i < LINKED; i++) {
      for (let j = 1; j <= NEIGHBOURS + 2; j++) sql.exec("INSERT INTO links (kind, a, b, score) VALUES ('v', ?, ?, ?)", id(i), id(i + j), j % 3);
      sql.exec("INSERT INTO links (kind, a, b, score) VALUES ('b', ?, ?, 1)", id(i), id(i + 1));
    }
    sql.exec('INSERT INTO repurchase (product_id, intervals, mean_ms) VALUES (?, 2, 86400000)', id(0));
    if (extraCatalog > 0) {
      sql.exec(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) INSERT INTO catalog (product_id, name, in_stock, updated_at, source) SELECT 'x' || i, 'X', 1, 0, 'admin' FROM n",
        extraCatalog,
      );
    }
  });
  const model = new ShopModel(sql);
  const warmer = new ReadCacheWarmer(sql, { catalog: model.catalog, aggregates: model.aggregateReads, sessions: model.sessions, neighbourLimit: NEIGHBOURS });
  const ids = Array.from({ length: PRODUCTS }, (_, i) => id(i));
  /** Everything an answer could ask of the caches. */
  const readAll = () => ({
    catalog: model.catalog.items(ids),
    totals: model.aggregateReads.totals(ids),
    repurchase: model.aggregateReads.repurchaseIntervals(ids.slice(0, 3)),
    rings: model.sessions.ringsOf(ids),
    sessions: model.sessions.sessions(ids.map((_, i) => `s${i}`)),
    views: ids.slice(0, LINKED).map((p) => model.aggregateReads.neighbours('v', p, NEIGHBOURS)),
    bought: ids.slice(0, LINKED).map((p) => model.aggregateReads.neighbours('b', p, NEIGHBOURS)),
  });
  return { sql, counters, transaction, model, warmer, readAll };
}

describe('ReadCacheWarmer', () => {
  it('fills every cache a bounded chunk at a time, after which answers read nothing', async () => {
    const cold = await shop();
    const expected = cold.readAll();

    const { counters, warmer, readAll } = await shop();
    let steps = 0;
    while (!warmer.done) {
      const before = counters.rowsRead;
      warmer.step();
      steps++;
      // A chunk's keys and their rows: never a whole table at once.
      expect(counters.rowsRead - before).toBeLessThanOrEqual(2 * WARM_CHUNK.keys + 2 * (NEIGHBOURS + 1) * WARM_CHUNK.lists + 10);
      expect(steps).toBeLessThan(100);
    }
    expect(steps).toBeGreaterThan(7);
    const rowsRead = counters.rowsRead;
    expect(readAll()).toEqual(expected);
    expect(counters.rowsRead).toBe(rowsRead);
  });

  it('stays exact: what a write changes after warming is read again', async () => {
    const { transaction, model, warmer } = await shop();
    while (!warmer.done) warmer.step();
    transaction(() => model.loadCatalog([{ productId: id(0), name: 'Renamed', inStock: false }], 1));
    expect(model.catalog.items([id(0)]).get(id(0))).toMatchObject({ name: 'Renamed', inStock: false });
    // A drained batch's rows reach the aggregate cache through the store's own write path.
    transaction(() => {
      model.aggregates.begin();
      model.aggregates.bumpLink('v', id(0), id(99), 10);
      model.aggregates.flush();
    });
    expect(model.aggregateReads.neighbours('v', id(0), NEIGHBOURS)[0]).toEqual({ productId: id(99), score: 10 });
  });

  it('leaves a table larger than its cache to the answers', async () => {
    const { counters, warmer, model } = await shop({ extraCatalog: CATALOG_CACHE_ITEMS });
    while (!warmer.done) warmer.step();
    const before = counters.rowsRead;
    model.catalog.items([id(1)]);
    expect(counters.rowsRead).toBe(before + 1);
    // The other tables fit, and were warmed.
    model.aggregateReads.totals([id(1)]);
    expect(counters.rowsRead).toBe(before + 1);
  });
});
