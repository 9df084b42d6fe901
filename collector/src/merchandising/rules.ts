/**
 * Merchandising rules applied to a slot's answer (contract section 9), in
 * the documented order:
 *
 *   1. exclusions and stock: what a rule excludes (products, categories),
 *      what the page and the slot exclude, what is out of stock;
 *   2. the slot's candidates, ranked by its strategies (rank.ts);
 *   3. boost and bury: a candidate's weight is 1 / its rank, multiplied by
 *      the factor of each boost or bury it matches, so a boost by 2 ranks a
 *      product as if it stood twice as high (rank 10 → about 5) and a bury
 *      by 0.5 as if twice as low; boosted items carry the reason `promoted`;
 *   4. pins: products put at their 1-based positions, whatever the ranking,
 *      with the reason `pinned` (a pin never shows what step 1 excludes).
 *
 * Rules apply to both variants, so the holdout still measures
 * personalisation alone. Which rules apply is decided in two steps: what
 * the request says (slot, time, region, product on screen) at the edge,
 * what needs the shop's state (the category the shopper is in, audience
 * membership) where the profile and the catalog are. Pure: tested beside.
 */
import { DEFAULT_FACTOR, type CatalogItem, type RecommendedItem, type Rule, type RuleStatus, type Slot } from '@trailmark/schema';
import { categoryKey, isWithin } from '../profiles/category-path';
import type { Profile } from '../profiles/profile';

/** What the request tells about where a slot is shown. */
export interface RequestContext {
  slot: Slot;
  nowMs: number;
  geo: { country?: string; region?: string };
  /** The product on screen. */
  productId?: string;
}

/** What the shop's state tells: the category the shopper is in, and their audiences. */
export interface ShopperContext {
  category?: string;
  /** Audience membership (contract section 7); see ShopModel for where it comes from. */
  memberOf(audienceId: string): boolean;
}

/** A rule's validity now. */
export function ruleStatus(rule: Pick<Rule, 'startsAt' | 'endsAt'>, nowMs: number): RuleStatus {
  if (rule.startsAt && nowMs < Date.parse(rule.startsAt)) return 'scheduled';
  if (rule.endsAt && nowMs >= Date.parse(rule.endsAt)) return 'expired';
  return 'active';
}

const same = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b.toLowerCase();

/** "DE", "Bavaria" or "DE/Bavaria", compared without regard to case. */
export function regionMatches(condition: string, geo: { country?: string; region?: string }): boolean {
  const [country, region] = condition.includes('/') ? condition.split('/', 2) : [undefined, undefined];
  if (country !== undefined) return same(geo.country, country.trim()) && same(geo.region, region!.trim());
  return same(geo.country, condition) || same(geo.region, condition);
}

/** Why a rule does not apply to a request, by what the request says (slot, time window, region, product on screen); undefined if it does. */
export function requestMismatch(rule: Rule, ctx: RequestContext): string | undefined {
  if (!rule.slots.includes('*') && !rule.slots.includes(ctx.slot)) return `slots: for ${rule.slots.join(', ')}, not ${ctx.slot}`;
  const status = ruleStatus(rule, ctx.nowMs);
  if (status === 'scheduled') return `startsAt: starts ${rule.startsAt}`;
  if (status === 'expired') return `endsAt: ended ${rule.endsAt}`;
  const when = rule.when;
  if (when?.productId !== undefined && when.productId !== ctx.productId) {
    return `when.productId: ${ctx.productId === undefined ? 'no product is on screen' : `the product on screen is ${ctx.productId}`}`;
  }
  if (when?.region !== undefined && !regionMatches(when.region, ctx.geo)) {
    const where = [ctx.geo.country, ctx.geo.region].filter(Boolean).join('/');
    return `when.region: the visitor is ${where ? `in ${where}` : 'in no known region'}`;
  }
  return undefined;
}

/** Why a rule does not apply to the shopper (the category they are in, their audiences); undefined if it does. */
export function shopperMismatch(rule: Rule, ctx: ShopperContext): string | undefined {
  const when = rule.when;
  if (when?.category !== undefined && !inCategory(ctx.category, when.category)) {
    return `when.category: the shopper is ${ctx.category ? `in ${ctx.category}` : 'in no category this session'}`;
  }
  if (when?.audienceId !== undefined && !ctx.memberOf(when.audienceId)) return `when.audienceId: the shopper is not in audience ${when.audienceId}`;
  return undefined;
}

