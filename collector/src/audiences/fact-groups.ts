/**
 * Which parts of a profile each fact reads and each event changes, as bit
 * sets, so an event evaluates again only the audiences whose facts it may
 * have changed. Conservative both ways: a fact lists every group it reads,
 * an event every group it may touch.
 */
import { EVENTS, type StoredMessage } from '@trailmark/schema';

export const GROUP = {
  /** first/last seen, sessions: every event. */
  seen: 1 << 0,
  geo: 1 << 1,
  device: 1 << 2,
  /** userId and traits: identify, alias, merges. */
  identity: 1 << 3,
  orders: 1 << 4,
  cart: 1 << 5,
  views: 1 << 6,
  interest: 1 << 7,
  /** The site's lifecycle thresholds: changed by the admin, not by events. */
  site: 1 << 8,
  /** The site's RFM boundaries: recomputed from every host's customers, not by one event. */
  rfm: 1 << 9,
} as const;

export const ALL_GROUPS = Object.values(GROUP).reduce((all, bit) => all | bit, 0);

const FACT_GROUPS: Record<string, number> = {
  lifecycle: GROUP.seen | GROUP.site,
  country: GROUP.geo,
  region: GROUP.geo,
  device: GROUP.device,
  identified: GROUP.identity,
  firstSeenDays: GROUP.seen,
  lastSeenDays: GROUP.seen,
  sessions: GROUP.seen,
  orders: GROUP.orders,
  revenue: GROUP.orders,
  averageOrderValue: GROUP.orders,
  lastOrderDays: GROUP.orders,
  'rfm.recency': GROUP.orders | GROUP.rfm,
  'rfm.frequency': GROUP.orders | GROUP.rfm,
  'rfm.monetary': GROUP.orders | GROUP.rfm,
  interest: GROUP.interest,
  viewedCategory: GROUP.views,
  purchased: GROUP.orders,
  cartItems: GROUP.cart | GROUP.orders,
  cartValue: GROUP.cart | GROUP.orders,
  cartIdleMinutes: GROUP.cart | GROUP.orders,
  reorderDueDays: GROUP.orders,
};

/** The groups a fact reads. */
export function factGroups(fact: string): number {
  if (fact.startsWith('trait.')) return GROUP.identity;
  const groups = FACT_GROUPS[fact];
  if (groups === undefined) throw new Error(`unknown fact ${fact}`);
  return groups;
}

const BY_EVENT: Record<string, number> = {
  [EVENTS.productViewed]: GROUP.views | GROUP.interest,
  [EVENTS.productListViewed]: GROUP.views | GROUP.interest,
  [EVENTS.productAdded]: GROUP.cart | GROUP.interest,
  [EVENTS.productRemoved]: GROUP.cart,
  [EVENTS.orderCompleted]: GROUP.orders | GROUP.cart | GROUP.interest,
};

/** The groups one stored message may change when applied to its profile (profiles/apply-event.ts). */
export function groupsChangedBy(message: StoredMessage): number {
  let groups = GROUP.seen | GROUP.geo | GROUP.device;
  if (message.userId) groups |= GROUP.identity;
  if (message.type === 'identify' || message.type === 'alias') groups |= GROUP.identity;
  if (message.type === 'track') groups |= BY_EVENT[message.event] ?? 0;
  return groups;
}
