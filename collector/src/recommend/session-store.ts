/**
 * Recent sessions, for session-neighbour recommendations (session kNN kept
 * up to date event by event): each session's products in the order they were
 * last viewed, and for each product the sessions that viewed it most
 * recently (a ring of at most RING keys).
 *
 * Writes per product view are bounded: the session's row is rewritten (its
 * products as the profile holds them, at most 20), and the first view of a
 * product in a session appends the session to that product's ring, evicting
 * its oldest. A session row counts the rings that hold it and goes when the
 * last one lets it go, so storage grows with the catalog (products × RING),
 * not with traffic.
 *
 * Reads per request are bounded too: one ring row per seed product and one
 * row per candidate session (see strategies.ts).
 *
 * Session keys are digests of the profile id and the profile's session id,
 * so a ring names no one; rows carry their profile id so an erasure finds
 * them (forgetProfiles).
 */
import { contentDigest } from '../lib/hash';
import { BoundedMap } from '../lib/bounded-map';
import { first, type Sql } from '../lib/sql';

/** Sessions a product remembers. */
export const RING = 50;

export interface RecentSession {
  key: string;
  at: number;
  /** In the order last viewed, oldest first. */
  products: string[];
}

export function sessionKey(profileId: string, sessionId: string): string {
  return contentDigest(`${profileId}/${sessionId}`);
}

const byKey = (a: RecentSession, b: RecentSession) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** Rings and sessions kept in memory between requests, at most (a few MB). */
export const SESSION_CACHE_LIMITS = { rings: 10_000, sessions: 20_000 };

/**
 * Like AggregateStore, changes are gathered while a batch is applied and
 * written once per key by flush().
 */
export class SessionStore {
  private snapshots = new Map<string, { profileId: string; at: number; products: string[] }>();
  /** product → session keys that viewed it in this batch, in order. */
  private viewedIn = new Map<string, string[]>();
  /**
   * Rings (newest first) and sessions read before, parsed (null: no row):
   * every request for a shopper with a session reads a few hundred of them.
   * Every write here forgets what it changed, and nothing else writes the
   * tables, so they are never stale. Frozen: callers share them.
   */
  private readonly rings = new BoundedMap<string, readonly string[] | null>(SESSION_CACHE_LIMITS.rings);
  private readonly parsed = new BoundedMap<string, RecentSession | null>(SESSION_CACHE_LIMITS.sessions);
  /** One string per product id across the cached sessions. */
  private readonly ids = new Map<string, string>();

  constructor(private readonly sql: Sql) {}

  /** Starts a batch: forgets whatever a batch that failed before flush() left in memory. */
  begin(): void {
    this.snapshots = new Map();
    this.viewedIn = new Map();
  }

  /** A view of `productId` in the session `key`, whose products are now `products` (oldest first). */
  noteView(key: string, profileId: string, productId: string, products: readonly string[], atMs: number): void {
    this.snapshots.set(key, { profileId, at: atMs, products: [...products] });
    const keys = this.viewedIn.get(productId);
    if (!keys) this.viewedIn.set(productId, [key]);
    else if (!keys.includes(key)) keys.push(key);
  }

  /** Writes the batch's changes; call inside the batch's transaction. */
  flush(): void {
    const refs = new Map<string, number>();
    const bump = (key: string, by: number) => refs.set(key, (refs.get(key) ?? 0) + by);
    for (const [productId, keys] of this.viewedIn) {
      const row = first<{ sessions: string }>(this.sql, 'SELECT sessions FROM product_sessions WHERE product_id = ?', productId);
      const ring: string[] = row ? (JSON.parse(row.sessions) as string[]) : [];
      const before = ring.length;
      for (const key of keys) {
        if (ring.includes(key)) continue; // viewed again in the same session
        ring.push(key);
        bump(key, 1);
      }
      if (ring.length === before) continue;
      for (const evicted of ring.splice(0, Math.max(0, ring.length - RING))) bump(evicted, -1);
      this.rings.delete(productId);
      this.sql.exec(
        'INSERT INTO product_sessions (product_id, sessions) VALUES (?1, ?2) ON CONFLICT (product_id) DO UPDATE SET sessions = ?2',
        productId,
        JSON.stringify(ring),
      );
    }
    for (const [key, { profileId, at, products }] of this.snapshots) {
      this.parsed.delete(key);
      this.sql.exec(
        `INSERT INTO recent_sessions (session_key, profile_id, at, products, refs) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (session_key) DO UPDATE SET at = max(at, ?3), products = ?4, refs = refs + ?5`,
        key,
        profileId,
        at,
        JSON.stringify(products),
        refs.get(key) ?? 0,
      );
    }
    const released: string[] = [];
    for (const [key, by] of refs) {
      if (by >= 0) continue;
      released.push(key);
      this.parsed.delete(key);
      if (!this.snapshots.has(key)) this.sql.exec('UPDATE recent_sessions SET refs = refs + ? WHERE session_key = ?', by, key);
    }
    if (released.length > 0) {
      this.sql.exec('DELETE FROM recent_sessions WHERE session_key IN (SELECT value FROM json_each(?)) AND refs <= 0', JSON.stringify(released));
    }
    this.begin();
  }

