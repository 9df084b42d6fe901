import { describe, expect, it } from 'vitest';
import { CATEGORY_TREE, DEMO_CATALOG_SIZE, allCategoryPaths, catalogNdjson, generateCatalog, slugify, splitCategory } from '../../simulate/catalog';

describe('generateCatalog', () => {
  it('gives the same products for the same seed and size', () => {
    expect(generateCatalog({ size: 300, seed: 7 })).toEqual(generateCatalog({ size: 300, seed: 7 }));
  });

  it('makes a smaller catalog the start of a larger one, so the demo products keep their ids in the benchmark catalog', () => {
    expect(generateCatalog({ size: 5000, seed: 1 }).slice(0, DEMO_CATALOG_SIZE)).toEqual(generateCatalog({ size: DEMO_CATALOG_SIZE, seed: 1 }));
  });

  it('gives different products for another seed', () => {
    const a = generateCatalog({ size: 300, seed: 7 }).map((p) => p.name);
    const b = generateCatalog({ size: 300, seed: 8 }).map((p) => p.name);
    expect(a).not.toEqual(b);
  });

  it.each([1, 10, 41, DEMO_CATALOG_SIZE, 5000])('makes exactly %i products with unique ids and names', (size) => {
    const catalog = generateCatalog({ size, seed: 1 });
    expect(catalog).toHaveLength(size);
    expect(new Set(catalog.map((p) => p.product_id)).size).toBe(size);
    expect(new Set(catalog.map((p) => p.name)).size).toBe(size);
  });

  it('refuses sizes it cannot make', () => {
    expect(() => generateCatalog({ size: 0 })).toThrow(RangeError);
    expect(() => generateCatalog({ size: 2.5 })).toThrow(RangeError);
    expect(() => generateCatalog({ size: 100_000 })).toThrow(RangeError);
  });

  it('fills every field of a demo product the way the Product schema names them', () => {
    for (const p of generateCatalog({ size: DEMO_CATALOG_SIZE, seed: 1 })) {
      expect(p.product_id).toMatch(/^p\d{5}$/);
      expect(p.sku).toBe(`TM-${p.product_id.slice(1)}`);
      expect(p.url).toBe(`/product/${p.product_id}`);
      expect(p.image_url).toBe(`/img/${p.product_id}.svg`);
      expect(p.currency).toBe('USD');
      expect(p.price).toBeGreaterThan(0);
      expect(Math.round(p.price * 100) / 100).toBe(p.price);
      expect(typeof p.in_stock).toBe('boolean');
      expect(p.name.startsWith(p.brand)).toBe(true);
      expect(allCategoryPaths()).toContain(p.category);
      if (p.consumable) expect(p.repurchase_days).toBeGreaterThan(0);
      else expect(p.repurchase_days).toBeUndefined();
    }
  });

  it('spreads products over a two-level tree of 8 departments with 4–6 aisles each', () => {
    expect(CATEGORY_TREE).toHaveLength(8);
    for (const top of CATEGORY_TREE) {
      expect(top.subcategories.length).toBeGreaterThanOrEqual(4);
      expect(top.subcategories.length).toBeLessThanOrEqual(6);
    }
    const catalog = generateCatalog({ size: DEMO_CATALOG_SIZE, seed: 1 });
    const used = new Set(catalog.map((p) => p.category));
    expect(used).toEqual(new Set(allCategoryPaths()));
    expect(splitCategory('Grocery > Coffee')).toEqual({ top: 'Grocery', sub: 'Coffee' });
  });

  it('marks what people run out of as consumable, with typical repurchase days', () => {
    const catalog = generateCatalog({ size: 2000, seed: 1 });
    const consumableAisles = new Set(catalog.filter((p) => p.consumable).map((p) => splitCategory(p.category).sub));
    for (const aisle of ['Coffee', 'Dog Food', 'Cat Food', 'Vitamins', 'Printer Ink']) expect(consumableAisles).toContain(aisle);
    for (const aisle of ['Laptops', 'Cookware', 'Jackets']) expect(consumableAisles).not.toContain(aisle);
    const days = catalog.flatMap((p) => (p.repurchase_days ? [p.repurchase_days] : []));
    expect(Math.min(...days)).toBeGreaterThanOrEqual(5);
    expect(Math.max(...days)).toBeLessThanOrEqual(60);
  });

  it('has a few products out of stock, not many', () => {
    const catalog = generateCatalog({ size: 5000, seed: 1 });
    const out = catalog.filter((p) => !p.in_stock).length / catalog.length;
    expect(out).toBeGreaterThan(0.01);
    expect(out).toBeLessThan(0.1);
  });

  it('prices products believably for what they are', () => {
    const catalog = generateCatalog({ size: 5000, seed: 1 });
    const median = (aisle: string) => {
      const prices = catalog
        .filter((p) => p.category.endsWith(`> ${aisle}`))
        .map((p) => p.price)
        .sort((a, b) => a - b);
      return prices[Math.floor(prices.length / 2)] ?? 0;
    };
    expect(median('Laptops')).toBeGreaterThan(median('Headphones'));
    expect(median('Headphones')).toBeGreaterThan(median('Snacks'));
    const socks = catalog.filter((p) => p.name.includes('Running Socks'));
    const watches = catalog.filter((p) => p.name.includes('GPS Watch'));
    expect(Math.max(...socks.map((p) => p.price))).toBeLessThan(Math.min(...watches.map((p) => p.price)));
  });

  it('serialises as NDJSON, one product per line', () => {
    const catalog = generateCatalog({ size: 5, seed: 1 });
    const lines = catalogNdjson(catalog).trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line))).toEqual(catalog);
  });

  it('slugifies category names for storefront paths', () => {
    expect(slugify('Beer & Cider')).toBe('beer-cider');
    expect(slugify('Île-de-France')).toBe('ile-de-france');
  });
});
