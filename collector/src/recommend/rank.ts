/**
 * Slot recipes: which strategies feed a slot and with what weight, then the
 * blend, the filters (already bought, in the cart, out of stock, the product
 * on screen, duplicates) and tiered fallbacks — region, then everyone, then
 * the catalog — so a slot is never empty while anything is in stock, and
 * never random.
 */
import type { CatalogItem, RecommendedItem, Slot, Variant } from '@trailmark/schema';
import { interestTags } from '../profiles/interests';
import type { Profile } from '../profiles/profile';
import type { AggregateReader } from '../aggregates/snapshot-reader';
import { scope, type Scored } from './aggregate-store';
import { DEFAULT_MIN_SHOPPERS } from './popularity-floor';
import { sessionKey, type SessionStore } from './session-store';
import {
  byScore,
  dueForReorder,
  interestPicks,
  linked,
  memoTotals,
  popular,
  recentlyViewed,
  secondHop,
  sessionNeighbours,
  sessionSeeds,
  TUNING,
} from './strategies';

export interface RankRequest {
  slot: Slot;
  variant: Variant;
  limit: number;
  /** The product on screen (product slot). */
  productId?: string;
  /** "country/region" of the visitor. */
  region?: string;
  /** Distinct shoppers a product needs in the region before regional popularity shows it (DEFAULT_MIN_SHOPPERS unless set; popularity-floor.ts). */
  regionalMinShoppers?: number;
  nowMs: number;
  /** Products the page already shows elsewhere (`exclude=`): never in this answer. */
  exclude?: readonly string[];
}

export interface RankSources {
  aggregates: AggregateReader;
  /** Catalog entries for candidate ids; undefined means "no catalog" (offline evaluation ranks ids only). */
  catalog?: (productIds: string[]) => Map<string, CatalogItem>;
  /** Named in-stock products, newest first: the last tier of fallback. */
  anyInStock?: (limit: number) => string[];
  repurchaseIntervals: (productIds: string[]) => Map<string, number>;
  /** Recent sessions, for session neighbours; without it the home slot blends co-views alone. */
  sessions?: SessionStore;
}

interface Source {
  candidates: Scored[];
  weight: number;
  reason: string;
  /** A product this source lists carries its reason, whatever else scored it (the shopper's own views). */
  claims?: boolean;
}

export interface Ranked {
  strategy: string;
  items: { productId: string; score: number; reason: string }[];
  /** What the slot must not show, for the catalog top-up. */
  exclude: ReadonlySet<string>;
}

/** Products the shopper would not want pushed again in this slot. */
function exclusions(slot: Slot, profile: Profile | undefined, productId: string | undefined, shown: readonly string[] = []): Set<string> {
  const out = new Set<string>(shown);
  if (productId) out.add(productId);
  if (!profile || slot === 'reorder' || slot === 'trending') return out;
  for (const id of Object.keys(profile.cart)) out.add(id);
  // Already bought: shown again only by the reorder slot, when it is due.
  for (const id of Object.keys(profile.purchases)) out.add(id);
  return out;
}

/** The region's k-anonymity floor for this request. */
const floorOf = (req: RankRequest): number => req.regionalMinShoppers ?? DEFAULT_MIN_SHOPPERS;

