/**
 * The audience condition language (contract section 7): the shapes of a
 * definition and the catalogue of facts it can test. Types and plain data
 * only, so the dashboard can list facts and operators without a validator;
 * `audience-schema.ts` is the validator built from this catalogue.
 */
import type { LifecycleStage } from './admin-api';

export const FACT_OPS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'exists'] as const;
export type FactOp = (typeof FACT_OPS)[number];

/** A scalar a condition compares with. */
export type FactScalar = string | number | boolean;

export interface FactCondition {
  fact: string;
  op: FactOp;
  /** A scalar, a list for `in`, a boolean (default true) for `exists`. */
  value?: FactScalar | FactScalar[];
  category?: string;
  withinMinutes?: number;
  productId?: string;
  withinDays?: number;
}

export type Condition = { all: Condition[] } | { any: Condition[] } | { not: Condition } | FactCondition;

export type Qualifier = 'category' | 'withinMinutes' | 'productId' | 'withinDays';

/**
 * What a fact's value is, which decides the values a condition may compare
 * with: `number` (any finite number), `score` (an integer 1–5), `share`
 * (0–1), `text`, `country` (ISO 3166-1 alpha-2), `boolean`, `lifecycle`,
 * `device`, `trait` (a string, number or boolean; order operators need a number).
 */
export type FactKind = 'number' | 'score' | 'share' | 'text' | 'country' | 'boolean' | 'lifecycle' | 'device' | 'trait';

export interface FactSpec {
  kind: FactKind;
  ops: readonly FactOp[];
  qualifiers: Partial<Record<Qualifier, 'required' | 'optional'>>;
  /** Exactly one of these qualifiers must be given. */
  oneOf?: readonly Qualifier[];
  description: string;
}

/** Lifecycle stages as conditions name them (the profile API spells `at-risk` with a hyphen). */
export const AUDIENCE_LIFECYCLE_VALUES = ['new', 'active', 'at_risk', 'sleeping', 'lapsed'] as const;
export type AudienceLifecycle = (typeof AUDIENCE_LIFECYCLE_VALUES)[number];
export const audienceLifecycle = (stage: LifecycleStage): AudienceLifecycle => (stage === 'at-risk' ? 'at_risk' : stage);

export const AUDIENCE_DEVICE_VALUES = ['desktop', 'mobile', 'tablet', 'server'] as const;

const ALL_OPS = FACT_OPS;
const EQUALITY_OPS = ['eq', 'neq', 'in', 'exists'] as const;

/** Every fact of contract section 7. `trait.NAME` stands for any identify trait. */
export const FACTS = {
  lifecycle: { kind: 'lifecycle', ops: ['eq', 'neq', 'in'], qualifiers: {}, description: 'new, active, at_risk, sleeping or lapsed, by the site thresholds' },
  country: { kind: 'country', ops: EQUALITY_OPS, qualifiers: {}, description: 'ISO 3166-1 alpha-2 country of the latest event' },
  region: { kind: 'text', ops: EQUALITY_OPS, qualifiers: {}, description: 'region (state, province) of the latest event' },
  device: { kind: 'device', ops: EQUALITY_OPS, qualifiers: {}, description: 'desktop, mobile, tablet or server' },
  identified: { kind: 'boolean', ops: ['eq', 'neq'], qualifiers: {}, description: 'has a userId' },
  firstSeenDays: { kind: 'number', ops: ALL_OPS, qualifiers: {}, description: 'whole days since the first event' },
  lastSeenDays: { kind: 'number', ops: ALL_OPS, qualifiers: {}, description: 'whole days since the latest event' },
  sessions: { kind: 'number', ops: ALL_OPS, qualifiers: {}, description: 'number of sessions' },
  orders: { kind: 'number', ops: ALL_OPS, qualifiers: {}, description: 'number of orders' },
  revenue: { kind: 'number', ops: ALL_OPS, qualifiers: {}, description: 'total spent, in the site currency' },
  averageOrderValue: { kind: 'number', ops: ALL_OPS, qualifiers: {}, description: 'revenue / orders (absent without orders)' },
  lastOrderDays: { kind: 'number', ops: ALL_OPS, qualifiers: {}, description: 'whole days since the latest order (absent without orders)' },
  'rfm.recency': {
    kind: 'score',
    ops: ALL_OPS,
    qualifiers: {},
    description: 'quintile score 1–5 of days since the latest order within the site, 5 most recent',
  },
  'rfm.frequency': { kind: 'score', ops: ALL_OPS, qualifiers: {}, description: 'quintile score 1–5 of the number of orders within the site, 5 most' },
  'rfm.monetary': { kind: 'score', ops: ALL_OPS, qualifiers: {}, description: 'quintile score 1–5 of revenue within the site, 5 most' },
  interest: { kind: 'share', ops: ALL_OPS, qualifiers: { category: 'required' }, description: 'interest in a category, 0–1 (1: the strongest of the shopper)' },
  viewedCategory: {
    kind: 'number',
    ops: ALL_OPS,
    qualifiers: { category: 'required', withinMinutes: 'required' },
    description: 'views of products or lists in a category (or its subcategories) in the last withinMinutes minutes',
  },
  purchased: {
    kind: 'number',
    ops: ALL_OPS,
    qualifiers: { productId: 'optional', category: 'optional', withinDays: 'optional' },
    oneOf: ['productId', 'category'],
    description: 'orders that contained a product, or a product of a category, ever or in the last withinDays days',
  },
  cartItems: { kind: 'number', ops: ALL_OPS, qualifiers: {}, description: 'units in the cart' },
  cartValue: { kind: 'number', ops: ALL_OPS, qualifiers: {}, description: 'value of the cart (price × quantity)' },
  cartIdleMinutes: {
    kind: 'number',
    ops: ALL_OPS,
    qualifiers: {},
    description: 'whole minutes since the last cart change, while the cart holds items and no order followed',
  },
  reorderDueDays: {
    kind: 'number',
    ops: ALL_OPS,
    qualifiers: {},
    description: 'days until the predicted next purchase of a product bought on a cycle; negative when overdue',
  },
  'trait.NAME': { kind: 'trait', ops: ALL_OPS, qualifiers: {}, description: 'an identify trait, e.g. trait.email or trait.address.city' },
} as const satisfies Record<string, FactSpec>;

