/**
 * Campaigns measured against a control group (contract section 8): the body
 * of `PUT /v1/admin/campaigns/:id`, the campaign as the admin API shows it,
 * the offer the `offer` slot answers and the report. Validated here once and
 * used by the collector, the dashboard and the tests.
 */
import * as v from 'valibot';
import type { CupedLift, ExperimentLift, ExperimentMethods, GroupFigures, Interval, MembersNeeded, Roi, Verdict } from './experiments';
import { RESOURCE_ID } from './destinations';

export const CAMPAIGN_DEFAULTS = { holdoutPercent: 50, windowDays: 3 } as const;
export const CAMPAIGN_LIMITS = {
  maxHoldoutPercent: 90,
  maxWindowDays: 90,
  maxDestinations: 20,
  maxNameLength: 200,
  maxOfferText: 500,
  maxUrlLength: 2048,
  maxCoupon: 64,
} as const;

const L = CAMPAIGN_LIMITS;

const resourceId = (what: string) =>
  v.pipe(v.string(`${what} must be a string`), v.regex(RESOURCE_ID, `${what} is 1–128 letters, digits, "_", "-", "." or ":"`));

const text = (field: string, max: number) => v.pipe(v.string(`${field} must be a string`), v.trim(), v.maxLength(max, `${field} is at most ${max} characters`));

/** A link the offer shows: relative to the shop, or http(s). Never `javascript:` and the like. */
const link = (field: string) =>
  v.pipe(
    text(field, L.maxUrlLength),
    v.check(
      (value) => value === '' || value.startsWith('/') || /^https?:\/\/[^\s]+$/i.test(value),
      `${field} must be a path on the shop (/…) or an http(s) URL`,
    ),
  );

/** An ISO 8601 date-time (with a zone), or a date (midnight UTC). */
const instant = (field: string) =>
  v.pipe(
    v.string(`${field} must be an ISO 8601 date-time, e.g. "2026-12-01T00:00:00Z"`),
    v.check(
      (value) => /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/.test(value) && Number.isFinite(Date.parse(value)),
      `${field} must be an ISO 8601 date-time with a zone, e.g. "2026-12-01T00:00:00Z"`,
    ),
    v.transform((value) => new Date(Date.parse(value)).toISOString()),
  );

export const CampaignGoalSchema = v.strictObject(
  {
    event: v.pipe(
      v.string('goal.event must be a string'),
      v.trim(),
      v.minLength(1, 'goal.event is the event that counts as converting, e.g. "Order Completed"'),
      v.maxLength(200, 'goal.event is at most 200 characters'),
    ),
    category: v.optional(v.pipe(text('goal.category', 200), v.minLength(1, 'goal.category must not be empty'))),
    productId: v.optional(v.pipe(text('goal.productId', 256), v.minLength(1, 'goal.productId must not be empty'))),
  },
  (issue) =>
    issue.expected === 'never'
      ? 'is not a field of goal; the fields are event, category and productId'
      : 'goal must be an object: { "event", "category"?, "productId"? }',
);
export type CampaignGoal = v.InferOutput<typeof CampaignGoalSchema>;

export const CampaignOfferSchema = v.strictObject(
  {
    title: v.pipe(text('offer.title', L.maxOfferText), v.minLength(1, 'offer.title is required: the headline the shopper sees')),
    body: v.optional(text('offer.body', L.maxOfferText)),
    url: v.optional(link('offer.url')),
    imageUrl: v.optional(link('offer.imageUrl')),
    coupon: v.optional(text('offer.coupon', L.maxCoupon)),
  },
  (issue) =>
    issue.expected === 'never'
      ? 'is not a field of offer; the fields are title, body, url, imageUrl and coupon'
      : 'offer must be an object: { "title", "body"?, "url"?, "imageUrl"?, "coupon"? }',
);
export type CampaignOffer = v.InferOutput<typeof CampaignOfferSchema>;

