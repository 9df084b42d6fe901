/**
 * ShopState's aggregate reads, kept in memory between requests: the
 * popularity top-N of each scope, each product's neighbour lists, item
 * totals and repurchase intervals. A recommendation reads a few hundred of
 * these rows, nearly all of them the same for every shopper, while the
 * tables change only when a drain is applied.
 *
 * Exact, not merely fresh enough: ShopState is the only writer of its
 * tables, and every write (AggregateStore.flush) hands over the rows it
 * added, whose keys are forgotten here before the next read. What is kept is
 * bounded (oldest first out), so memory does not grow with the
 * catalog. Values are frozen: callers share them.
 */
import type { AggregateRows } from '../aggregates/aggregate-rows';
import type { AggregateReader } from '../aggregates/snapshot-reader';
import { BoundedMap } from '../lib/bounded-map';
import type { LinkKind, Scored } from './aggregate-store';

/**
 * What is kept at most: rows of popularity lists and of neighbour lists
 * (every product's co-views and co-purchases of a 5,000-product shop fit),
 * and products' totals and repurchase intervals; about 20 MB in all.
 */
export const AGGREGATE_CACHE_LIMITS = { scopeRows: 50_000, neighbourRows: 250_000, products: 50_000 };

type Totals = { views: number; buys: number };

export class AggregateCache implements AggregateReader {
  /** scope → limit and regional floor → rows. */
  private readonly tops = new BoundedMap<string, Map<string, readonly Scored[]>>(AGGREGATE_CACHE_LIMITS.scopeRows);
  /** kind + product → limit → rows. */
  private readonly lists = new BoundedMap<string, Map<string, readonly Scored[]>>(AGGREGATE_CACHE_LIMITS.neighbourRows);
  /** One string per product id across the kept lists. */
  private readonly ids = new Map<string, string>();
  /** null: the product has no row. */
  private readonly itemTotals = new BoundedMap<string, Totals | null>(AGGREGATE_CACHE_LIMITS.products);
  private readonly intervals = new BoundedMap<string, number | null>(AGGREGATE_CACHE_LIMITS.products);
  /** Reads that went to the store, for tests and the profile. */
  readonly misses = { tops: 0, neighbours: 0, totals: 0, repurchase: 0 };

  constructor(private readonly store: AggregateReader) {}

  top(scopeName: string, limit: number, minShoppers?: number): Scored[] {
    return this.limited(this.tops, scopeName, `${limit}/${minShoppers ?? 0}`, () => {
      this.misses.tops++;
      return this.store.top(scopeName, limit, minShoppers);
    });
  }

  neighbours(kind: LinkKind, productId: string, limit: number): Scored[] {
    return this.limited(this.lists, listKey(kind, productId), String(limit), () => {
      this.misses.neighbours++;
      return this.store.neighbours(kind, productId, limit);
    });
  }

  totals(productIds: readonly string[]): Map<string, Totals> {
    return byProduct(this.itemTotals, productIds, (missing) => {
      this.misses.totals++;
      return this.store.totals(missing);
    });
  }

  repurchaseIntervals(productIds: readonly string[]): Map<string, number> {
    return byProduct(this.intervals, productIds, (missing) => {
      this.misses.repurchase++;
      return this.store.repurchaseIntervals(missing);
    });
  }

  /** Forgets every key a write changed (call once the rows are applied). */
  forget(rows: AggregateRows): void {
    for (const [scopeName] of rows.rebases) this.tops.delete(scopeName);
    for (const [scopeName] of rows.popularity) this.tops.delete(scopeName);
    // A product's distinct shoppers decide whether a regional top lists it (popularity-floor.ts).
    for (const [scopeName] of rows.shoppers ?? []) this.tops.delete(scopeName);
    for (const [kind, a] of rows.links) this.lists.delete(listKey(kind, a));
    for (const [productId] of rows.totals) this.itemTotals.delete(productId);
    for (const [productId] of rows.repurchases) this.intervals.delete(productId);
    for (const [productId] of rows.repurchaseMeans ?? []) this.intervals.delete(productId);
  }

  /** A list kept by key and limit (and floor), weighing its rows (frozen, product ids shared). */
  private limited(cache: BoundedMap<string, Map<string, readonly Scored[]>>, key: string, limit: string, read: () => Scored[]): Scored[] {
    const byLimit = cache.get(key);
    const kept = byLimit?.get(limit);
    if (kept) return kept as Scored[];
    const rows = Object.freeze(read().map((s) => Object.freeze({ productId: this.intern(s.productId), score: s.score })));
    const next = new Map(byLimit ?? []).set(limit, rows);
    let weight = 1;
    for (const list of next.values()) weight += list.length;
    cache.set(key, next, weight);
    return rows as Scored[];
  }

  private intern(productId: string): string {
    const known = this.ids.get(productId);
    if (known !== undefined) return known;
    // Bounded like the rest: past this many ids, start over (lists kept keep their own strings).
    if (this.ids.size >= AGGREGATE_CACHE_LIMITS.products) this.ids.clear();
    this.ids.set(productId, productId);
    return productId;
  }

  clear(): void {
    this.tops.clear();
    this.lists.clear();
    this.itemTotals.clear();
    this.intervals.clear();
  }
}

const listKey = (kind: string, productId: string) => `${kind}\u0000${productId}`;

function byProduct<V extends object | number>(
  cache: BoundedMap<string, V | null>,
  productIds: readonly string[],
  read: (missing: string[]) => Map<string, V>,
): Map<string, V> {
  const found = new Map<string, V>();
  const missing: string[] = [];
  for (const id of productIds) {
    const value = cache.get(id);
    if (value === undefined) missing.push(id);
    else if (value !== null) found.set(id, value);
  }
  if (missing.length > 0) {
    const read_ = read(missing);
    for (const id of missing) {
      const value = read_.get(id);
      cache.set(id, value === undefined ? null : typeof value === 'object' ? Object.freeze(value) : value);
      if (value !== undefined) found.set(id, value);
    }
  }
  return found;
}
