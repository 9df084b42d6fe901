/**
 * The planted truth of the simulation: what every shopper population likes,
 * fixed by the catalog alone (not by the shoppers' seed), so that several runs
 * of `npm run simulate` reinforce the same structure and a recommender can be
 * checked against it.
 *
 * - appeal: a long-tailed popularity of each product within its aisle;
 * - regional favourites: a few products per region, from the region's
 *   favourite aisles, that sell far better there than anywhere else;
 * - pairs: products bought together (the beer-and-snacks kind), across aisles;
 * - similar: each product's nearest neighbours in its aisle by price, which
 *   shoppers comparing options view one after another.
 */
import { type CatalogProduct, splitCategory } from './catalog';
import { CATEGORY_TREE } from './catalog-tree';
import { Random, hashWords } from './random';
import { REGIONS, type RegionSpec } from './regions';

export interface TasteKnobs {
  /** Products per region that sell far better there. */
  favouritesPerRegion: number;
  /** Planted co-purchase pairs; by default one per 20 products, between 4 and 40. */
  pairCount?: number;
  /** Neighbours per product that shoppers compare with. */
  similarPerProduct: number;
}

export const DEFAULT_TASTE_KNOBS: TasteKnobs = { favouritesPerRegion: 6, similarPerProduct: 4 };

/** Aisles whose products go together; a pair takes one product from each side. */
export const PAIR_THEMES: readonly (readonly [string, string])[] = [
  ['Beer & Cider', 'Snacks'],
  ['Coffee Makers', 'Coffee'],
  ['Printers', 'Printer Ink'],
  ['Cameras', 'Bags'],
  ['Dog Food', 'Pet Toys'],
  ['Cat Food', 'Cat Litter'],
  ['Laptops', 'Headphones'],
  ['Tea', 'Tableware'],
  ['Cookware', 'Cleaning Supplies'],
  ['Skincare', 'Hair Care'],
  ['Winter Sports', 'Jackets'],
  ['Running', 'Vitamins'],
];

export interface RegionalFavourites {
  region: string;
  country: string;
  regionName: string;
  city: string;
  /** "Top > Sub" paths of the region's favourite aisles. */
  categories: string[];
  productIds: string[];
}

export interface PlantedPair {
  a: string;
  b: string;
  /** The two aisles, e.g. ["Beer & Cider", "Snacks"]. */
  theme: readonly [string, string];
}

export interface Tastes {
  products: readonly CatalogProduct[];
  byId: ReadonlyMap<string, CatalogProduct>;
  /** "Top > Sub" → its products, in stock or not. */
  bySubcategory: ReadonlyMap<string, readonly CatalogProduct[]>;
  /** Aisle paths that have products, with their share of attention. */
  subcategoryWeight: ReadonlyMap<string, number>;
  appeal: ReadonlyMap<string, number>;
  regionalFavourites: readonly RegionalFavourites[];
  /** region key → favourite product ids */
  favouriteSet: ReadonlyMap<string, ReadonlySet<string>>;
  pairs: readonly PlantedPair[];
  partnerOf: ReadonlyMap<string, string>;
  similar: ReadonlyMap<string, readonly string[]>;
}

