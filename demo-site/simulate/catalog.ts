/**
 * A deterministic demo catalog: the same seed and size always give the same
 * products, so the storefront, the simulated shoppers and the benchmarks all
 * talk about the same things without storing a catalog anywhere.
 *
 * Sizes in use: DEMO_CATALOG_SIZE (a few hundred) for the storefront and
 * `npm run simulate`; 5,000 for the benchmarks.
 */
import type { Product } from '@trailmark/schema';
import { CATEGORY_TREE, type SubcategorySpec, type TopCategorySpec } from './catalog-tree';
import { Random } from './random';

export { CATEGORY_TREE } from './catalog-tree';
export { productImageSvg } from './product-image';

export const DEMO_CATALOG_SIZE = 240;
export const DEMO_CATALOG_SEED = 1;

/** Share of products the shop cannot sell right now. */
const OUT_OF_STOCK_RATE = 0.04;

/** A catalog entry: an Ecommerce v2 `Product` with the fields the demo always fills in. */
export interface CatalogProduct extends Product {
  product_id: string;
  sku: string;
  name: string;
  brand: string;
  /** "Top > Sub", e.g. "Grocery > Coffee". */
  category: string;
  price: number;
  currency: 'USD';
  url: string;
  image_url: string;
  in_stock: boolean;
  /** Something people run out of and buy again (coffee, pet food, ink…). */
  consumable: boolean;
  /** For consumables: typical days between two purchases of this product. */
  repurchase_days?: number;
}

export interface CatalogOptions {
  size: number;
  seed?: number;
}

export const CATEGORY_SEPARATOR = ' > ';

export function categoryPath(top: string, sub: string): string {
  return `${top}${CATEGORY_SEPARATOR}${sub}`;
}

/** Splits "Top > Sub" into its two levels. */
export function splitCategory(category: string): { top: string; sub: string } {
  const at = category.indexOf(CATEGORY_SEPARATOR);
  if (at < 0) return { top: category, sub: '' };
  return { top: category.slice(0, at), sub: category.slice(at + CATEGORY_SEPARATOR.length) };
}

/** Every "Top > Sub" path of the tree, in tree order. */
export function allCategoryPaths(): string[] {
  return CATEGORY_TREE.flatMap((top) => top.subcategories.map((sub) => categoryPath(top.name, sub.name)));
}

/** A URL-safe slug ("Beer & Cider" → "beer-cider"), for storefront paths. */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

export function generateCatalog({ size, seed = DEMO_CATALOG_SEED }: CatalogOptions): CatalogProduct[] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`catalog size must be a positive integer, got ${size}`);
  if (size > 99_999) throw new RangeError('catalog size is limited to 99,999 products (five-digit ids)');
  // Products are made one after another from one stream, each depending only on those before it,
  // so a smaller catalog is the start of a larger one with the same seed: the demo's few hundred
  // products keep their ids, names and prices inside the benchmarks' 5,000, and loading one
  // catalog after the other never gives an id to a different product.
  const random = new Random(seed, 'catalog');
  const aisles = aisleSequence();
  const usedNames = new Map<SubcategorySpec, Set<string>>();
  const products: CatalogProduct[] = [];
  for (let index = 0; index < size; index++) {
    const { top, sub } = aisles.next().value as Aisle;
    const used = usedNames.get(sub) ?? new Set<string>();
    usedNames.set(sub, used);
    const id = `p${String(index + 1).padStart(5, '0')}`;
    products.push({
      product_id: id,
      sku: `TM-${id.slice(1)}`,
      ...draftProduct(random, top, sub, used),
      url: `/product/${id}`,
      image_url: `/img/${id}.svg`,
    });
  }
  return products;
}

interface Aisle {
  top: TopCategorySpec;
  sub: SubcategorySpec;
}

/**
 * The aisle of each next product: first one of every aisle, then smooth
 * weighted round-robin (as nginx balances upstreams), so every prefix of the
 * catalog splits across aisles in proportion to their weights.
 */
function* aisleSequence(): Generator<Aisle> {
  const leaves = CATEGORY_TREE.flatMap((top) => top.subcategories.map((sub) => ({ top, sub, current: 0 })));
  yield* leaves;
  const total = leaves.reduce((sum, leaf) => sum + leaf.sub.weight, 0);
  for (;;) {
    let best = leaves[0] as (typeof leaves)[number];
    for (const leaf of leaves) {
      leaf.current += leaf.sub.weight;
      if (leaf.current > best.current) best = leaf;
    }
    best.current -= total;
    yield best;
  }
}

function draftProduct(random: Random, top: TopCategorySpec, sub: SubcategorySpec, usedNames: Set<string>) {
  const brand = random.pick(top.brands);
  let name = '';
  let noun = sub.nouns[0] as SubcategorySpec['nouns'][number];
  for (let attempt = 0; attempt < 20; attempt++) {
    noun = random.pick(sub.nouns);
    name = composeName(random, brand, sub, typeof noun === 'string' ? noun : noun[0]);
    if (!usedNames.has(name)) break;
  }
  // A large catalog can exhaust the word combinations of a small aisle: number the rest like model lines.
  if (usedNames.has(name)) {
    let n = 2;
    while (usedNames.has(`${name} ${roman(n)}`)) n++;
    name = `${name} ${roman(n)}`;
  }
  usedNames.add(name);
  const consumable = sub.repurchaseDays !== undefined;
  return {
    name,
    brand,
    category: categoryPath(top.name, sub.name),
    price: priceIn(random, typeof noun === 'string' ? sub.price : [noun[1], noun[2]]),
    currency: 'USD' as const,
    in_stock: !random.chance(OUT_OF_STOCK_RATE),
    consumable,
    ...(consumable ? { repurchase_days: Math.round((sub.repurchaseDays ?? 0) * random.between(0.8, 1.25)) } : {}),
  };
}

function composeName(random: Random, brand: string, sub: SubcategorySpec, noun: string): string {
  const parts = [brand];
  if (random.chance(0.8)) parts.push(random.pick(sub.styles));
  parts.push(noun);
  let name = parts.join(' ');
  if (random.chance(0.7)) name += `, ${random.pick(sub.variants)}`;
  return name;
}

/** Log-uniform within the range, with shop-like endings (4.49, 12.99, 149.00). */
function priceIn(random: Random, [min, max]: readonly [number, number]): number {
  const raw = Math.exp(random.between(Math.log(min), Math.log(max)));
  if (raw < 20) return Math.floor(raw) + (random.chance(0.5) ? 0.99 : 0.49);
  if (raw < 200) return Math.floor(raw) + (random.chance(0.7) ? 0.99 : 0);
  return Math.round(raw / 10) * 10 - (random.chance(0.6) ? 0.01 : 0);
}

function roman(n: number): string {
  const numerals: [number, string][] = [
    [10, 'X'],
    [9, 'IX'],
    [5, 'V'],
    [4, 'IV'],
    [1, 'I'],
  ];
  let out = '';
  for (const [value, numeral] of numerals) {
    while (n >= value) {
      out += numeral;
      n -= value;
    }
  }
  return out;
}

/** The catalog as NDJSON, one Product per line: the body of `PUT /v1/admin/catalog`. */
export function catalogNdjson(products: readonly Product[]): string {
  return products.map((product) => JSON.stringify(product)).join('\n') + '\n';
}
