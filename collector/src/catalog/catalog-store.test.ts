import { describe, expect, it } from 'vitest';
import { migrate } from '../lib/migrate';
import { openSqlJs } from '../lib/sqljs-sql';
import { SHOP_MIGRATIONS } from '../shop/shop-model';
import { CatalogStore, type CatalogPolicy, type LearnCatalog } from './catalog-store';
import type { ProductFacts } from './product-facts';

const T0 = Date.UTC(2026, 3, 1);
const hosts = { allowedOrigins: ['https://shop.example'], assetHosts: ['cdn.shop.example'] };
const policy = (learn: LearnCatalog): CatalogPolicy => ({ learn, ...hosts });

async function catalog() {
  const { sql, transaction } = await openSqlJs();
  migrate(sql, SHOP_MIGRATIONS);
  const store = new CatalogStore(sql);
  /** Facts from events, applied as one drained batch. */
  const learn = (facts: ProductFacts[], learn: LearnCatalog, at = T0) =>
    transaction(() => {
      store.begin();
      for (const f of facts) store.learn(f, at, policy(learn));
      store.flush();
    });
  return { store, learn, item: (id: string) => store.items([id]).get(id) };
}

const loaded: ProductFacts = { productId: 'tent', name: 'Tent', price: 199, currency: 'EUR', url: '/p/tent', category: 'Outdoor' };
/** One request from anyone with the write key: rename, reprice, relink, restock. */
const attack: ProductFacts = {
  productId: 'tent',
  name: 'FREE TENT click here',
  price: 0.01,
  currency: 'USD',
  url: 'https://shop.example/phish',
  imageUrl: 'https://cdn.shop.example/scam.png',
  category: 'Deals',
  inStock: false,
};

describe('catalog trust', () => {
  for (const learnCatalog of ['new', 'off', 'all'] as const) {
    it(`keeps what the admin loaded whatever events say (learnCatalog "${learnCatalog}")`, async () => {
      const { store, learn, item } = await catalog();
      store.load([loaded], T0 - 1000);
      learn([attack], learnCatalog, T0 + 1000);
      expect(item('tent')).toMatchObject({ name: 'Tent', price: 199, currency: 'EUR', url: '/p/tent', category: 'Outdoor', inStock: true });
      // "all" may fill what the admin left empty (here the image, on the site's asset host); the others leave the row alone.
      expect(item('tent')!.imageUrl).toBe(learnCatalog === 'all' ? 'https://cdn.shop.example/scam.png' : undefined);
    });
  }

  it('learns products the admin has not loaded, unless learning is off', async () => {
    const { learn, item } = await catalog();
    learn([{ productId: 'new-1', name: 'Learned', price: 5 }], 'new');
    expect(item('new-1')).toMatchObject({ name: 'Learned', price: 5 });
    learn([{ productId: 'new-1', name: 'Renamed later', price: 6 }], 'new', T0 + 1000);
    expect(item('new-1')).toMatchObject({ name: 'Renamed later', price: 6 });
    learn([{ productId: 'invented', name: 'Invented' }], 'off');
    expect(item('invented')).toBeUndefined();
  });

  it('a later admin load replaces a learned product entirely', async () => {
    const { store, learn, item } = await catalog();
    learn([{ productId: 'lamp', name: 'Lamp?', price: 1, imageUrl: '/img/x.png' }], 'new');
    store.load([{ productId: 'lamp', name: 'Lamp', price: 30 }], T0 + 1000);
    learn([{ productId: 'lamp', name: 'Lamp!!', imageUrl: '/img/y.png' }], 'new', T0 + 2000);
    expect(item('lamp')).toEqual({ productId: 'lamp', name: 'Lamp', price: 30, inStock: true });
  });

  it('drops learned links off the site’s hosts, keeping the rest of the facts', async () => {
    const { learn, item } = await catalog();
    learn([{ productId: 'x', name: 'X', url: 'javascript:alert(1)', imageUrl: 'https://evil.example/x.png' }], 'new');
    expect(item('x')).toEqual({ productId: 'x', name: 'X', inStock: true });
    learn([{ productId: 'y', name: 'Y', url: 'https://shop.example/p/y', imageUrl: '/img/y.png' }], 'new');
    expect(item('y')).toMatchObject({ url: 'https://shop.example/p/y', imageUrl: '/img/y.png' });
  });
});

describe('catalog reads', () => {
  it('reads a product from SQLite once, and again after a load or an event changed it', async () => {
    const { sql, transaction, counters } = await openSqlJs();
    migrate(sql, SHOP_MIGRATIONS);
    const store = new CatalogStore(sql);
    transaction(() => store.load([loaded, { productId: 'stove', name: 'Stove' }], T0));
    expect(store.items(['tent', 'stove', 'nothing']).size).toBe(2);
    const rowsRead = counters.rowsRead;
    expect([...store.items(['tent', 'stove', 'nothing']).keys()]).toEqual(['tent', 'stove']);
    expect(counters.rowsRead).toBe(rowsRead);

    transaction(() => store.load([{ ...loaded, inStock: false }], T0 + 1));
    expect(store.items(['tent']).get('tent')?.inStock).toBe(false);
    transaction(() => {
      store.begin();
      store.learn({ productId: 'nothing', name: 'Learned' }, T0 + 2, policy('new'));
      store.flush();
    });
    expect(store.items(['nothing']).get('nothing')?.name).toBe('Learned');
    expect(Object.isFrozen(store.items(['stove']).get('stove'))).toBe(true);
  });
});
