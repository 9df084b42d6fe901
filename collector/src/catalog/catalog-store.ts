/**
 * The catalog in ShopState's SQLite: learned from product events, loadable in
 * bulk. A fact replaces an older one only if it is at least as recent, so
 * events replayed out of order cannot roll a price back.
 */
import type { CatalogItem } from '@trailmark/schema';
import type { Sql, SqlValue } from '../lib/sql';
import type { ProductFacts } from './product-facts';

export const CATALOG_SCHEMA = `
CREATE TABLE IF NOT EXISTS catalog (
  product_id TEXT PRIMARY KEY,
  name       TEXT,
  price      REAL,
  currency   TEXT,
  image_url  TEXT,
  url        TEXT,
  category   TEXT,
  in_stock   INTEGER NOT NULL DEFAULT 1,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS catalog_by_category ON catalog (category);
`;


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

export class CatalogStore {
  /** Facts seen in the batch being applied, merged per product, written by flush(). */
  private pending = new Map<string, { facts: ProductFacts; atMs: number }>();

  constructor(private readonly sql: Sql) {}

  /** Records what is known about a product at `atMs`; unknown fields keep their value. */
  learn(facts: ProductFacts, atMs: number): void {
    const seen = this.pending.get(facts.productId);
    if (!seen) {
      this.pending.set(facts.productId, { facts, atMs });
      return;
    }
    // Within a batch, later facts win field by field, as they would across batches.
    const [older, newer] = atMs >= seen.atMs ? [seen.facts, facts] : [facts, seen.facts];
    this.pending.set(facts.productId, { facts: { ...older, ...stripUndefined(newer) }, atMs: Math.max(atMs, seen.atMs) });
  }

  /** Writes the batch's facts; call inside the batch's transaction. */
  flush(): void {
    for (const { facts, atMs } of this.pending.values()) this.write(facts, atMs);
    this.pending = new Map();
  }

  private write(facts: ProductFacts, atMs: number): void {
    this.sql.exec(
      `INSERT INTO catalog (product_id, name, price, currency, image_url, url, category, in_stock, updated_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, COALESCE(?8, 1), ?9)
       ON CONFLICT (product_id) DO UPDATE SET
         name      = CASE WHEN ?9 >= updated_at THEN COALESCE(?2, name) ELSE COALESCE(name, ?2) END,
         price     = CASE WHEN ?9 >= updated_at THEN COALESCE(?3, price) ELSE COALESCE(price, ?3) END,
         currency  = CASE WHEN ?9 >= updated_at THEN COALESCE(?4, currency) ELSE COALESCE(currency, ?4) END,
         image_url = CASE WHEN ?9 >= updated_at THEN COALESCE(?5, image_url) ELSE COALESCE(image_url, ?5) END,
         url       = CASE WHEN ?9 >= updated_at THEN COALESCE(?6, url) ELSE COALESCE(url, ?6) END,
         category  = CASE WHEN ?9 >= updated_at THEN COALESCE(?7, category) ELSE COALESCE(category, ?7) END,
         in_stock  = CASE WHEN ?9 >= updated_at AND ?8 IS NOT NULL THEN ?8 ELSE in_stock END,
         updated_at = MAX(updated_at, ?9)`,
      facts.productId,
      facts.name ?? null,
      facts.price ?? null,
      facts.currency ?? null,
      facts.imageUrl ?? null,
      facts.url ?? null,
      facts.category ?? null,
      facts.inStock === undefined ? null : facts.inStock ? 1 : 0,
      atMs,
    );
  }

  /** Products by id, only those with a name (an item cannot be shown without one). */
  items(productIds: readonly string[]): Map<string, CatalogItem> {
    const found = new Map<string, CatalogItem>();
    if (productIds.length === 0) return found;
    const rows = this.sql.exec<CatalogRow>(
      'SELECT * FROM catalog WHERE product_id IN (SELECT value FROM json_each(?)) AND name IS NOT NULL',
      JSON.stringify(productIds),
    );
    for (const row of rows) found.set(row.product_id, toItem(row));
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

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function toItem(row: CatalogRow): CatalogItem {
  const item: CatalogItem = { productId: row.product_id, name: row.name ?? row.product_id, inStock: row.in_stock === 1 };
  if (row.price !== null) item.price = row.price;
  if (row.currency !== null) item.currency = row.currency;
  if (row.image_url !== null) item.imageUrl = row.image_url;
  if (row.url !== null) item.url = row.url;
  if (row.category !== null) item.category = row.category;
  return item;
}
