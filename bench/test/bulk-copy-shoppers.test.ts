/**
 * The fast copy must leave exactly what the statistics triggers leave when
 * other people do the same things: run the real D1 migrations on sql.js,
 * store a few visits (a merge, a search, a slot seen and clicked, a visit
 * without a session id, money in two currencies); in one database store
 * them again three times under other ids through the triggers, in the
 * other copy them three times in bulk; compare every statistics table and
 * the log, row by row.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bulkCopyParts, bulkCopySql, logSchema, SCHEMA_QUERY } from '../lib/bulk-copy-shoppers';
import { openSqlJs } from '../lib/sqljs-sql';

const MIGRATIONS = path.join(__dirname, '..', '..', 'collector', 'migrations');

type Db = Awaited<ReturnType<typeof openSqlJs>>['db'];

async function emptyLog(): Promise<Db> {
  const { db } = await openSqlJs();
  for (const file of readdirSync(MIGRATIONS)
    .filter((f) => f.endsWith('.sql'))
    .sort())
    db.exec(readFileSync(path.join(MIGRATIONS, file), 'utf8'));
  return db;
}

/** The visits, every id ending in `tag` ('' for the originals, '~1' for the first copy…), through the triggers, in order. */
function storeVisits(db: Db, tag = ''): void {
  const insert = db.prepare(
    `INSERT INTO events (write_key, message_id, type, event, anonymous_id, user_id, profile_id, timestamp, received_at, country, region, bot, body)
     VALUES ('wk', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)`,
  );
  const event = (
    message: string,
    type: string,
    name: string | null,
    anonymous: string,
    user: string | null,
    profileId: string,
    at: string,
    extra: { session?: null; country?: string; properties?: object; context?: object } = {},
  ) => {
    const [id, anon, userId, profile] = [message + tag, anonymous + tag, user === null ? null : user + tag, profileId + tag];
    const context = {
      ...(extra.session === null ? {} : { sessionId: `visit-${anonymous}${tag}` }),
      device: { type: 'mobile' },
      page: { url: 'https://shop.example/p', referrer: 'https://www.google.com/' },
      ...extra.context,
    };
    insert.run([
      id,
      type,
      name,
      anon,
      userId,
      profile,
      at,
      at,
      extra.country ?? 'DE',
      'BY',
      JSON.stringify({ messageId: id, type, event: name, anonymousId: anon, userId, timestamp: at, context, properties: extra.properties ?? {} }),
    ]);
  };
  event('m1', 'page', 'Home', 'anon-1', null, 'anon-profile', '2026-11-20T10:00:00.000Z');
  event('m2', 'track', 'Products Searched', 'anon-1', null, 'anon-profile', '2026-11-20T10:00:30.000Z', { properties: { query: 'Tent', result_count: 0 } });
  event('m3', 'track', 'Product Viewed', 'anon-1', null, 'anon-profile', '2026-11-20T10:01:00.000Z', { properties: { product_id: 'p1', category: 'Outdoor' } });
  event('m4', 'track', 'Recommendation Viewed', 'anon-1', null, 'anon-profile', '2026-11-20T10:01:10.000Z', {
    properties: { slot: 'home', variant: 'control', product_ids: ['p1', 'p2'] },
  });
  event('m5', 'track', 'Recommendation Clicked', 'anon-1', null, 'anon-profile', '2026-11-20T10:01:20.000Z', {
    properties: { slot: 'home', variant: 'control', product_id: 'p2' },
  });
  db.run(`INSERT INTO profile_merges (write_key, from_profile, to_profile, merged_at) VALUES ('wk', ?, ?, '2026-11-20T10:02:00.000Z')`, [
    `anon-profile${tag}`,
    `customer${tag}`,
  ]);
  event('m6', 'identify', null, 'anon-1', 'u1', 'customer', '2026-11-20T10:02:00.000Z');
  event('m7', 'track', 'Product Added', 'anon-1', 'u1', 'customer', '2026-11-20T10:02:30.000Z', {
    properties: { product_id: 'p2', price: 30 },
    context: { attribution: [{ slot: 'home', variant: 'control', productId: 'p2' }] },
  });
  event('m8', 'track', 'Order Completed', 'anon-1', 'u1', 'customer', '2026-11-20T10:03:00.000Z', {
    properties: { order_id: 'o1', total: 30, currency: 'EUR', products: [{ product_id: 'p2', price: 30, quantity: 1 }] },
    context: { attribution: [{ slot: 'home', variant: 'control', productId: 'p2' }] },
  });
  // The customer back three weeks later, from another country, a visit without a session id; money in yen.
  event('m9', 'page', 'Home', 'anon-2', 'u1', 'customer', '2026-12-04T08:00:00.000Z', { session: null, country: 'JP' });
  event('m10', 'track', 'Order Completed', 'anon-2', 'u1', 'customer', '2026-12-04T08:05:00.000Z', {
    session: null,
    country: 'JP',
    properties: { order_id: 'o2', total: 4000, currency: 'JPY', products: [{ product_id: 'p3', price: 4000 }] },
  });
  // Someone else, once.
  event('m11', 'track', 'Product Viewed', 'anon-3', null, 'other', '2026-12-01T12:00:00.000Z', { properties: { product_id: 'p1' } });
}

