/**
 * What the admin API answers (the dashboard reads these): statistics,
 * profiles and exported events. Defined once, produced by the collector.
 */
import type { ExperimentLift, MembersNeeded, Verdict } from './experiments';
import type { StoredMessage } from './messages';

export interface RegionFigures {
  country: string;
  region: string;
  /** Product views. */
  views: number;
  /** Units ordered. */
  units: number;
  /** Item sales (price × quantity) per currency. */
  sales: Money[];
  topProducts: { productId: string; name?: string | null; category: string | null; views: number; units: number; sales: Money[] }[];
  topCategories: { category: string; views: number; units: number; sales: Money[] }[];
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
  /** The site's currency: first wherever money is listed. */
  currency: string;
  events: {
    total: number;
    byType: Record<string, number>;
    byEvent: Record<string, number>;
    overTime: { bucket: string; total: number; byType: Record<string, number> }[];
    granularity: 'hour' | 'day';
  };
  /** People (not events) through product viewed → added → checkout started → order completed, within a day of their first view. */
  funnel: { step: string; count: number; fromPrevious: number | null; fromFirst: number | null }[];
  regions: RegionFigures[];
  slots: SlotStats[];
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

// ── The dashboard's statistics (GET /v1/admin/stats/*) ──────────────────
// People, not events: visitors are people (profiles after merges), sessions
// are visits, shoppers are people who ordered. Money is per currency, never
// summed across currencies.

/** An amount of money in one currency (ISO 4217 code). */
export interface Money {
  currency: string;
  amount: number;
}

/** What every figure can be broken down by, and filtered on: attributes of the visit (session). */
export type StatsDimension = 'country' | 'region' | 'device' | 'source' | 'medium' | 'campaign' | 'landing' | 'visitor' | 'variant';

/** Filters: each dimension at most once; `visitor` is `new` or `returning`, `variant` `treatment`, `control` or `none`. */
export type StatsFilters = Partial<Record<StatsDimension, string>>;

/** The period a figure covers, `to` exclusive, as ISO timestamps. */
export interface StatsPeriod {
  from: string;
  to: string;
}

/** What every statistics answer says about itself. */
export interface StatsFrame {
  writeKey: string;
  period: StatsPeriod;
  /** The period of the same length just before, for comparison. */
  previousPeriod: StatsPeriod;
  filters: StatsFilters;
  /** The site's currency (`settings.currency`): listed first wherever money appears. */
  currency: string;
}

export interface TrafficFigures {
  /** People with at least one visit that started in the period. */
  visitors: number;
  /** People whose first visit ever started in the period. */
  newVisitors: number;
  sessions: number;
  /** Visits of a single event (one page view, and nothing else). */
  bouncedSessions: number;
  /** Visits with an order. */
  convertedSessions: number;
  /** People who placed an order in the period. */
  shoppers: number;
  orders: number;
  /** Order values (each order's total) per currency. */
  revenue: Money[];
  /** Mean order value per currency (orders in that currency only). */
  averageOrderValue: Money[];
}

/** `GET /v1/admin/stats/overview` */
export interface OverviewStats extends StatsFrame {
  current: TrafficFigures;
  previous: TrafficFigures;
  granularity: 'hour' | 'day';
  /** Per hour or day of the period (UTC), every bucket present. */
  overTime: { bucket: string; visitors: number; sessions: number; orders: number }[];
  /** The same for the previous period, bucket for bucket. */
  previousOverTime: { bucket: string; visitors: number; sessions: number; orders: number }[];
}

/** One value of a dimension with what its visits did (orders and revenue of those visits). */
export interface BreakdownRow {
  value: string;
  /** For `source`: the medium (`google` / `organic`); for `campaign`: its source / medium. */
  detail?: string;
  visitors: number;
  sessions: number;
  newVisitors: number;
  convertedSessions: number;
  orders: number;
  revenue: Money[];
}

/** `GET /v1/admin/stats/breakdown?by=…` */
export interface BreakdownStats extends StatsFrame {
  by: StatsDimension;
  rows: BreakdownRow[];
  /** Sessions of the values beyond the rows listed. */
  otherSessions: number;
  previous: { value: string; detail?: string; sessions: number; convertedSessions: number }[];
}

export interface FunnelStep {
  /** An event name, or `$page` (any page view) or `$identify` (signed in). */
  step: string;
  /** People who did this step after the steps before it, within the window of their first step. */
  people: number;
  /** Share of the people at the step before (null for the first). */
  fromPrevious: number | null;
  fromFirst: number | null;
  /** People of the step before who did not get here. */
  dropped: number;
  /** Median time from the first step to this one, in seconds (null for the first, or nobody). */
  medianSecondsFromFirst: number | null;
}

/** `GET /v1/admin/stats/funnel?step=…&step=…&window=…[&breakdown=…]` */
export interface FunnelStats extends StatsFrame {
  steps: FunnelStep[];
  /** The conversion window, in hours. */
  windowHours: number;
  previous: { step: string; people: number }[];
  breakdown?: { by: StatsDimension; rows: { value: string; people: number[] }[] };
  /** Steps one can pick: events seen in the period, with `$page` and `$identify`. */
  available: string[];
}

/** A person on a list (a funnel step, a lifecycle stage): the same fields as an audience member. */
export interface PersonRow {
  profileId: string;
  userId: string | null;
  anonymousIds: string[];
  userIds: string[];
  country: string;
  region: string;
  device: string;
  firstSeen: string;
  lastSeen: string;
  orders: number;
  /** When they entered the list: the step's time, or the day their stage began. */
  enteredAt: string | null;
}

/**
 * What a list of people is, as data: enough to produce it again, and for
 * the audience work to turn it into an audience.
 */
export type PeopleListDefinition =
  | { kind: 'funnel-step'; steps: string[]; windowHours: number; step: number; outcome: 'reached' | 'dropped'; period: StatsPeriod; filters: StatsFilters }
  | { kind: 'lifecycle'; stage: LifecycleStage; thresholds: LifecycleThresholds };

/** `GET /v1/admin/stats/funnel/people`, `GET /v1/admin/stats/lifecycle/people` (`format=csv` for a CSV file) */
export interface PeopleList {
  writeKey: string;
  definition: PeopleListDefinition;
  total: number;
  people: PersonRow[];
  nextCursor: string | null;
}

/** `GET /v1/admin/stats/search` */
export interface SearchStats extends StatsFrame {
  totals: {
    searches: number;
    people: number;
    /** Searches followed by a product view in the same visit, before another search. */
    clickedThrough: number;
    /** Searches whose page said how many results it showed (`result_count`). */
    withResultCount: number;
    noResults: number;
    /** Searches in visits that placed an order. */
    inConvertingSessions: number;
  };
  previousTotals: { searches: number; noResults: number; clickedThrough: number };
  terms: SearchTerm[];
  /** Queries that found nothing, most frequent first. */
  noResultTerms: SearchTerm[];
}

export interface SearchTerm {
  query: string;
  searches: number;
  people: number;
  clickedThrough: number;
  noResults: number;
  withResultCount: number;
  /** Mean results shown, over the searches that said (null: none said). */
  averageResults: number | null;
}

/** `GET /v1/admin/stats/retention?weeks=N` */
export interface RetentionStats extends StatsFrame {
  /** Monday of each cohort's week (UTC). */
  cohorts: { week: string; people: number; active: number[] }[];
  repeatPurchase: {
    /** People who ordered in the period. */
    customers: number;
    /** Of them, people with more than one order ever. */
    repeatCustomers: number;
    rate: number | null;
    /** Median days from a customer's first order to their second (all customers who have one). */
    medianDaysToSecondOrder: number | null;
  };
}

/** `GET /v1/admin/stats/lifecycle` */
export interface LifecycleStats extends StatsFrame {
  thresholds: LifecycleThresholds;
  /** Today (UTC). */
  now: Record<LifecycleStage, number>;
  /** At the end of each day of the period. */
  overTime: { day: string; counts: Record<LifecycleStage, number> }[];
}

/** The figures of one group (treatment or holdout) of one slot. */
export interface SlotGroupFigures {
  impressions: number;
  clicks: number;
  ctr: number | null;
  /** Adds and orders of the products clicked in the slot (credited to it within seven days). */
  creditedAdds: number;
  creditedOrders: number;
  /** Item sales (price × quantity) of those products, per currency. */
  creditedSales: Money[];
  /** Shoppers whose first viewable impression of the slot was in the period. */
  shoppers: number;
  /** Of them, shoppers who ordered after first seeing it. */
  converted: number;
  conversionRate: number | null;
  /** Order values after first seeing the slot, in the site currency. */
  revenue: number;
  revenuePerShopper: number | null;
  /** Order values in other currencies: shown, not converted, left out of the lift. */
  otherRevenue: Money[];
}

/**
 * A lift of treatment over the holdout (the experiment statistics' lift:
 * absolute difference with its 95% interval, relative change with its own,
 * p-value), its verdict in words, and while it is not yet distinguishable,
 * how many more shoppers (or impressions) it takes at the current split
 * (80% power, 5% two-sided, for the effect observed).
 */
export interface SlotLift extends ExperimentLift {
  verdict: Verdict;
  needed: MembersNeeded | null;
}

export interface SlotStats {
  slot: string;
  treatment: SlotGroupFigures;
  control: SlotGroupFigures;
  lift: { ctr: SlotLift; conversionRate: SlotLift; revenuePerShopper: SlotLift };
}

/** `GET /v1/admin/stats/slots` */
export interface SlotsStats extends StatsFrame {
  holdoutPercent: number;
  slots: SlotStats[];
}

/** `GET /v1/admin/live?after=…&limit=N`: the newest stored events, newest first, one request per refresh. */
export interface LiveEvents {
  events: ExportedEvent[];
  /** Pass as `after` next time: only events stored since come back. */
  cursor: string;
  /** Events stored since `after` that this answer leaves out (more than `limit` arrived); capped at 100,000. */
  skipped: number;
}