function personalSources(req: RankRequest, profile: Profile | undefined, src: RankSources, exclude: Set<string>): { sources: Source[]; strategy: string } {
  const { aggregates } = src;
  const totals = memoTotals(aggregates);
  const recent = profile ? [...profile.session.views].reverse() : [];
  const history = profile ? [...profile.recentViews].reverse().map((v) => v.productId) : [];
  const seeds = sessionSeeds(recent.length > 0 ? recent : history);
  const regional = req.region ? popular(aggregates, scope.region(req.region), exclude, floorOf(req)) : [];

  switch (req.slot) {
    case 'home': {
      const boughtSeeds = (profile?.orders.slice(-3) ?? []).flatMap((o) => o.productIds).map((productId) => ({ productId, weight: 1 }));
      const interests = profile ? interestTags(profile, req.nowMs, 3) : [];
      // Without a session yet (a returning shopper's first page), the latest views stand for it.
      const current = recent.length > 0 ? profile!.session.views : [...history].reverse();
      const neighbours =
        src.sessions && profile && current.length > 0
          ? sessionNeighbours(src.sessions, current, sessionKey(profile.profileId, profile.session.id), req.nowMs, exclude, totals)
          : [];
      const coViews = linked(aggregates, 'v', seeds, exclude, totals);
      const coViewsWeight = src.sessions ? TUNING.coViewsHome : 1;
      const hop =
        current.length === 1 && TUNING.secondHopHome > 0
          ? secondHop(
              aggregates,
              [
                { candidates: neighbours, weight: TUNING.neighboursHome },
                { candidates: coViews, weight: coViewsWeight },
              ],
              current,
              exclude,
              totals,
            )
          : [];
      return {
        strategy: seeds.length || interests.length ? 'regional+personal' : 'regional',
        sources: [
          { candidates: neighbours, weight: TUNING.neighboursHome, reason: 'because-you-viewed' },
          { candidates: coViews, weight: coViewsWeight, reason: 'because-you-viewed' },
          { candidates: hop, weight: TUNING.secondHopHome, reason: 'because-you-viewed' },
          { candidates: recentlyViewed(seeds, exclude), weight: TUNING.recentlyViewedHome, reason: 'recently-viewed', claims: true },
          { candidates: linked(aggregates, 'b', boughtSeeds, exclude), weight: 0.5, reason: 'bought-together' },
          { candidates: interestPicks(aggregates, interests, exclude), weight: 0.4, reason: 'matches-your-interests' },
          { candidates: regional, weight: 0.35, reason: 'popular-in-region' },
        ],
      };
    }
    case 'product': {
      const focus = req.productId ? [{ productId: req.productId, weight: 1 }] : [];
      const context = seeds.filter((s) => s.productId !== req.productId).map((s) => ({ ...s, weight: s.weight * 0.35 }));
      // The session as it ends on the product on screen.
      const onScreen = [...(recent.length > 0 ? profile!.session.views : []).filter((id) => id !== req.productId), ...(req.productId ? [req.productId] : [])];
      const neighbours =
        src.sessions && TUNING.neighboursProduct > 0 && onScreen.length > 0
          ? sessionNeighbours(src.sessions, onScreen, profile ? sessionKey(profile.profileId, profile.session.id) : undefined, req.nowMs, exclude, totals)
          : [];
      return {
        strategy: 'also-viewed+bought-together',
        sources: [
          { candidates: neighbours, weight: TUNING.neighboursProduct, reason: 'also-viewed' },
          { candidates: linked(aggregates, 'v', [...focus, ...context], exclude, totals), weight: 1, reason: 'also-viewed' },
          { candidates: recentlyViewed(context, exclude), weight: TUNING.recentlyViewedProduct, reason: 'recently-viewed', claims: true },
          { candidates: linked(aggregates, 'b', focus, exclude), weight: 0.8, reason: 'bought-together' },
          { candidates: regional, weight: 0.05, reason: 'popular-in-region' },
        ],
      };
    }
    case 'cart': {
      const cartSeeds = Object.keys(profile?.cart ?? {}).map((productId) => ({ productId, weight: 1 }));
      return {
        strategy: 'cross-sell',
        sources: [
          { candidates: linked(aggregates, 'b', cartSeeds, exclude), weight: 1, reason: 'bought-together' },
          { candidates: linked(aggregates, 'v', cartSeeds, exclude), weight: 0.4, reason: 'also-viewed' },
          { candidates: regional, weight: 0.1, reason: 'popular-in-region' },
        ],
      };
    }
    case 'trending':
      return {
        strategy: 'trending-in-region',
        sources: [
          {
            candidates: req.region ? popular(aggregates, scope.trendingRegion(req.region), exclude, floorOf(req)) : [],
            weight: 1,
            reason: 'trending-in-region',
          },
          { candidates: popular(aggregates, scope.trendingAll, exclude), weight: 0.5, reason: 'trending' },
        ],
      };
    case 'reorder': {
      const ids = Object.keys(profile?.purchases ?? {});
      const due = profile ? dueForReorder(profile, src.repurchaseIntervals(ids), req.nowMs) : [];
      return { strategy: 'repurchase-cycle', sources: [{ candidates: due, weight: 1, reason: 'time-to-reorder' }] };
    }
  }
}

