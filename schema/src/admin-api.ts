/**
 * What the admin API answers (the dashboard reads these): statistics,
 * profiles and exported events. Defined once, produced by the collector.
 */
import type { StoredMessage } from './messages';

/** Relative lift of treatment over control with its 95% confidence interval (null: not enough data). */
export interface Lift {
  estimate: number | null;
  low: number | null;
  high: number | null;
}

export interface VariantFigures {
  impressions: number;
  clicks: number;
  ctr: number | null;
  /** Adds, orders and revenue credited to a click on the slot. */
  adds: number;
  orders: number;
  revenue: number;
  /** Shoppers with a first impression in the range, and what they bought afterwards. */
  visitors: number;
  converted: number;
  conversionRate: number | null;
  revenuePerVisitor: number | null;
}

export interface SlotFigures {
  slot: string;
  treatment: VariantFigures;
  control: VariantFigures;
  lift: { ctr: Lift; conversionRate: Lift; revenuePerVisitor: Lift };
}

export interface RegionFigures {
  country: string;
  region: string;
  views: number;
  units: number;
  revenue: number;
  topProducts: { productId: string; name?: string | null; category: string | null; views: number; units: number; revenue: number }[];
  topCategories: { category: string; views: number; units: number; revenue: number }[];
}

export type LifecycleStage = 'new' | 'active' | 'at-risk' | 'sleeping' | 'lapsed';

/** Lifecycle stage thresholds in days of inactivity. */
export interface LifecycleThresholds {
  /** Seen within this many days: active (or new, on a first visit). */
  activeDays: number;
  /** Idle up to this many days: at risk. */
  atRiskDays: number;
  /** Idle up to this many days: sleeping; beyond it: lapsed. */
  lapsedDays: number;
}

/** The figures of `GET /v1/admin/stats` computed from the event log. */
export interface EventStats {
  from: string;
  to: string;
  events: {
    total: number;
    byType: Record<string, number>;
    byEvent: Record<string, number>;
    overTime: { bucket: string; total: number; byType: Record<string, number> }[];
    granularity: 'hour' | 'day';
  };
  funnel: { step: string; count: number; fromPrevious: number | null; fromFirst: number | null }[];
  regions: RegionFigures[];
  slots: SlotFigures[];
}

/** `GET /v1/admin/stats` */
export interface StatsResponse extends EventStats {
  writeKey: string;
  lifecycle: { counts: Record<LifecycleStage, number>; thresholds: LifecycleThresholds };
  holdoutPercent: number;
}

/** `GET /v1/admin/profiles/:id` */
export interface ProfileView {
  profileId: string;
  userId?: string;
  anonymousIds: string[];
  userIds: string[];
  mergedProfileIds: string[];
  firstSeen: string;
  lastSeen: string;
  lifecycle: LifecycleStage;
  region: { country?: string; region?: string; city?: string };
  device: { type?: string; browser?: string; os?: string };
  sessions: number;
  counts: { events: number; pageViews: number; productViews: number; searches: number; adds: number; orders: number };
  /** The site's currency (ISO 4217), the unit of `revenue`. */
  currency: string;
  /** Orders' totals in the site's currency. */
  revenue: number;
  /** Orders' totals per currency, never summed across currencies. */
  revenueByCurrency: Record<string, number>;
  interests: { category: string; score: number }[];
  recentViews: { productId: string; name?: string; at: string }[];
  recentCategories: { category: string; at: string }[];
  searches: { query: string; at: string }[];
  cart: { productId: string; name?: string; quantity: number; price?: number }[];
  orders: { orderId: string; at: string; total: number; currency?: string; productIds: string[] }[];
  purchaseCycles: { productId: string; name?: string; purchases: number; lastAt: string; meanIntervalDays?: number }[];
}

/** One line of `GET /v1/admin/export`. */
export type ExportedEvent = StoredMessage & { writeKey: string; profileId: string };

/** `GET /v1/admin/ingest-status`: what waits to be stored, and what was acknowledged but dropped, by reason. */
export interface IngestStatus {
  pending: number;
  dropped: Partial<Record<import('./messages').DropReason, number>>;
  sites: { writeKey: string; pending: number; dropped: Partial<Record<import('./messages').DropReason, number>> }[];
}
