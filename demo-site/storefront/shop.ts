/**
 * The demo shop's structure, from the demo catalog: departments and their
 * aisles (the catalog's two-level tree), with the URLs the storefront serves
 * them under. The same paths the simulated shoppers visit
 * (`/category/<department>/<aisle>`, `/product/<id>`), so simulated and real
 * page views read alike on the dashboard.
 */
export { formatPrice } from '../shared/format';
import { CATEGORY_TREE, type CatalogProduct, DEMO_CATALOG_SEED, DEMO_CATALOG_SIZE, generateCatalog, slugify, splitCategory } from '../simulate/catalog';

export interface Aisle {
  name: string;
  /** "Top > Sub", as product events carry it. */
  path: string;
  slug: string;
  url: string;
  department: Department;
  products: CatalogProduct[];
}

export interface Department {
  name: string;
  slug: string;
  url: string;
  /** The department's colour (the hue of its product pictures). */
  hue: number;
  aisles: Aisle[];
  products: CatalogProduct[];
}

export interface Shop {
  products: CatalogProduct[];
  departments: Department[];
  byId: Map<string, CatalogProduct>;
  aisleOf(product: CatalogProduct): Aisle;
}

/** The storefront's catalog: the one `npm start` uploads to the collector and the simulator shops from. */
export function demoShop(): Shop {
  return buildShop(generateCatalog({ size: DEMO_CATALOG_SIZE, seed: DEMO_CATALOG_SEED }));
}

export function buildShop(products: CatalogProduct[]): Shop {
  const aisles = new Map<string, Aisle>();
  const departments = CATEGORY_TREE.map((top) => {
    const slug = slugify(top.name);
    const department: Department = { name: top.name, slug, url: `/category/${slug}`, hue: top.hue, aisles: [], products: [] };
    for (const sub of top.subcategories) {
      const aisleSlug = slugify(sub.name);
      const aisle: Aisle = {
        name: sub.name,
        path: `${top.name} > ${sub.name}`,
        slug: aisleSlug,
        url: `/category/${slug}/${aisleSlug}`,
        department,
        products: [],
      };
      aisles.set(aisle.path, aisle);
      department.aisles.push(aisle);
    }
    return department;
  });
  for (const product of products) {
    const aisle = aisles.get(product.category);
    if (!aisle) throw new Error(`${product.product_id} is in "${product.category}", which is not in the category tree`);
    aisle.products.push(product);
    aisle.department.products.push(product);
  }
  // An aisle without products would be a dead end: a small catalog leaves it out.
  for (const department of departments) department.aisles = department.aisles.filter((a) => a.products.length > 0);
  return {
    products,
    departments: departments.filter((d) => d.products.length > 0),
    byId: new Map(products.map((p) => [p.product_id, p])),
    aisleOf: (product) => aisles.get(product.category)!,
  };
}

/** A few honest lines about a product, from what the catalog knows. */
export function describe(product: CatalogProduct): string[] {
  const { top, sub } = splitCategory(product.category);
  const lines = [`${product.name} by ${product.brand}, from our ${sub} aisle in ${top}.`];
  if (product.consumable && product.repurchase_days) {
    lines.push(`A pack usually lasts about ${product.repurchase_days} days; the shop reminds regular buyers when it is time to restock.`);
  }
  lines.push(product.price >= 50 ? 'Ships free.' : 'Ships free with orders over $50.');
  return lines;
}
