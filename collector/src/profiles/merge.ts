/**
 * Two profiles of one shopper as one, when an anonymous browser meets its
 * customer (identify, or a login on another device): counts and money add
 * up, histories interleave by time within the document's caps, and the more
 * recently seen side wins where only one value can stay. Neither input changes.
 */
import { DEFAULT_CURRENCY } from '@trailmark/schema';
import { mergeInterests } from './interests';
import { mergeCounted } from './once-a-day';
import {
  cartChangedAt,
  RECENT_LISTS,
  RECENT_ORDERS,
  RECENT_REC_CLICKS,
  RECENT_SEARCHES,
  RECENT_VIEWS,
  revenueByCurrency,
  type Profile,
  type TimedProduct,
} from './profile';
import { mergeCategoryPurchases, mergePurchases } from './purchase-history';
import { mergeTraits } from './traits';

/** Both lists in time order, the latest `cap` kept. */
const byTime = <T extends { at: number }>(a: T[], b: T[], cap: number) => [...a, ...b].sort((x, y) => x.at - y.at).slice(-cap);

/** Each product once, at its latest view, in time order. */
function dedupeLatest(views: TimedProduct[]): TimedProduct[] {
  const latest = new Map<string, TimedProduct>();
  for (const view of views) latest.set(view.productId, view);
  return [...latest.values()].sort((a, b) => a.at - b.at);
}

/** Joins `from` into `into` (an anonymous browser meeting its customer): histories interleave by time. */
export function mergeProfiles(into: Profile, from: Profile, siteCurrency: string = DEFAULT_CURRENCY): Profile {
  const money = { ...revenueByCurrency(into, siteCurrency) };
  for (const [currency, amount] of Object.entries(revenueByCurrency(from, siteCurrency))) money[currency] = (money[currency] ?? 0) + amount;
  const merged: Profile = {
    ...into,
    firstSeen: Math.min(into.firstSeen, from.firstSeen),
    lastSeen: Math.max(into.lastSeen, from.lastSeen),
    geo: from.lastSeen > into.lastSeen && from.geo.country ? from.geo : into.geo,
    device: from.lastSeen > into.lastSeen && from.device.type ? from.device : into.device,
    sessionCount: into.sessionCount + from.sessionCount,
    session: from.session.lastAt > into.session.lastAt ? from.session : into.session,
    counts: Object.fromEntries(
      Object.entries(into.counts).map(([key, value]) => [key, value + from.counts[key as keyof Profile['counts']]]),
    ) as Profile['counts'],
    revenue: money[siteCurrency] ?? 0,
    revenueByCurrency: money,
    recentViews: dedupeLatest(byTime(into.recentViews, from.recentViews, RECENT_VIEWS * 2)).slice(-RECENT_VIEWS),
    recentLists: byTime(into.recentLists, from.recentLists, RECENT_LISTS),
    searches: byTime(into.searches, from.searches, RECENT_SEARCHES),
    cart: { ...into.cart, ...from.cart },
    orders: byTime(into.orders, from.orders, RECENT_ORDERS),
    interests: {},
    purchases: mergePurchases(into.purchases, from.purchases),
    recClicks: byTime(into.recClicks, from.recClicks, RECENT_REC_CLICKS),
    counted: mergeCounted(into.counted ?? [], from.counted ?? []),
  };
  const traits = from.lastSeen > into.lastSeen ? mergeTraits(into.traits, from.traits) : mergeTraits(from.traits, into.traits);
  if (traits) merged.traits = traits;
  const changedAt = Math.max(cartChangedAt(into) ?? -Infinity, cartChangedAt(from) ?? -Infinity);
  if (Number.isFinite(changedAt)) merged.cartChangedAt = changedAt;
  const { interests, interestsEpoch } = mergeInterests(into, from);
  merged.interestsEpoch = interestsEpoch;
  merged.interests = interests;
  if (from.categoryPurchases) merged.categoryPurchases = mergeCategoryPurchases(into.categoryPurchases, from.categoryPurchases);
  return merged;
}