/** Every row of every statistics table and of the log (without its sequence numbers), rounded, sorted. */
function contents(db: Db): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const tables = db
    .exec(`SELECT name FROM sqlite_master WHERE type = 'table' AND (name LIKE 'stats%' OR name IN ('events', 'profile_merges')) ORDER BY name`)[0]!
    .values.map((r) => String(r[0]));
  for (const table of tables) {
    const result = db.exec(`SELECT * FROM ${table}`)[0];
    const columns = result?.columns ?? [];
    // The log's order and its bodies (a copy's body also names its profile) are not what is compared.
    out[table] = (result?.values ?? [])
      .map((row) =>
        JSON.stringify(
          row.map((v, i) =>
            columns[i] === 'seq' || (table === 'events' && columns[i] === 'body') ? null : typeof v === 'number' ? Math.round(v * 1e6) / 1e6 : v,
          ),
        ),
      )
      .sort();
  }
  return out;
}

describe('the bulk copy of the stored shoppers', () => {
  it('leaves every statistic exactly as the triggers do', async () => {
    const triggered = await emptyLog();
    for (const tag of ['', '~1', '~2', '~3']) storeVisits(triggered, tag);
    const bulk = await emptyLog();
    storeVisits(bulk);
    const original = contents(bulk);
    expect(original.stats_people).toHaveLength(2);
    expect(original.stats_searches).toHaveLength(1);
    expect(original.stats_exposures!.length).toBeGreaterThan(0);

    const [columns, triggers] = bulk.exec(SCHEMA_QUERY);
    const schema = logSchema(
      columns!.values.map(([tbl, col]) => ({ tbl: String(tbl), col: String(col) })),
      triggers!.values.map(([name, sql]) => ({ name: String(name), sql: String(sql) })),
    );
    bulk.exec(bulkCopySql(schema, 3));

    const expected = contents(triggered);
    const got = contents(bulk);
    expect(Object.keys(got)).toEqual(Object.keys(expected));
    for (const table of Object.keys(expected)) expect({ table, rows: got[table] }).toEqual({ table, rows: expected[table] });
    expect(got.stats_people).toHaveLength(8);
    // The triggers are back: a new event is counted.
    expect(bulk.exec(`SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger'`)[0]!.values[0]![0]).toBe(schema.triggers.length);
  });

  it('refuses a statistics table it does not know how to copy', () => {
    const schema = logSchema([{ tbl: 'stats_new_figure', col: 'write_key' }], []);
    expect(() => bulkCopySql(schema, 1)).toThrow(/stats_new_figure/);
  });
});

describe('the bulk copy in parts', () => {
  it('splits the copies, drops the triggers in the first part and restores them in the last', async () => {
    const db = await emptyLog();
    const [columns, triggers] = db.exec(SCHEMA_QUERY);
    const schema = logSchema(
      columns!.values.map(([tbl, col]) => ({ tbl: String(tbl), col: String(col) })),
      triggers!.values.map(([name, sql]) => ({ name: String(name), sql: String(sql) })),
    );
    const parts = bulkCopyParts(schema, 5, 2);
    expect(parts).toHaveLength(3);
    expect(parts[0]).toMatch(/^DROP TRIGGER/);
    expect(parts[1]).not.toMatch(/DROP TRIGGER|CREATE TRIGGER|UPDATE stats_hourly/);
    expect(parts[2]).toMatch(/UPDATE stats_hourly SET count = count \* 6;[\s\S]*CREATE TRIGGER/);
    expect(parts.join('\n')).toBe(bulkCopySql(schema, 5));
  });
});