const holdoutPercent = v.pipe(
  v.number('holdoutPercent must be a number from 0 to 90'),
  v.finite('holdoutPercent must be a number from 0 to 90'),
  v.minValue(0, 'holdoutPercent must be from 0 to 90 (the share of the audience kept as control)'),
  v.maxValue(L.maxHoldoutPercent, 'holdoutPercent must be from 0 to 90: a campaign needs a treatment group'),
);
const windowDays = v.pipe(
  v.number('windowDays must be a number of days from 1 to 90'),
  v.finite('windowDays must be a number of days from 1 to 90'),
  v.minValue(1, 'windowDays must be from 1 to 90 days'),
  v.maxValue(L.maxWindowDays, 'windowDays must be from 1 to 90 days'),
);

/** `PUT /v1/admin/campaigns/:id` */
export const CampaignBodySchema = v.pipe(
  v.strictObject(
    {
      name: v.pipe(text('name', L.maxNameLength), v.minLength(1, 'name is required')),
      audienceId: resourceId('audienceId'),
      holdoutPercent: v.optional(holdoutPercent, CAMPAIGN_DEFAULTS.holdoutPercent),
      goal: CampaignGoalSchema,
      windowDays: v.optional(windowDays, CAMPAIGN_DEFAULTS.windowDays),
      startsAt: v.optional(instant('startsAt')),
      endsAt: v.optional(instant('endsAt')),
      costPerContact: v.optional(
        v.pipe(v.number('costPerContact must be a number'), v.finite('costPerContact must be a number'), v.minValue(0, 'costPerContact must not be negative')),
      ),
      offer: v.optional(v.nullable(CampaignOfferSchema)),
      destinations: v.optional(
        v.pipe(
          v.array(resourceId('each destination id'), 'destinations must be an array of destination ids'),
          v.maxLength(L.maxDestinations, `destinations holds at most ${L.maxDestinations} ids`),
        ),
        [],
      ),
      /** Names the site (as in the audiences API). */
      writeKey: v.optional(v.pipe(v.string('writeKey must be a string'), v.regex(/^[\w.-]{1,128}$/, 'writeKey is 1–128 letters, digits, "_", "-" or "."'))),
    },
    (issue) =>
      issue.expected === 'never'
        ? 'is not a field; the fields are name, audienceId, holdoutPercent, goal, windowDays, startsAt, endsAt, costPerContact, offer, destinations and writeKey'
        : issue.expected?.startsWith('"')
          ? 'is required'
          : 'the body must be a JSON object: { "name", "audienceId", "goal": { "event" }, … }',
  ),
  v.forward(
    v.check((body) => !body.startsAt || !body.endsAt || Date.parse(body.endsAt) > Date.parse(body.startsAt), 'endsAt must be after startsAt'),
    ['endsAt'],
  ),
);
export type CampaignBody = v.InferOutput<typeof CampaignBodySchema>;

/** The first issue of a campaign body, as "path: message" for a 400. */
export function describeCampaignIssue(issues: readonly v.BaseIssue<unknown>[]): string {
  const issue = issues[0];
  if (!issue) return 'invalid campaign';
  const path = v.getDotPath(issue);
  return path ? `${path}: ${issue.message}` : issue.message;
}

export type CampaignStatus = 'scheduled' | 'running' | 'ended';

/** What a profile host keeps of a campaign (replicated from the admin API). */
export interface CampaignDefinition {
  id: string;
  name: string;
  audienceId: string;
  holdoutPercent: number;
  goal: CampaignGoal;
  windowDays: number;
  /** ISO; when members start to be assigned. */
  startsAt: string;
  endsAt?: string;
  costPerContact?: number;
  offer?: CampaignOffer;
  destinations: string[];
  /**
   * The currency its amounts count in: the site's when the campaign was saved, kept once it has started, so a
   * change of settings.currency mid-campaign does not mix units. Absent on campaigns saved before it was kept.
   */
  currency?: string;
}

