/**
 * The catalog in ShopState's SQLite: loaded in bulk by the admin, learned from
 * product events.
 *
 * The write key is public, so events are untrusted: a product the admin
 * loaded is the admin's (`source = 'admin'`), and no event changes what the
 * admin said about it. The site's `learnCatalog` says what events may add:
 * `new` (the default) products the admin has not loaded, `off` nothing,
 * `all` also the fields the admin left empty. A learned link must be on the
 * site's own hosts (product-links.ts). Among learned facts, one replaces an
 * older one only if it is at least as recent, so events replayed out of
 * order cannot roll a price back.
 */
import type { CatalogItem } from '@trailmark/schema';
import { BoundedMap } from '../lib/bounded-map';
import type { Sql, SqlValue } from '../lib/sql';
import { learnedLinkAllowed, linkProblem, type LinkHosts } from './product-links';
import type { ProductFacts } from './product-facts';

export type LearnCatalog = 'new' | 'off' | 'all';

export interface CatalogPolicy extends LinkHosts {
  learn: LearnCatalog;
}

/** For a ShopModel run without a site (the offline benchmark): learn new products, links only as paths. */
export const DEFAULT_CATALOG_POLICY: CatalogPolicy = { learn: 'new', allowedOrigins: [], assetHosts: [] };

interface CatalogRow {
  product_id: string;
  name: string | null;
  price: number | null;
  currency: string | null;
  image_url: string | null;
  url: string | null;
  category: string | null;
  in_stock: number;
  [column: string]: SqlValue;
}

/** Products whose entries are kept in memory between requests, at most (about 10 MB). */
export const CATALOG_CACHE_ITEMS = 20_000;

export class CatalogStore {
  /** Facts learned in the batch being applied, merged per product, written by flush(). */
  private pending = new Map<string, { facts: ProductFacts; atMs: number }>();
  private learning: LearnCatalog = 'new';
  /**
   * Entries read before (null: no row, or no name yet), for recommendations,
   * which look up the same products over and over. Every write here forgets
   * its product, and nothing else writes the table, so they are never stale.
   */
  private readonly cached = new BoundedMap<string, CatalogItem | null>(CATALOG_CACHE_ITEMS);

  constructor(private readonly sql: Sql) {}

  /** Records what an event says about a product at `atMs`, as far as the site's policy lets it; unknown fields keep their value. */
  learn(raw: ProductFacts, atMs: number, policy: CatalogPolicy): void {
    if (policy.learn === 'off') return;
    this.learning = policy.learn;
    const facts = { ...raw };
    if (facts.url !== undefined && !learnedLinkAllowed(facts.url, policy)) delete facts.url;
    if (facts.imageUrl !== undefined && !learnedLinkAllowed(facts.imageUrl, policy)) delete facts.imageUrl;
    const seen = this.pending.get(facts.productId);
    if (!seen) {
      this.pending.set(facts.productId, { facts, atMs });
      return;
    }
    // Within a batch, later facts win field by field, as they would across batches.
    const [older, newer] = atMs >= seen.atMs ? [seen.facts, facts] : [facts, seen.facts];
    this.pending.set(facts.productId, { facts: { ...older, ...stripUndefined(newer) }, atMs: Math.max(atMs, seen.atMs) });
  }

  /** Writes the batch's learned facts; call inside the batch's transaction. */
  flush(): void {
    for (const { facts, atMs } of this.pending.values()) this.writeLearned(facts, atMs);
    this.pending = new Map();
  }

  /** Starts a batch: forgets what a batch that failed before flush() left in memory. */
  begin(): void {
    this.pending = new Map();
  }