  /** The sessions that viewed each product most recently, newest first. */
  ringsOf(productIds: readonly string[]): Map<string, readonly string[]> {
    const found = new Map<string, readonly string[]>();
    const missing: string[] = [];
    for (const id of productIds) {
      const ring = this.rings.get(id);
      if (ring === undefined) missing.push(id);
      else if (ring !== null) found.set(id, ring);
    }
    if (missing.length === 0) return found;
    for (const row of this.sql.exec<{ product_id: string; sessions: string }>(
      'SELECT product_id, sessions FROM product_sessions WHERE product_id IN (SELECT value FROM json_each(?))',
      JSON.stringify(missing),
    )) {
      found.set(row.product_id, Object.freeze((JSON.parse(row.sessions) as string[]).reverse()));
    }
    for (const id of missing) this.rings.set(id, found.get(id) ?? null);
    return found;
  }

  /** The sessions of these keys that still exist, in the order of their keys (as SQLite returns them), whatever was cached. */
  sessions(keys: readonly string[]): RecentSession[] {
    const found: RecentSession[] = [];
    const missing: string[] = [];
    for (const key of keys) {
      const session = this.parsed.get(key);
      if (session === undefined) missing.push(key);
      else if (session !== null) found.push(session);
    }
    if (missing.length === 0) return found.sort(byKey);
    const read = new Map<string, RecentSession>();
    for (const row of this.sql.exec<{ session_key: string; at: number; products: string }>(
      'SELECT session_key, at, products FROM recent_sessions WHERE session_key IN (SELECT value FROM json_each(?))',
      JSON.stringify(missing),
    )) {
      const products = Object.freeze((JSON.parse(row.products) as string[]).map((id) => this.intern(id)));
      read.set(row.session_key, Object.freeze({ key: row.session_key, at: row.at, products: products as string[] }));
    }
    for (const key of missing) {
      const session = read.get(key);
      this.parsed.set(key, session ?? null);
      if (session) found.push(session);
    }
    return found.sort(byKey);
  }

  private intern(productId: string): string {
    const known = this.ids.get(productId);
    if (known !== undefined) return known;
    // Bounded like the rest: past this many ids, start over (older sessions keep their own strings).
    if (this.ids.size >= 4 * SESSION_CACHE_LIMITS.sessions) this.ids.clear();
    this.ids.set(productId, productId);
    return productId;
  }

  /**
   * Erasure: the sessions of these profiles go, and so do their keys in the
   * rings of the products they list (a ring may keep a key of a product that
   * had left a long session's list: a digest that names nothing any more).
   */
  forgetProfiles(profileIds: readonly string[]): void {
    if (profileIds.length === 0) return;
    const gone = this.sql
      .exec<{ session_key: string; products: string }>(
        'SELECT session_key, products FROM recent_sessions WHERE profile_id IN (SELECT value FROM json_each(?))',
        JSON.stringify(profileIds),
      )
      .toArray();
    const keysByProduct = new Map<string, Set<string>>();
    for (const row of gone) {
      for (const productId of JSON.parse(row.products) as string[]) {
        let keys = keysByProduct.get(productId);
        if (!keys) keysByProduct.set(productId, (keys = new Set()));
        keys.add(row.session_key);
      }
    }
    for (const [productId, keys] of this.ringsOf([...keysByProduct.keys()])) {
      const drop = keysByProduct.get(productId)!;
      const kept = keys.filter((key) => !drop.has(key)).reverse();
      this.sql.exec('UPDATE product_sessions SET sessions = ? WHERE product_id = ?', JSON.stringify(kept), productId);
    }
    this.sql.exec('DELETE FROM recent_sessions WHERE profile_id IN (SELECT value FROM json_each(?))', JSON.stringify(profileIds));
    this.rings.clear();
    this.parsed.clear();
  }
}