/** Ranks product ids for a slot (with their reasons) before catalog filtering. */
export function rankCandidates(req: RankRequest, profile: Profile | undefined, src: RankSources): Ranked {
  // The control group sees the same thing for everyone: best sellers, minus only the product on screen and what the page shows.
  const control = req.variant === 'control';
  const exclude = control ? exclusions(req.slot, undefined, req.productId, req.exclude) : exclusions(req.slot, profile, req.productId, req.exclude);
  const { sources, strategy } = control
    ? { strategy: 'best-sellers', sources: [{ candidates: bestSellers(src.aggregates, exclude), weight: 1, reason: 'best-seller' }] }
    : personalSources(req, profile, src, exclude);

  const blended = new Map<string, { score: number; reason: string; best: number }>();
  for (const source of sources) {
    for (const c of source.candidates) {
      if (exclude.has(c.productId)) continue;
      const contribution = c.score * source.weight;
      const entry = blended.get(c.productId);
      if (!entry) blended.set(c.productId, { score: contribution, reason: source.reason, best: source.claims ? Infinity : contribution });
      else {
        entry.score += contribution;
        if (source.claims) {
          entry.reason = source.reason;
          entry.best = Infinity;
        } else if (contribution > entry.best) {
          entry.reason = source.reason;
          entry.best = contribution;
        }
      }
    }
  }
  const items: Ranked['items'] = [];
  for (const [productId, e] of blended) items.push({ productId, score: e.score, reason: e.reason });
  items.sort(byScore);
  return { strategy, items: appendFallbacks(items, req, src, exclude), exclude };
}

/** Sales first; a shop with no orders yet falls back to overall popularity. */
function bestSellers(aggregates: AggregateReader, exclude: ReadonlySet<string>): Scored[] {
  // Whether the shop has sold anything, not whether the page shows all it sold (the same read as popular's).
  const sold = aggregates.top(scope.soldAll, TUNING.popular).length > 0;
  return popular(aggregates, sold ? scope.soldAll : scope.all, exclude);
}

function appendFallbacks(items: Ranked['items'], req: RankRequest, src: RankSources, exclude: Set<string>): Ranked['items'] {
  const seen = new Set<string>();
  // Fallback items rank below every personal pick, in tier order.
  let floor = 0;
  for (const item of items) {
    seen.add(item.productId);
    if (item.score < floor) floor = item.score;
  }
  const tiers: [Scored[], string][] = [];
  if (req.region) tiers.push([popular(src.aggregates, scope.region(req.region), exclude, floorOf(req)), 'popular-in-region']);
  tiers.push([popular(src.aggregates, scope.all, exclude), 'popular']);
  const out = [...items];
  for (const [tier, reason] of tiers) {
    floor -= 1;
    for (const c of tier) {
      if (seen.has(c.productId) || exclude.has(c.productId)) continue;
      seen.add(c.productId);
      out.push({ productId: c.productId, score: floor + c.score * 0.5, reason });
    }
  }
  return out;
}

/** Keeps what can be shown (named, in stock), up to the limit, topping up from the catalog if history is thin. */
export function toItems(ranked: Ranked['items'], req: RankRequest, src: RankSources, exclude: ReadonlySet<string>): RecommendedItem[] {
  if (!src.catalog) return ranked.slice(0, req.limit).map((r) => ({ productId: r.productId, name: r.productId, score: r.score, reason: r.reason }));
  const catalog = src.catalog(ranked.slice(0, req.limit * 4 + 20).map((r) => r.productId));
  const items: RecommendedItem[] = [];
  for (const r of ranked) {
    const product = catalog.get(r.productId);
    if (!product || !product.inStock) continue;
    items.push(toItem(product, r.score, r.reason));
    if (items.length >= req.limit) return rescore(items);
  }
  // A shop with a catalog but (almost) no behaviour yet: newest products, so the slot is never empty.
  const chosen = new Set(items.map((i) => i.productId));
  const extra = (src.anyInStock?.(req.limit * 2 + exclude.size) ?? []).filter((id) => !chosen.has(id) && !exclude.has(id));
  const extraItems = src.catalog(extra);
  for (const id of extra) {
    const product = extraItems.get(id);
    if (!product) continue;
    items.push(toItem(product, 0, 'new-in-catalog'));
    if (items.length >= req.limit) break;
  }
  return rescore(items);
}

export function toItem(product: CatalogItem, score: number, reason: string): RecommendedItem {
  const item: RecommendedItem = { productId: product.productId, name: product.name, score, reason };
  if (product.price !== undefined) item.price = product.price;
  if (product.currency !== undefined) item.currency = product.currency;
  if (product.imageUrl !== undefined) item.imageUrl = product.imageUrl;
  if (product.url !== undefined) item.url = product.url;
  if (product.category !== undefined) item.category = product.category;
  return item;
}

/** Scores in the response are in [0, 1], the first item highest: comparable across requests. */
export function rescore(items: RecommendedItem[]): RecommendedItem[] {
  const n = items.length;
  return items.map((item, i) => ({ ...item, score: Math.round(((n - i) / n) * 1000) / 1000 }));
}
