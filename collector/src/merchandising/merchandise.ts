/**
 * A slot's answer with the merchandiser's rules applied (rules.ts says the
 * order): the slot's ranked candidates, reweighed, turned into shown items
 * (named, in stock, topped up from the catalog), then pins put in place.
 * Without rules it is exactly the slot's own answer. The catalog rows it
 * reads (candidates, pinned products) are read once.
 */
import type { CatalogItem, RecommendedItem, Rule } from '@trailmark/schema';
import { rescore, toItem, toItems, type RankRequest, type RankSources, type Ranked } from '../recommend/rank';
import { pinsOf, placePins, reweigh, ruleTargets } from './rules';

/** Candidates looked at, at most: enough for a boost of up to this many times the limit to reach the top. */
const MAX_WINDOW = 200;

/** A pinned product the answer does not show, and why. */
export interface UnplacedPin {
  rule: string;
  productId: string;
  position: number;
  because: string;
}

export interface Merchandised {
  items: RecommendedItem[];
  unplacedPins: UnplacedPin[];
  /** The category of a product the answer looked at (for explaining it without another read). */
  categoryOf: (productId: string) => string | undefined;
}

export function merchandise(ranked: Ranked, req: RankRequest, src: RankSources, rules: readonly Rule[]): Merchandised {
  if (rules.length === 0 || !src.catalog) return { items: toItems(ranked.items, req, src, ranked.exclude), unplacedPins: [], categoryOf: () => undefined };
  const catalog = memoised(src.catalog);
  const boost = Math.max(1, ...rules.map((r) => (r.action === 'boost' ? (r.factor ?? 2) : 1)));
  const window = ranked.items.slice(0, Math.min(MAX_WINDOW, Math.max(req.limit * 4 + 20, Math.ceil(req.limit * boost))));
  const pins = pinsOf(rules);
  const known = catalog([...window.map((c) => c.productId), ...pins.map((p) => p.productId)]);
  const categoryOf = (productId: string) => known.get(productId)?.category ?? catalog([productId]).get(productId)?.category;
  const excludedBy = (productId: string) =>
    rules.filter((rule) => rule.action === 'exclude' && ruleTargets(rule, productId, categoryOf(productId))).map((rule) => rule.id);
  const excluded = (productId: string) => ranked.exclude.has(productId) || excludedBy(productId).length > 0;

  const unplacedPins: UnplacedPin[] = [];
  const pinned = pins.flatMap((pin) => {
    const because = whyNotPinned(pin.productId, known.get(pin.productId), req, ranked.exclude, excludedBy(pin.productId));
    if (because) {
      unplacedPins.push({ ...pin, because });
      return [];
    }
    return [{ item: toItem(known.get(pin.productId)!, 0, 'pinned'), position: pin.position, rule: pin.rule }];
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
  const items = rescore(placePins(shown, pinned, req.limit));
  const placed = new Set(items.map((i) => i.productId));
  for (const p of pinned) {
    if (placed.has(p.item.productId)) continue;
    const because = p.position > req.limit ? `position ${p.position} is past the slot's limit of ${req.limit}` : 'pushed past the limit by other pins';
    unplacedPins.push({ rule: p.rule, productId: p.item.productId, position: p.position, because });
  }
  return { items, unplacedPins, categoryOf };
}

/** Why a pinned product cannot be shown in this answer (step 1 comes first), or undefined. */
function whyNotPinned(
  productId: string,
  product: CatalogItem | undefined,
  req: RankRequest,
  slotExcludes: ReadonlySet<string>,
  excludingRules: string[],
): string | undefined {
  if (!product) return 'not in the catalog';
  if (!product.inStock) return 'out of stock';
  if (excludingRules.length) return `excluded by rule ${excludingRules.join(', ')}`;
  if (req.exclude?.includes(productId)) return 'the page already shows it (exclude=)';
  if (req.productId === productId) return 'it is the product on screen';
  if (slotExcludes.has(productId)) return 'the shopper has it in the cart or has bought it';
  return undefined;
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