export function plantTastes(products: readonly CatalogProduct[], knobs: Partial<TasteKnobs> = {}): Tastes {
  const k = { ...DEFAULT_TASTE_KNOBS, ...knobs };
  const random = new Random('tastes', hashWords(...products.map((p) => p.product_id + p.name)));
  const byId = new Map(products.map((p) => [p.product_id, p]));

  const bySubcategory = new Map<string, CatalogProduct[]>();
  for (const product of products) {
    const list = bySubcategory.get(product.category) ?? [];
    list.push(product);
    bySubcategory.set(product.category, list);
  }

  const subcategoryWeight = new Map<string, number>();
  for (const top of CATEGORY_TREE) {
    for (const sub of top.subcategories) {
      const path = `${top.name} > ${sub.name}`;
      if (bySubcategory.has(path)) subcategoryWeight.set(path, sub.weight);
    }
  }

  // Long tail inside each aisle: a random order, weight 1/(rank+1)^0.9.
  const appeal = new Map<string, number>();
  for (const list of bySubcategory.values()) {
    random.shuffled(list).forEach((product, rank) => appeal.set(product.product_id, 1 / Math.pow(rank + 1, 0.9)));
  }

  const taken = new Set<string>();
  const sellable = (p: CatalogProduct) => p.in_stock && !taken.has(p.product_id);

  const regionalFavourites = REGIONS.map((region) => plantFavourites(region, k.favouritesPerRegion));
  function plantFavourites(region: RegionSpec, count: number): RegionalFavourites {
    const categories = region.favouriteSubcategories.map((sub) => pathOf(sub)).filter((path): path is string => path !== undefined && bySubcategory.has(path));
    const productIds: string[] = [];
    // Round-robin over the favourite aisles so each contributes.
    for (let round = 0; productIds.length < count && round < count; round++) {
      for (const path of categories) {
        if (productIds.length >= count) break;
        const candidates = (bySubcategory.get(path) ?? []).filter(sellable);
        if (candidates.length === 0) continue;
        const chosen = random.weighted(candidates, (p) => appeal.get(p.product_id) ?? 0);
        taken.add(chosen.product_id);
        productIds.push(chosen.product_id);
      }
    }
    return { region: region.key, country: region.country, regionName: region.region, city: region.city, categories, productIds };
  }

  const pairCount = k.pairCount ?? Math.max(4, Math.min(40, Math.round(products.length / 20)));
  const pairs: PlantedPair[] = [];
  // Pairs are made of best sellers (beer and snacks both sell well), so they are seen often enough to learn.
  const bestSellers = (aisle: string) =>
    (bySubcategory.get(pathOf(aisle) ?? '') ?? [])
      .filter(sellable)
      .sort((x, y) => (appeal.get(y.product_id) ?? 0) - (appeal.get(x.product_id) ?? 0))
      .slice(0, 3);
  for (let attempt = 0; pairs.length < pairCount && attempt < pairCount * 4; attempt++) {
    const theme = PAIR_THEMES[attempt % PAIR_THEMES.length] as readonly [string, string];
    const left = bestSellers(theme[0]);
    const right = bestSellers(theme[1]);
    if (left.length === 0 || right.length === 0) continue;
    const a = random.weighted(left, (p) => appeal.get(p.product_id) ?? 0);
    const b = random.weighted(right, (p) => appeal.get(p.product_id) ?? 0);
    taken.add(a.product_id);
    taken.add(b.product_id);
    pairs.push({ a: a.product_id, b: b.product_id, theme });
  }
  const partnerOf = new Map<string, string>();
  for (const { a, b } of pairs) {
    partnerOf.set(a, b);
    partnerOf.set(b, a);
  }

  const similar = new Map<string, string[]>();
  for (const list of bySubcategory.values()) {
    const byPrice = [...list].sort((x, y) => x.price - y.price || x.product_id.localeCompare(y.product_id));
    byPrice.forEach((product, i) => {
      const near = byPrice
        .map((other, j) => ({ id: other.product_id, distance: Math.abs(i - j) }))
        .filter((n) => n.distance > 0)
        .sort((x, y) => x.distance - y.distance || x.id.localeCompare(y.id))
        .slice(0, k.similarPerProduct)
        .map((n) => n.id);
      similar.set(product.product_id, near);
    });
  }

  const favouriteSet = new Map(regionalFavourites.map((f) => [f.region, new Set(f.productIds)]));
  return { products, byId, bySubcategory, subcategoryWeight, appeal, regionalFavourites, favouriteSet, pairs, partnerOf, similar };
}

/** The "Top > Sub" path of a subcategory name. */
export function pathOf(subcategory: string): string | undefined {
  for (const top of CATEGORY_TREE) {
    if (top.subcategories.some((s) => s.name === subcategory)) return `${top.name} > ${subcategory}`;
  }
  return undefined;
}

/** The other aisles of the same department. */
export function siblingSubcategories(tastes: Tastes, path: string): string[] {
  const { top } = splitCategory(path);
  return [...tastes.subcategoryWeight.keys()].filter((p) => p !== path && splitCategory(p).top === top);
}
