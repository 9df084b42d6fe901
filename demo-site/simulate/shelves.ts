/**
 * What the storefront shows (product properties, list pages) and how likely a
 * shopper from a region picks each product of an aisle, computed once per
 * simulation and shared: a hundred thousand events would otherwise re-sort
 * aisles and rebuild identical objects tens of thousands of times.
 *
 * Shared objects are frozen, so no message can change another's content.
 */
import type { JsonObject } from '@trailmark/schema';
import type { CatalogProduct } from './catalog';
import type { Random } from './random';
import type { Tastes } from './tastes';

/** Products per list page. */
export const PAGE_SIZE = 12;

const propertiesCache = new WeakMap<CatalogProduct, Readonly<JsonObject>>();

/** The Ecommerce v2 product properties a product page declares (frozen; spread it to add fields). */
export function productProperties(product: CatalogProduct): Readonly<JsonObject> {
  let properties = propertiesCache.get(product);
  if (!properties) {
    properties = Object.freeze({
      product_id: product.product_id,
      sku: product.sku,
      name: product.name,
      brand: product.brand,
      category: product.category,
      price: product.price,
      currency: product.currency,
      url: product.url,
      image_url: product.image_url,
      in_stock: product.in_stock,
    });
    propertiesCache.set(product, properties);
  }
  return properties;
}

interface Choice {
  items: CatalogProduct[];
  cumulative: number[];
}

export class Shelves {
  private readonly choices = new Map<string, Choice>();
  private readonly lists = new Map<string, readonly Readonly<JsonObject>[]>();

  constructor(
    private readonly tastes: Tastes,
    /** How much more a region's own favourites weigh for its shoppers. */
    private readonly favouriteBoost: number,
  ) {}

  /** A product of the aisle, by appeal, with the region's favourites boosted. */
  pick(random: Random, region: string, path: string, sellableOnly: boolean): CatalogProduct | undefined {
    const key = `${region}|${path}|${sellableOnly}`;
    let choice = this.choices.get(key);
    if (!choice) {
      const items = (this.tastes.bySubcategory.get(path) ?? []).filter((p) => !sellableOnly || p.in_stock);
      let total = 0;
      const cumulative = items.map((p) => (total += this.weight(region, p)));
      choice = { items, cumulative };
      this.choices.set(key, choice);
    }
    return choice.items.length > 0 ? random.weightedByTotals(choice.items, choice.cumulative) : undefined;
  }

  weight(region: string, product: CatalogProduct): number {
    const appeal = this.tastes.appeal.get(product.product_id) ?? 0;
    const favourite = this.tastes.favouriteSet.get(region)?.has(product.product_id) ?? false;
    return appeal * (favourite ? this.favouriteBoost : 1);
  }

  /** A list page: the given products' best sellers first, with their positions. */
  list(key: string, products: () => readonly CatalogProduct[]): readonly Readonly<JsonObject>[] {
    let list = this.lists.get(key);
    if (!list) {
      const appeal = this.tastes.appeal;
      list = Object.freeze(
        [...products()]
          .sort((a, b) => (appeal.get(b.product_id) ?? 0) - (appeal.get(a.product_id) ?? 0))
          .slice(0, PAGE_SIZE)
          .map((p, i) => Object.freeze({ ...productProperties(p), position: i + 1 })),
      );
      this.lists.set(key, list);
    }
    return list;
  }
}