function inCategory(category: string | undefined, within: string): boolean {
  const key = category && categoryKey(category);
  const target = categoryKey(within);
  return !!key && !!target && isWithin(key, target);
}

/**
 * The category a shopper is in: the product on screen's, else that of their
 * latest product or list view in the current session.
 */
export function shopperCategory(profile: Profile | undefined, productOnScreen: CatalogItem | undefined): string | undefined {
  if (productOnScreen?.category) return productOnScreen.category;
  if (!profile) return undefined;
  const since = profile.session.startedAt;
  const view = profile.recentViews.at(-1);
  const list = profile.recentLists.at(-1);
  const latest = [view?.category ? { category: view.category, at: view.at } : undefined, list].filter(
    (x): x is { category: string; at: number } => !!x && x.at >= since,
  );
  return latest.sort((a, b) => b.at - a.at)[0]?.category;
}

/** Does a rule name this product, by id or by category (subcategories included)? */
export function ruleTargets(rule: Pick<Rule, 'products' | 'category'>, productId: string, category: string | undefined): boolean {
  if (rule.products?.includes(productId)) return true;
  return rule.category !== undefined && inCategory(category, rule.category);
}

export interface Candidate {
  productId: string;
  score: number;
  reason: string;
}

/** Step 1 for rules: is a product excluded by one of them? */
export function excludedByRules(rules: readonly Rule[], productId: string, category: string | undefined): boolean {
  return rules.some((rule) => rule.action === 'exclude' && ruleTargets(rule, productId, category));
}

/**
 * Steps 1 and 3 on the slot's ranked candidates: drops what rules exclude,
 * then reweighs by boosts and buries. Boosted candidates carry `promoted`.
 */
export function reweigh(candidates: readonly Candidate[], rules: readonly Rule[], categoryOf: (productId: string) => string | undefined): Candidate[] {
  const weighing = rules.filter((rule) => rule.action === 'boost' || rule.action === 'bury');
  const kept = candidates.filter((c) => !excludedByRules(rules, c.productId, categoryOf(c.productId)));
  if (weighing.length === 0) return kept;
  return (
    kept
      .map((c, rank) => {
        let factor = 1;
        for (const rule of weighing)
          if (ruleTargets(rule, c.productId, categoryOf(c.productId))) factor *= rule.factor ?? DEFAULT_FACTOR[rule.action as 'boost' | 'bury'];
        return { candidate: factor > 1 ? { ...c, reason: 'promoted' } : c, weight: factor / (rank + 1), moved: factor !== 1, rank };
      })
      // A reweighed product takes the place it is weighed at, ahead of the one that stood there.
      .sort((a, b) => b.weight - a.weight || Number(b.moved) - Number(a.moved) || a.rank - b.rank)
      .map((w) => w.candidate)
  );
}

export interface Pin {
  rule: string;
  productId: string;
  position: number;
}

/** The pins of the rules, by position (the first pin of a product wins); a rule's products fill consecutive positions from its own. */
export function pinsOf(rules: readonly Rule[]): Pin[] {
  const pins = rules
    .filter((rule) => rule.action === 'pin')
    .sort((a, b) => (a.position ?? 1) - (b.position ?? 1) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .flatMap((rule) => (rule.products ?? []).map((productId, i) => ({ rule: rule.id, productId, position: (rule.position ?? 1) + i })));
  const seen = new Set<string>();
  return pins.filter((p) => !seen.has(p.productId) && seen.add(p.productId));
}

/**
 * Step 4: puts pinned items at their positions (1-based) among the slot's
 * items, the others moving down, at most `limit` in all. A pin past the
 * end of a short answer takes the last place; one past the limit is not shown.
 */
export function placePins(items: readonly RecommendedItem[], pinned: readonly { item: RecommendedItem; position: number }[], limit: number): RecommendedItem[] {
  const placed = pinned.filter((p) => p.position <= limit).sort((a, b) => a.position - b.position);
  const pinnedIds = new Set(placed.map((p) => p.item.productId));
  const out = items.filter((item) => !pinnedIds.has(item.productId));
  let last = -1;
  for (const { item, position } of placed) {
    // Two pins for one position: the later one takes the next place.
    const at = Math.min(Math.max(position - 1, last + 1), out.length);
    out.splice(at, 0, { ...item, reason: 'pinned' });
    last = at;
  }
  return out.slice(0, limit);
}