/** A campaign as the admin API shows it. */
export interface CampaignView extends CampaignDefinition {
  writeKey: string;
  status: CampaignStatus;
  createdAt: string;
  updatedAt: string;
}

/** The `offer` of the `offer` slot: for a treatment member of a running campaign only. */
export interface OfferView {
  campaignId: string;
  title: string;
  body?: string;
  url?: string;
  imageUrl?: string;
  coupon?: string;
}

/** `GET /v1/recommendations?slot=offer` */
export interface OfferResponse {
  slot: 'offer';
  items: [];
  offer: OfferView | null;
}

/** How treatment members were contacted, and what they did with the offer. */
export interface CampaignExposure {
  /** Treatment members handed to at least one of the campaign's destinations. */
  delivered: number;
  /** Treatment members the offer slot answered with the offer at least once. */
  offerServed: number;
  /** Treatment members with an `Offer Viewed` of this campaign. */
  offerViewed: number;
  /** Treatment members with an `Offer Clicked` of this campaign. */
  offerClicked: number;
  /**
   * Control members who were contacted all the same (a delivery or an offer
   * view): as treatment under another profile of theirs, assigned later and
   * merged into theirs. They count in control, with their events.
   */
  controlContacted: number;
}

/** One day of the report's timeline: members assigned and converted by the end of that day (UTC), cumulative. */
export interface CampaignDay {
  day: string;
  treatment: { members: number; converted: number; conversionRate: number | null };
  control: { members: number; converted: number; conversionRate: number | null };
  /** Treatment minus control, with the fixed-horizon interval and the always-valid one, as read that day. */
  absolute: number | null;
  ci95: Interval | null;
  sequentialCi95: Interval | null;
}

/** The statistical figures of a campaign report, from the two groups' running totals (collector/src/experiments/measure-campaign.ts). */
export interface CampaignFigures {
  groups: { treatment: GroupFigures; control: GroupFigures };
  lift: { conversionRate: ExperimentLift; revenuePerMember: ExperimentLift };
  cuped: { revenuePerMember: CupedLift };
  sequential: { conversionRate: ExperimentLift };
  /** From the plain revenue lift, so incremental revenue equals a difference of stored order totals. */
  roi: Roi;
  /** More members needed (fixed-horizon tests and the always-valid interval), null with no difference to size for. */
  membersNeeded: { conversionRate: MembersNeeded | null; revenuePerMember: MembersNeeded | null; sequentialConversionRate: MembersNeeded | null };
}

/** `GET /v1/admin/campaigns/:id/report` (contract section 8, with the figures a marketer reads next to them). */
export interface CampaignReport extends CampaignFigures {
  campaignId: string;
  name: string;
  status: CampaignStatus;
  startedAt: string | null;
  endsAt: string | null;
  windowDays: number;
  /** The plain-language answer: the fixed-horizon one, and the one that may be read every day. */
  verdict: { conversionRate: Verdict; revenuePerMember: Verdict; sequential: Verdict };
  exposure: CampaignExposure;
  /** Members whose window has closed: their figures are final. */
  matured: { treatment: number; control: number };
  /** Audience members the site-wide holdout kept out of the campaign (settings.globalHoldoutPercent). */
  globalHoldout: number;
  /** The campaign's currency (the site's when it was saved, kept from its start): every amount is in it. */
  currency: string;
  /** Orders inside members' windows left out of revenue because they are in another currency, per group. */
  otherCurrencyOrders: { treatment: number; control: number };
  /**
   * Cumulative conversion per group and the lift's intervals, day by day from the start up to today, or for an
   * ended campaign up to its end plus one window (at most the last 120 of those days).
   */
  timeline: CampaignDay[];
  /** Other running campaigns on the same audience: each assigns independently, so a member may be treated by another. */
  overlapping: string[];
  methods: ExperimentMethods & { attribution: string; globalHoldout: string };
}