  /**
   * The admin's facts about products: each row becomes the product as given
   * (fields left out are empty), and stays so whatever events say.
   */
  load(products: readonly ProductFacts[], atMs: number): void {
    for (const facts of products) {
      this.cached.delete(facts.productId);
      this.sql.exec(
        `INSERT INTO catalog (product_id, name, price, currency, image_url, url, category, in_stock, updated_at, source)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, COALESCE(?8, 1), ?9, 'admin')
         ON CONFLICT (product_id) DO UPDATE SET
           name = ?2, price = ?3, currency = ?4, image_url = ?5, url = ?6, category = ?7,
           in_stock = COALESCE(?8, 1), updated_at = ?9, source = 'admin'`,
        ...factColumns(facts),
        atMs,
      );
    }
  }

  private writeLearned(facts: ProductFacts, atMs: number): void {
    this.cached.delete(facts.productId);
    // On an admin row, a learned fact only fills an empty field (learnCatalog "all"; "new" leaves the row alone).
    const field = (column: string, param: string) =>
      `${column} = CASE WHEN source = 'admin' THEN COALESCE(${column}, ${param})
                        WHEN ?9 >= updated_at THEN COALESCE(${param}, ${column}) ELSE COALESCE(${column}, ${param}) END`;
    this.sql.exec(
      `INSERT INTO catalog (product_id, name, price, currency, image_url, url, category, in_stock, updated_at, source)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, COALESCE(?8, 1), ?9, 'event')
       ON CONFLICT (product_id) DO UPDATE SET
         ${field('name', '?2')},
         ${field('price', '?3')},
         ${field('currency', '?4')},
         ${field('image_url', '?5')},
         ${field('url', '?6')},
         ${field('category', '?7')},
         in_stock   = CASE WHEN source = 'event' AND ?9 >= updated_at AND ?8 IS NOT NULL THEN ?8 ELSE in_stock END,
         updated_at = CASE WHEN source = 'event' THEN MAX(updated_at, ?9) ELSE updated_at END
       WHERE source = 'event' OR ?10 = 'all'`,
      ...factColumns(facts),
      atMs,
      this.learning,
    );
  }

  /** Products by id, only those with a name (an item cannot be shown without one). */
  items(productIds: readonly string[]): Map<string, CatalogItem> {
    const found = new Map<string, CatalogItem>();
    const missing: string[] = [];
    for (const id of productIds) {
      const item = this.cached.get(id);
      if (item === undefined) missing.push(id);
      else if (item !== null) found.set(id, item);
    }
    if (missing.length === 0) return found;
    const rows = this.sql.exec<CatalogRow>(
      'SELECT * FROM catalog WHERE product_id IN (SELECT value FROM json_each(?)) AND name IS NOT NULL',
      JSON.stringify(missing),
    );
    for (const row of rows) found.set(row.product_id, Object.freeze(toItem(row)));
    for (const id of missing) this.cached.set(id, found.get(id) ?? null);
    return found;
  }

  /** A few named, in-stock products, for the last-resort fallback of an empty shop history. */
  anyInStock(limit: number): string[] {
    return this.sql
      .exec<{ product_id: string }>('SELECT product_id FROM catalog WHERE in_stock = 1 AND name IS NOT NULL ORDER BY updated_at DESC LIMIT ?', limit)
      .toArray()
      .map((row) => row.product_id);
  }

  count(): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM catalog').one().n;
  }
}

function factColumns(facts: ProductFacts): SqlValue[] {
  return [
    facts.productId,
    facts.name ?? null,
    facts.price ?? null,
    facts.currency ?? null,
    facts.imageUrl ?? null,
    facts.url ?? null,
    facts.category ?? null,
    facts.inStock === undefined ? null : facts.inStock ? 1 : 0,
  ];
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function toItem(row: CatalogRow): CatalogItem {
  const item: CatalogItem = { productId: row.product_id, name: row.name ?? row.product_id, inStock: row.in_stock === 1 };
  if (row.price !== null) item.price = row.price;
  if (row.currency !== null) item.currency = row.currency;
  // Rows stored before links were checked may hold what a page must not get (javascript:, //host…).
  if (row.image_url !== null && !linkProblem(row.image_url)) item.imageUrl = row.image_url;
  if (row.url !== null && !linkProblem(row.url)) item.url = row.url;
  if (row.category !== null) item.category = row.category;
  return item;
}
