/**
 * What a profile remembers of its orders per product (repurchase cycles) and
 * per category and ancestor (audience facts such as "purchased in Outdoor
 * within 30 days"): counts, the latest time and a bounded list of times.
 */
import type { ProductFacts } from '../catalog/product-facts';
import { DAY_MS } from '../lib/decay';
import { categoryKeys } from './category-path';
import { MAX_CATEGORY, type Profile, type PurchaseHistory } from './profile';

/** Purchase times kept per product and per category, for "purchased … within N days" (N ≤ 365). */
export const PURCHASE_WINDOW_MS = 366 * DAY_MS;
/** Purchase times kept per product and per category (counts within a window read at most these). */
export const PRODUCT_TIMES = 6;
export const CATEGORY_TIMES = 12;
/** Products and categories kept; past it the least recently bought go. */
const MAX_PURCHASES = 100;
const MAX_CATEGORY_PURCHASES = 30;

type CategoryPurchases = NonNullable<Profile['categoryPurchases']>;

/** Both lists of times as one: ascending, within the window of the latest, at most `cap`. */
export function mergeTimes(a: number[] | undefined, b: number[] | undefined, cap: number): number[] {
  const all = [...(a ?? []), ...(b ?? [])].sort((x, y) => x - y);
  const latest = all[all.length - 1] ?? 0;
  return all.filter((t) => t > latest - PURCHASE_WINDOW_MS).slice(-cap);
}

/**
 * When the first order a product history counts was: its mean interval spans
 * from it to the latest order (without a mean, the earliest time it keeps).
 */
function firstOrderAt(history: PurchaseHistory): number {
  return history.meanIntervalMs !== undefined ? history.lastAt - history.meanIntervalMs * (history.count - 1) : (history.times?.[0] ?? history.lastAt);
}

/**
 * Records an order of `productId` at `at` (mutating the profile) and, when it
 * buys the product again after the latest order known, says how long after.
 * An order older than that one (sent late) counts like any other, as it does
 * for its categories and interests: the count, the times and the mean
 * interval take it in; only the latest time stays, and no interval is said.
 */
export function recordProductPurchase(profile: Profile, productId: string, at: number): number | undefined {
  const history = profile.purchases[productId];
  if (!history) {
    profile.purchases[productId] = { count: 1, lastAt: at, times: [at] };
    return undefined;
  }
  const first = Math.min(firstOrderAt(history), at);
  const intervalMs = at > history.lastAt ? at - history.lastAt : undefined;
  history.count++;
  history.lastAt = Math.max(history.lastAt, at);
  // The intervals between consecutive orders add up to the span from the first to the latest, wherever this one falls.
  history.meanIntervalMs = (history.lastAt - first) / (history.count - 1);
  history.times = mergeTimes(history.times, [at], PRODUCT_TIMES);
  return intervalMs;
}

/** Keeps the MAX_PURCHASES most recently bought products (mutating `purchases`). */
export function trimPurchases(purchases: Profile['purchases']): void {
  const ids = Object.keys(purchases);
  if (ids.length <= MAX_PURCHASES) return;
  ids.sort((a, b) => purchases[a]!.lastAt - purchases[b]!.lastAt);
  for (const id of ids.slice(0, ids.length - MAX_PURCHASES)) delete purchases[id];
}

/** One order counts once for each category (and ancestor) its products belong to. */
export function recordCategoryPurchases(profile: Profile, products: ProductFacts[], at: number): void {
  const keys = new Set(products.flatMap((p) => (p.category ? categoryKeys(p.category.slice(0, MAX_CATEGORY)) : [])));
  if (keys.size === 0) return;
  const byCategory = (profile.categoryPurchases ??= {});
  for (const key of keys) {
    const history = byCategory[key];
    if (history) {
      history.count++;
      history.lastAt = Math.max(history.lastAt, at);
      history.times = mergeTimes(history.times, [at], CATEGORY_TIMES);
    } else {
      byCategory[key] = { count: 1, lastAt: at, times: [at] };
    }
  }
  trimCategoryPurchases(byCategory);
}

function trimCategoryPurchases(byCategory: CategoryPurchases): void {
  const keys = Object.keys(byCategory);
  if (keys.length <= MAX_CATEGORY_PURCHASES) return;
  keys.sort((a, b) => byCategory[a]!.lastAt - byCategory[b]!.lastAt);
  for (const key of keys.slice(0, keys.length - MAX_CATEGORY_PURCHASES)) delete byCategory[key];
}

/**
 * Both profiles' product histories as one, as if one profile had every
 * order of both: counts add up, the mean interval spans from the earlier
 * first order to the later latest one; trimmed to the most recently bought
 * as after an order. Neither input changes.
 */
export function mergePurchases(into: Profile['purchases'], from: Profile['purchases']): Profile['purchases'] {
  const merged = { ...into };
  for (const [productId, history] of Object.entries(from)) {
    const mine = merged[productId];
    if (!mine) {
      merged[productId] = history;
      continue;
    }
    const count = mine.count + history.count;
    const lastAt = Math.max(mine.lastAt, history.lastAt);
    const first = Math.min(firstOrderAt(mine), firstOrderAt(history));
    merged[productId] = { count, lastAt, meanIntervalMs: (lastAt - first) / (count - 1), times: mergeTimes(mine.times, history.times, PRODUCT_TIMES) };
  }
  trimPurchases(merged);
  return merged;
}

/** Both profiles' category histories as one, trimmed to the most recently bought (neither input changes). */
export function mergeCategoryPurchases(into: CategoryPurchases | undefined, from: CategoryPurchases): CategoryPurchases {
  const byCategory = { ...into };
  for (const [key, history] of Object.entries(from)) {
    const mine = byCategory[key];
    byCategory[key] = mine
      ? { count: mine.count + history.count, lastAt: Math.max(mine.lastAt, history.lastAt), times: mergeTimes(mine.times, history.times, CATEGORY_TIMES) }
      : history;
  }
  trimCategoryPurchases(byCategory);
  return byCategory;
}
