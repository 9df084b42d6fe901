/**
 * What the admin API answers (collector/src/admin/admin-routes.ts,
 * storage/stats.ts, shop/shop-model.ts ProfileView), as the dashboard reads
 * it. Kept here rather than imported so the dashboard stays a plain browser
 * bundle that any collector of this version can serve.
 */

export interface Lift {
  estimate: number | null;
  low: number | null;
  high: number | null;
}

export interface VariantFigures {
  impressions: number;
  clicks: number;
  ctr: number | null;
  adds: number;
  orders: number;
  revenue: number;
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

export interface Stats {
  writeKey: string;
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
  lifecycle: { counts: Record<LifecycleStage, number>; thresholds: { activeDays: number; atRiskDays: number; lapsedDays: number } };
  holdoutPercent: number;
}

/** One line of GET /v1/admin/export: a stored Segment message with its enrichment. */
export interface StoredEvent {
  type: string;
  event?: string;
  name?: string;
  messageId: string;
  anonymousId?: string;
  userId?: string;
  profileId: string;
  timestamp: string;
  receivedAt: string;
  properties?: Record<string, unknown>;
  traits?: Record<string, unknown>;
  context?: {
    page?: { path?: string; title?: string; url?: string };
    geo?: { country?: string; region?: string; city?: string };
    device?: { type?: string; browser?: string; os?: string };
    bot?: boolean;
  };
}

export interface Profile {
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
  revenue: number;
  interests: { category: string; score: number }[];
  recentViews: { productId: string; name?: string; at: string }[];
  recentCategories: { category: string; at: string }[];
  searches: { query: string; at: string }[];
  cart: { productId: string; name?: string; quantity: number; price?: number }[];
  orders: { orderId: string; at: string; total: number; currency?: string; productIds: string[] }[];
  purchaseCycles: { productId: string; name?: string; purchases: number; lastAt: string; meanIntervalDays?: number }[];
}
