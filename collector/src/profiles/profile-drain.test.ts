import type { StoredMessage } from '@trailmark/schema';
import { describe, expect, it } from 'vitest';
import { DIRECTORY_MIGRATIONS, DirectoryModel } from '../identity/directory-model';
import { migrate } from '../lib/migrate';
import type { Sql } from '../lib/sql';
import { openSqlJs } from '../lib/sqljs-sql';
import { SHOP_MIGRATIONS, ShopModel, type IngestItem } from '../shop/shop-model';
import { drainToProfileShards, type ProfileDrainObjects } from './profile-drain';
import { PROFILE_SHARD_MIGRATIONS, ProfileShardModel } from './profile-shard-model';

let n = 0;
const at = (i: number) => new Date(Date.UTC(2026, 10, 1, 12, 0, i)).toISOString();
function message(fields: Record<string, unknown>): IngestItem {
  const i = n++;
  const m = {
    type: 'track',
    messageId: `m${i}`,
    timestamp: at(i),
    receivedAt: at(i),
    context: { geo: { country: 'DE', region: 'BY' }, device: { type: 'mobile' }, bot: false },
    ...fields,
  };
  return { message: m as unknown as StoredMessage, idHashes: [] };
}
const view = (anonymousId: string, productId: string) =>
  message({ anonymousId, event: 'Product Viewed', properties: { product_id: productId, name: productId, category: 'Tents', price: 10 } });
const add = (anonymousId: string, productId: string) =>
  message({ anonymousId, event: 'Product Added', properties: { product_id: productId, price: 10, quantity: 1 } });
const order = (anonymousId: string, ids: string[]) =>
  message({
    anonymousId,
    event: 'Order Completed',
    properties: { order_id: `o${n}`, total: 10 * ids.length, currency: 'USD', products: ids.map((id) => ({ product_id: id, price: 10, quantity: 1 })) },
  });
const identify = (anonymousId: string, userId: string) => message({ type: 'identify', anonymousId, userId, traits: {} });

/** Two-device customers, logins mid-batch (merges across shards), an alias, orders. */
function batches(): IngestItem[][] {
  const out: IngestItem[][] = [];
  for (let i = 0; i < 6; i++) {
    out.push([view(`laptop${i}`, 'tent'), view(`laptop${i}`, `mat${i % 3}`), identify(`laptop${i}`, `u${i}`), add(`laptop${i}`, 'tent')]);
    out.push([
      view(`phone${i}`, 'stove'),
      add(`phone${i}`, 'stove'),
      view(`guest${i}`, 'lamp'),
      identify(`phone${i}`, `u${i}`),
      view(`phone${i}`, 'lamp'),
      order(`phone${i}`, ['stove', 'lamp']),
      view(`guest${i}`, 'tent'),
    ]);
    out.push([
      view(`tablet${i}`, 'tent'),
      message({ type: 'alias', anonymousId: `tablet${i}`, previousId: `tablet${i}`, userId: `u${i}` }),
      view(`tablet${i}`, 'mat0'),
    ]);
  }
  return out;
}

async function db(steps: readonly string[]) {
  const { sql, transaction } = await openSqlJs();
  migrate(sql, steps);
  return { sql, transaction };
}

/** The directory, `shards` profile shards and ShopState's model, called as the drain calls the objects (a fault hook between steps). */
async function shardedSite(shards: number) {
  const directory = { ...(await db(DIRECTORY_MIGRATIONS)) };
  const dir = new DirectoryModel(directory.sql);
  const parts = await Promise.all(
    Array.from({ length: shards }, async () => {
      const d = await db(PROFILE_SHARD_MIGRATIONS);
      return { ...d, model: new ProfileShardModel(d.sql) };
    }),
  );
  const shop = await db(SHOP_MIGRATIONS);
  const model = new ShopModel(shop.sql);
  let failAfter: string | undefined;
  const maybeFail = (step: string) => {
    if (failAfter === step) {
      failAfter = undefined;
      throw new Error(`injected after ${step}`);
    }
  };
  const objects: ProfileDrainObjects = {
    directory: { resolve: (items) => directory.transaction(() => dir.resolve(items, Date.now())) },
    shard: (i) => ({
      apply: (items, currency) => {
        const out = parts[i]!.transaction(() => parts[i]!.model.apply(items, currency, Date.now()));
        maybeFail('apply');
        return out;
      },
      mergeOut: (id, from, into) => ({ campaigns: {}, ...parts[i]!.transaction(() => parts[i]!.model.mergeOut(id, from, into, Date.now())) }),
      mergeIn: (id, _from, into, payload, userId, currency) => {
        parts[i]!.transaction(() => parts[i]!.model.mergeIn(id, into, payload.doc, userId, currency, Date.now()));
        maybeFail('mergeIn');
      },
      mergeAcked: (id) => parts[i]!.transaction(() => parts[i]!.model.mergeAcked(id)),
    }),
    shop: {
      learnEffects: (items) => {
        shop.transaction(() => model.learnEffects(items));
        maybeFail('learn');
      },
    },
  };
  return {
    dir,
    dirSql: directory.sql,
    parts,
    shopSql: shop.sql,
    failAfter: (step: string) => (failAfter = step),
    drain: (batch: IngestItem[]) => drainToProfileShards(objects, { shards, currency: 'USD', identityVerification: 'off' }, batch),
  };
}

