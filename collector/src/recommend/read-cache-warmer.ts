/**
 * Fills ShopState's recommendation read caches ahead of the answers that
 * need them, a bounded chunk after each answer: the catalog entries, item
 * totals and repurchase intervals, session rings and sessions, and every
 * product's neighbour lists, in key order, through the caches' own reads.
 *
 * Without it, each product, ring and session an answer meets for the first
 * time since the object started costs a query inside that answer (a product
 * page for a product not shown since: its two lists, its neighbours'
 * totals and catalog rows). Reading everything at once on the first answer
 * would instead stall the object for as long as the tables take (seconds on
 * a large shop); a chunk is one or two queries (a few dozen lists), so no
 * answer waits long and a busy object is warm after a few hundred answers.
 *
 * Exact as the caches are: it reads through them, and writes forget what
 * they change. A table with more rows than its cache keeps is left to the
 * answers (warming it would only push out what they read). Over Sql: tested
 * beside.
 */
import { first, type Sql } from '../lib/sql';
import type { AggregateReader } from '../aggregates/snapshot-reader';
import type { CatalogStore } from '../catalog/catalog-store';
import { AGGREGATE_CACHE_LIMITS } from './aggregate-cache';
import type { LinkKind } from './aggregate-store';
import { SESSION_CACHE_LIMITS, type SessionStore } from './session-store';
import { CATALOG_CACHE_ITEMS } from '../catalog/catalog-store';

/** Keys read per chunk; a chunk of products' lists reads this many lists of each kind at most. */
export const WARM_CHUNK = { keys: 200, lists: 20 };

/** A table walked in key order: the next keys after `after`, and what warms them. */
interface Walk {
  table: string;
  key: string;
  /** Rows the cache keeps at most; a larger table is not walked. */
  fits: number;
  chunk: number;
  /** Extra condition (the link kind). */
  where?: string;
  warm: (keys: string[]) => void;
}

export class ReadCacheWarmer {
  private readonly walks: Walk[];
  private index = 0;
  private after = '';
  private sized = false;

  constructor(
    private readonly sql: Sql,
    caches: { catalog: CatalogStore; aggregates: AggregateReader; sessions: SessionStore; neighbourLimit: number },
  ) {
    const lists = (kind: LinkKind) => (ids: string[]) => ids.forEach((id) => caches.aggregates.neighbours(kind, id, caches.neighbourLimit));
    this.walks = [
      { table: 'catalog', key: 'product_id', fits: CATALOG_CACHE_ITEMS, chunk: WARM_CHUNK.keys, warm: (ids) => caches.catalog.items(ids) },
      { table: 'item_totals', key: 'product_id', fits: AGGREGATE_CACHE_LIMITS.products, chunk: WARM_CHUNK.keys, warm: (ids) => caches.aggregates.totals(ids) },
      {
        table: 'repurchase',
        key: 'product_id',
        fits: AGGREGATE_CACHE_LIMITS.products,
        chunk: WARM_CHUNK.keys,
        warm: (ids) => caches.aggregates.repurchaseIntervals(ids),
      },
      { table: 'product_sessions', key: 'product_id', fits: SESSION_CACHE_LIMITS.rings, chunk: WARM_CHUNK.keys, warm: (ids) => caches.sessions.ringsOf(ids) },
      {
        table: 'recent_sessions',
        key: 'session_key',
        fits: SESSION_CACHE_LIMITS.sessions,
        chunk: WARM_CHUNK.keys,
        warm: (keys) => caches.sessions.sessions(keys),
      },
      ...(['v', 'b'] as const).map((kind) => ({
        table: 'links',
        key: 'a',
        where: `kind = '${kind}'`,
        // Rows, not products: each list weighs its rows in the cache.
        fits: AGGREGATE_CACHE_LIMITS.neighbourRows,
        chunk: WARM_CHUNK.lists,
        warm: lists(kind),
      })),
    ];
  }

  /** Whether every table has been walked (or left to the answers). */
  get done(): boolean {
    return this.index >= this.walks.length;
  }

  /** Warms the next chunk; call after an answer. */
  step(): void {
    if (!this.sized) this.dropTablesTooLarge();
    const walk = this.walks[this.index];
    if (!walk) return;
    const where = [walk.where, `${walk.key} > ?`].filter(Boolean).join(' AND ');
    const keys = this.sql
      .exec<{ k: string }>(`SELECT DISTINCT ${walk.key} AS k FROM ${walk.table} WHERE ${where} ORDER BY ${walk.key} LIMIT ?`, this.after, walk.chunk)
      .toArray()
      .map((row) => row.k);
    if (keys.length > 0) walk.warm(keys);
    if (keys.length < walk.chunk) {
      this.index++;
      this.after = '';
    } else {
      this.after = keys[keys.length - 1]!;
    }
  }

  /** Once: tables larger than their caches are left out (counted up to that size, so a huge table costs no scan). */
  private dropTablesTooLarge(): void {
    this.sized = true;
    const rows = (table: string, limit: number) => first<{ n: number }>(this.sql, `SELECT COUNT(*) AS n FROM (SELECT 1 FROM ${table} LIMIT ?)`, limit + 1)!.n;
    const fits = new Map<string, boolean>();
    for (const walk of this.walks) if (!fits.has(walk.table)) fits.set(walk.table, rows(walk.table, walk.fits) <= walk.fits);
    this.walks.splice(0, this.walks.length, ...this.walks.filter((walk) => fits.get(walk.table)));
  }
}
