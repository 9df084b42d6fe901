/**
 * A slot's answer with the merchandiser's rules applied (rules.ts says the
 * order): the slot's ranked candidates, reweighed, turned into shown items
 * (named, in stock, topped up from the catalog), then pins put in place.
 * Without rules it is exactly the slot's own answer. The catalog rows it
 * reads (candidates, pinned products) are read once.
 */
import type { CatalogItem, RecommendedItem, Rule } from '@trailmark/schema';
import { rescore, toItem, toItems, type RankRequest, type RankSources, type Ranked } from '../recommend/rank';
import { excludedByRules, pinsOf, placePins, reweigh } from './rules';

/** Candidates looked at, at most: enough for a boost of up to this many times the limit to reach the top. */
const MAX_WINDOW = 200;

export function merchandise(ranked: Ranked, req: RankRequest, src: RankSources, rules: readonly Rule[]): RecommendedItem[] {
  if (rules.length === 0 || !src.catalog) return toItems(ranked.items, req, src, ranked.exclude);
  const catalog = memoised(src.catalog);
  const boost = Math.max(1, ...rules.map((r) => (r.action === 'boost' ? (r.factor ?? 2) : 1)));
  const window = ranked.items.slice(0, Math.min(MAX_WINDOW, Math.max(req.limit * 4 + 20, Math.ceil(req.limit * boost))));
  const pins = pinsOf(rules);
  const known = catalog([...window.map((c) => c.productId), ...pins.map((p) => p.productId)]);
  const categoryOf = (productId: string) => known.get(productId)?.category ?? catalog([productId]).get(productId)?.category;
  const excluded = (productId: string) => ranked.exclude.has(productId) || excludedByRules(rules, productId, categoryOf(productId));

  const pinned = pins.flatMap(({ productId, position }) => {
    const product = known.get(productId);
    return product && product.inStock && !excluded(productId) ? [{ item: toItem(product, 0, 'pinned'), position }] : [];
  });
  const sources: RankSources = {
    ...src,
    catalog,
    // The catalog top-up never brings back what a rule excludes.
    ...(src.anyInStock
      ? {
          anyInStock: (limit: number) => {
            const ids = src.anyInStock!(limit * 2);
            catalog(ids);
            return ids.filter((id) => !excluded(id)).slice(0, limit);
          },
        }
      : {}),
  };
  const shown = toItems(reweigh(window, rules, categoryOf), req, sources, new Set([...ranked.exclude, ...pinned.map((p) => p.item.productId)]));
  return rescore(placePins(shown, pinned, req.limit));
}

/** A catalog lookup that reads each product once per answer. */
function memoised(read: (ids: string[]) => Map<string, CatalogItem>): (ids: string[]) => Map<string, CatalogItem> {
  const seen = new Map<string, CatalogItem | null>();
  return (ids) => {
    const missing = [...new Set(ids)].filter((id) => !seen.has(id));
    if (missing.length) {
      const found = read(missing);
      for (const id of missing) seen.set(id, found.get(id) ?? null);
    }
    const out = new Map<string, CatalogItem>();
    for (const id of ids) {
      const item = seen.get(id);
      if (item) out.set(id, item);
    }
    return out;
  };
}