export type FactName = Exclude<keyof typeof FACTS, 'trait.NAME'> | `trait.${string}`;

export const TRAIT_PREFIX = 'trait.';
/** `trait.` followed by a trait name (nested traits joined by dots). */
export const TRAIT_FACT_PATTERN = /^trait\.[A-Za-z0-9_$][A-Za-z0-9_.$-]{0,63}$/;

/** The spec of a fact name, or undefined when there is no such fact. */
export function factSpec(fact: string): FactSpec | undefined {
  if (fact.startsWith(TRAIT_PREFIX)) return TRAIT_FACT_PATTERN.test(fact) ? FACTS['trait.NAME'] : undefined;
  return fact in FACTS ? FACTS[fact as keyof typeof FACTS] : undefined;
}

/** Bounds of one definition: evaluating it is cheap and storing it small. */
export const AUDIENCE_LIMITS = {
  /** Nesting of all / any / not, the top level being 1. */
  maxDepth: 8,
  /** Conditions in one definition, counting all / any / not and facts. */
  maxConditions: 100,
  /** Children of one all / any, values of one `in`. */
  maxListLength: 50,
  maxTextLength: 200,
  maxWithinMinutes: 7 * 24 * 60,
  maxWithinDays: 365,
} as const;

/** One problem in a definition: the JSON path of the bad part and what would be valid. */
export interface DefinitionIssue {
  path: string;
  message: string;
}

// ---- The audiences admin API (contract section 7) ------------------------------------------

export type AudienceStatus = 'building' | 'ready';

/**
 * `live`: members are the profiles meeting `definition`, kept up to date as
 * events arrive. `static`: members are the profiles listed when it was made
 * (a funnel step's people, a lifecycle list, an upload), changed only
 * through the API, as Segment's and Klaviyo's lists are.
 */
export type AudienceKind = 'live' | 'static';

/** Bounds of one request that lists a static audience's people. */
export const STATIC_AUDIENCE_LIMITS = {
  /** Profile ids in one PUT or one members change; larger lists are added in several. */
  maxProfileIds: 10_000,
  maxProfileIdLength: 256,
  maxDescription: 500,
} as const;

/** What a PUT or a members change did to a static audience's list. */
export interface StaticListChange {
  /** Profiles that entered (one `audience.entered` each to the destinations). */
  added: number;
  /** Profiles that left (`audience.exited`). */
  removed: number;
  /** Ids no profile has (never seen, or erased): skipped. */
  unknown: number;
  /** Up to 20 of them. */
  unknownIds: string[];
}

/** `GET`/`PUT /v1/admin/audiences/:id`, one entry of `GET /v1/admin/audiences`. */
export interface AudienceView {
  id: string;
  writeKey: string;
  name: string;
  kind: AudienceKind;
  /** The conditions of a live audience; null for a static one (its members are its list). */
  definition: Condition | null;
  /** What a static audience was kept from, in words (e.g. the funnel step and period). */
  description?: string;
  /** Members now (summed over every profile host of the site). */
  size: number;
  /** `building` while existing profiles are being evaluated, then `ready`. */
  status: AudienceStatus;
  createdAt: string;
  updatedAt: string;
  /** Members at the end of each day (UTC), oldest first, from the day it was created (at most 90 days). */
  sizeByDay?: { day: string; size: number }[];
}

/** What a destination, a members page and a preview sample hold about a person. */
export interface AudienceMember {
  profileId: string;
  userId: string | null;
  anonymousIds: string[];
  traits: Record<string, string | number | boolean>;
  region: { country?: string; region?: string; city?: string };
  lifecycle: AudienceLifecycle;
  enteredAt: string;
}

/** `POST /v1/admin/audiences/preview` */
export interface AudiencePreview {
  /** Members the definition would have now: exact when `exact`, else estimated from the profiles evaluated. */
  size: number;
  exact: boolean;
  /** Profiles evaluated, of `profiles` in the site. */
  evaluated: number;
  profiles: number;
  /** Up to 10 members, as destinations would receive them. */
  sample: Omit<AudienceMember, 'enteredAt'>[];
}

/** The audiences part of `GET /v1/admin/profiles/:id`. */
export interface ProfileAudiences {
  audiences: { id: string; name: string; enteredAt: string }[];
  /** Every fact without qualifiers the profile knows, as conditions read it now (traits as `trait.NAME`). */
  facts: Record<string, FactScalar>;
}
