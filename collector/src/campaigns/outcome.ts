/**
 * What one stored event means for a campaign member: whether it is the goal
 * (the event, and the product or category when the goal names one),
 * the revenue it brings (an `Order Completed` in the site's currency), and
 * what the member spent before assignment (the CUPED covariate).
 */
import { EVENTS, type CampaignGoal, type StoredMessage } from '@trailmark/schema';
import { productsOfMessage } from '../catalog/product-facts';
import { categoryKey, categoryKeys } from '../profiles/category-path';
import { orderTotal } from '../profiles/order-total';
import type { Profile } from '../profiles/profile';

export const DAY_MS = 86_400_000;
/** The CUPED covariate looks this far back from assignment. */
export const SPEND_BEFORE_DAYS = 30;

/** Event names compare without regard to case or surrounding space ("signed up" is the goal "Signed Up"). */
const sameEvent = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * An order is an event named exactly `Order Completed`, as everywhere else
 * in the collector (the profile's orders, the per-order_id dedup, revenue):
 * a goal naming that event, in any case, is met by orders alone, so a
 * member who converts on it is a member whose order brings revenue, and an
 * "order completed" that nothing else counts as an order does not convert.
 */
const isOrder = (message: StoredMessage) => message.type === 'track' && message.event === EVENTS.orderCompleted;

export function isGoal(goal: CampaignGoal, message: StoredMessage): boolean {
  if (message.type !== 'track') return false;
  if (sameEvent(goal.event, EVENTS.orderCompleted) ? !isOrder(message) : !sameEvent(message.event, goal.event)) return false;
  if (!goal.productId && !goal.category) return true;
  const products = productsOfMessage(message);
  if (goal.productId && !products.some((p) => p.productId === goal.productId)) return false;
  if (goal.category) {
    const wanted = categoryKey(goal.category);
    if (!wanted || !products.some((p) => p.category !== undefined && categoryKeys(p.category).includes(wanted))) return false;
  }
  return true;
}

/** The money of an `Order Completed` (in its own currency, else the site's as its settings say now); null for anything else. */
export function orderMoney(message: StoredMessage, siteCurrency: string): { total: number; currency: string } | null {
  if (message.type !== 'track' || !isOrder(message)) return null;
  return orderTotal((message.properties ?? {}) as Record<string, unknown>, productsOfMessage(message), siteCurrency);
}

/** The revenue an event brings: an `Order Completed` total in the site's currency; 0 for anything else. */
export function revenueOf(message: StoredMessage, siteCurrency: string): number {
  const money = orderMoney(message, siteCurrency);
  return money && money.currency === siteCurrency ? money.total : 0;
}

/**
 * What the member's orders in the 30 days before `assignedAt` total, in the
 * site's currency, from the profile's recent orders (the profile keeps the
 * last 20, plenty for 30 days of one shopper).
 */
export function spendBefore(profile: Pick<Profile, 'orders'> | undefined, assignedAt: number, siteCurrency: string): number {
  if (!profile) return 0;
  const from = assignedAt - SPEND_BEFORE_DAYS * DAY_MS;
  let sum = 0;
  for (const order of profile.orders) {
    if (order.at >= from && order.at < assignedAt && (order.currency ?? siteCurrency) === siteCurrency) sum += order.total;
  }
  return sum;
}

/** Whether an event at `atMs` falls in the member's window: from assignment, for `windowDays`. */
export function inWindow(atMs: number, assignedAt: number, windowDays: number): boolean {
  return atMs >= assignedAt && atMs < assignedAt + windowDays * DAY_MS;
}