const rows = (sql: Sql, query: string) => sql.exec(query).toArray();
const aggregates = (sql: Sql) => ({
  popularity: rows(sql, 'SELECT scope, product_id, round(score, 9) AS s, shoppers FROM popularity ORDER BY 1, 2'),
  // The regional floor's distinct shoppers (popularity-floor.ts) count the same profiles either way.
  shoppers: rows(sql, 'SELECT scope, product_id, CAST(shopper AS TEXT) AS shopper FROM popularity_shoppers ORDER BY 1, 2, 3'),
  links: rows(sql, 'SELECT kind, a, b, round(score, 9) AS s FROM links ORDER BY 1, 2, 3'),
  totals: rows(sql, 'SELECT * FROM item_totals ORDER BY 1'),
  catalog: rows(sql, 'SELECT product_id FROM catalog ORDER BY 1'),
});

describe('a drain through the identity directory and profile shards', () => {
  it('stores what one object does, retried at every step or not', async () => {
    const single = await db(SHOP_MIGRATIONS);
    const one = new ShopModel(single.sql);
    const sharded = await shardedSite(3);
    const steps = ['apply', 'mergeIn', 'learn'];
    let outcomes = 0;
    for (const [b, batch] of batches().entries()) {
      const expected = single.transaction(() => one.ingest(batch));
      // Every other batch fails once after a step and is drained again, as the IngestShard retries.
      if (b % 2 === 1) {
        sharded.failAfter(steps[b % 3]!);
        await sharded.drain(batch).catch(() => undefined);
      }
      const got = await sharded.drain(batch);
      expect(got).toEqual(expected);
      outcomes += got.merges.length;
    }
    expect(outcomes).toBeGreaterThan(5);
    // Every profile's document, wherever it lives.
    const documents = new Map<string, unknown>();
    for (const part of sharded.parts) {
      for (const row of part.sql.exec<{ profile_id: string; data: string }>('SELECT profile_id, data FROM profiles WHERE data IS NOT NULL'))
        documents.set(row.profile_id, JSON.parse(row.data));
    }
    const expectedDocuments = new Map(
      single.sql
        .exec<{ profile_id: string; data: string }>('SELECT profile_id, data FROM profiles WHERE data IS NOT NULL')
        .toArray()
        .map((r) => [r.profile_id, JSON.parse(r.data)]),
    );
    expect(documents).toEqual(expectedDocuments);
    // Spread over the shards, each document in one.
    const perShard = sharded.parts.map((p) => p.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM profiles WHERE data IS NOT NULL').one().n);
    expect(perShard.filter((count) => count > 0).length).toBeGreaterThan(1);
    expect(perShard.reduce((a, b) => a + b, 0)).toBe(expectedDocuments.size);
    expect(aggregates(sharded.shopSql)).toEqual(aggregates(single.sql));
    // The links are the directory's, as one object's are.
    expect(rows(sharded.dirSql, 'SELECT id_kind, id, profile_id FROM identities ORDER BY 1, 2')).toEqual(
      rows(single.sql, 'SELECT id_kind, id, profile_id FROM identities ORDER BY 1, 2'),
    );
  });

  it('sends a message that reaches a profile merged away meanwhile on to where it went', async () => {
    const site = await shardedSite(4);
    await site.drain([view('phone', 'tent'), identify('laptop', 'u')]);
    // Resolved to the phone's profile before the merge (another ingest shard's drain), applied after it.
    const late = view('phone', 'lamp');
    const phoneProfile = site.dir.identities.profileOf('anonymous', 'phone')!;
    await site.drain([identify('phone', 'u')]);
    const out = await drainToProfileShards(
      {
        directory: { resolve: () => [{ profileId: phoneProfile }] },
        shard: (i) => ({
          apply: (items, currency) => site.parts[i]!.model.apply(items, currency, Date.now()),
          mergeOut: () => ({ doc: null, campaigns: {}, done: true }),
          mergeIn: () => {},
          mergeAcked: () => {},
        }),
        shop: { learnEffects: () => {} },
      },
      { shards: 4, currency: 'USD', identityVerification: 'off' },
      [late],
    );
    const customer = site.dir.identities.profileOf('user', 'u')!;
    expect(out.profileIds).toEqual([customer]);
  });
});
