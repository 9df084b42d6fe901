/**
 * The dashboard bench's copies must be other people, counted by the same
 * triggers: run the real D1 migrations on sql.js, store a small visit with
 * a merge, copy it twice and compare the statistics with the original's.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqlJs } from '../lib/sqljs-sql';
import { copyStatements } from '../lib/copy-shoppers';

const MIGRATIONS = path.join(__dirname, '..', '..', 'collector', 'migrations');

async function logWithVisit() {
  const { db } = await openSqlJs();
  for (const file of readdirSync(MIGRATIONS)
    .filter((f) => f.endsWith('.sql'))
    .sort())
    db.exec(readFileSync(path.join(MIGRATIONS, file), 'utf8'));
  const insert = db.prepare(
    `INSERT INTO events (write_key, message_id, type, event, anonymous_id, user_id, profile_id, timestamp, received_at, country, region, bot, body)
     VALUES ('wk', ?, ?, ?, ?, ?, ?, ?, ?, 'DE', 'eu', 0, ?)`,
  );
  const event = (id: string, type: string, name: string | null, userId: string | null, profile: string, at: string, extra: object = {}) =>
    insert.run([
      id,
      type,
      name,
      'anon-1',
      userId,
      profile,
      at,
      at,
      JSON.stringify({
        messageId: id,
        type,
        event: name,
        anonymousId: 'anon-1',
        userId,
        timestamp: at,
        context: { sessionId: 'visit-1', campaign: { source: 'news', medium: 'email' } },
        ...extra,
      }),
    ]);
  event('m1', 'page', 'Home', null, 'anon-profile', '2026-12-01T10:00:00.000Z');
  event('m2', 'track', 'Product Viewed', null, 'anon-profile', '2026-12-01T10:01:00.000Z', { properties: { product_id: 'p1' } });
  db.run(`INSERT INTO profile_merges (write_key, from_profile, to_profile, merged_at) VALUES ('wk', 'anon-profile', 'customer', '2026-12-01T10:02:00.000Z')`);
  event('m3', 'identify', null, 'u1', 'customer', '2026-12-01T10:02:00.000Z');
  event('m4', 'track', 'Order Completed', 'u1', 'customer', '2026-12-01T10:03:00.000Z', {
    properties: { order_id: 'o1', total: 30, currency: 'EUR', products: [{ product_id: 'p1', price: 30 }] },
  });
  return db;
}

const count = (db: Awaited<ReturnType<typeof logWithVisit>>, query: string) => db.exec(query)[0]!.values[0]![0];

describe('copies of the stored shoppers', () => {
  it('adds other people with the same visits, counted by the statistics triggers', async () => {
    const db = await logWithVisit();
    const before = {
      people: count(db, 'SELECT COUNT(*) FROM stats_people'),
      sessions: count(db, 'SELECT COUNT(*) FROM stats_sessions'),
      sessionEvents: count(db, 'SELECT SUM(events) FROM stats_sessions'),
      orders: count(db, 'SELECT COUNT(*) FROM stats_orders'),
      eur: count(db, "SELECT SUM(value) FROM stats_orders WHERE currency = 'EUR'"),
    };
    expect(before).toEqual({ people: 1, sessions: 1, sessionEvents: 4, orders: 1, eur: 30 });

    db.exec(copyStatements(1) + copyStatements(2));

    expect(count(db, 'SELECT COUNT(*) FROM events')).toBe(12);
    expect(count(db, 'SELECT COUNT(*) FROM stats_people')).toBe(3);
    expect(count(db, "SELECT COUNT(*) FROM stats_people WHERE profile_id = 'customer~2'")).toBe(1);
    expect(count(db, 'SELECT COUNT(*) FROM stats_sessions')).toBe(3);
    expect(count(db, "SELECT COUNT(*) FROM stats_sessions WHERE source = 'news' AND medium = 'email' AND events = 4")).toBe(3);
    expect(count(db, 'SELECT COUNT(*) FROM stats_orders')).toBe(3);
    expect(count(db, "SELECT SUM(value) FROM stats_orders WHERE currency = 'EUR'")).toBe(90);
    expect(count(db, "SELECT COUNT(DISTINCT id) FROM stats_person_ids WHERE kind = 'user'")).toBe(3);
    // Copying again changes nothing: a copy's message ids are taken.
    db.exec(copyStatements(1));
    expect(count(db, 'SELECT COUNT(*) FROM events')).toBe(12);
  });

  it('refuses a copy number that would not make new ids', () => {
    expect(() => copyStatements(0)).toThrow(/positive integer/);
  });
});
