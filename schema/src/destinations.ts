/**
 * Destinations: where audience and campaign changes are delivered (signed
 * webhooks, or Segment `identify` calls). The admin API's request bodies,
 * the producer's change records and the payload a receiver gets are defined
 * here once and used at every edge.
 */
import * as v from 'valibot';

export const DESTINATION_KINDS = ['webhook', 'segment'] as const;
export type DestinationKind = (typeof DESTINATION_KINDS)[number];

export const CHANGE_TYPES = ['audience.entered', 'audience.exited', 'campaign.entered'] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

/** Destination, audience and campaign ids: what fits in a URL path segment unescaped. */
export const RESOURCE_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const resourceId = (what: string) =>
  v.pipe(v.string(`${what} must be a string`), v.regex(RESOURCE_ID, `${what} is 1–128 letters, digits, "_", "-", "." or ":"`));

export const MAX_DESTINATION_AUDIENCES = 200;

/** The message of a strict object's own issues: an unknown field, a missing one, or not an object at all. */
function objectIssue(expected: string | null, fields: string): string {
  if (expected === 'never') return `is not a field; ${fields}`;
  if (expected?.startsWith('"')) return 'is required';
  return `the body must be a JSON object; ${fields}`;
}
export const MAX_URL_LENGTH = 2048;

/** `PUT /v1/admin/destinations/:id` */
export const DestinationBodySchema = v.strictObject(
  {
    url: v.pipe(
      v.string('url must be a string'),
      v.minLength(1, 'url is required'),
      v.maxLength(MAX_URL_LENGTH, `url is at most ${MAX_URL_LENGTH} characters`),
    ),
    audiences: v.pipe(
      v.array(resourceId('each audience id'), 'audiences must be an array of audience ids'),
      v.maxLength(MAX_DESTINATION_AUDIENCES, `audiences holds at most ${MAX_DESTINATION_AUDIENCES} ids`),
    ),
    kind: v.optional(v.picklist(DESTINATION_KINDS, 'kind must be "webhook" or "segment"')),
    /** segment: the write key sent as the Basic user name. webhook: may name the site (as in the audiences API). */
    writeKey: v.optional(v.pipe(v.string('writeKey must be a string'), v.regex(/^[\w.-]{1,128}$/, 'writeKey is 1–128 letters, digits, "_", "-" or "."'))),
    /** A new signing secret; the old one keeps signing next to it for a day (see the README). */
    rotateSecret: v.optional(v.boolean('rotateSecret must be true or false')),
  },
  (issue) => objectIssue(issue.expected, 'the fields are url, audiences, kind, writeKey and rotateSecret'),
);
export type DestinationBody = v.InferOutput<typeof DestinationBodySchema>;

/** `POST /v1/admin/destinations/:id/replay` (body optional): every dead delivery, or those named. */
export const ReplayBodySchema = v.strictObject(
  { webhookIds: v.optional(v.pipe(v.array(v.pipe(v.string(), v.regex(/^msg_[A-Za-z0-9]{1,64}$/, 'a webhook-id like msg_…'))), v.maxLength(1000))) },
  (issue) => objectIssue(issue.expected, 'the only field is webhookIds'),
);

/** What a destination receives about a person: enough to act on, nothing internal. */
export const DeliveredProfileSchema = v.looseObject({
  profileId: v.pipe(v.string(), v.minLength(1)),
  userId: v.optional(v.nullable(v.string())),
  anonymousIds: v.array(v.string()),
  traits: v.record(v.string(), v.unknown()),
  region: v.looseObject({ country: v.optional(v.string()), region: v.optional(v.string()), city: v.optional(v.string()) }),
  lifecycle: v.string(),
});
export type DeliveredProfile = v.InferOutput<typeof DeliveredProfileSchema>;

export const ChangeDataSchema = v.looseObject({
  audience: v.looseObject({ id: v.string(), name: v.string() }),
  profile: DeliveredProfileSchema,
  campaign: v.optional(v.looseObject({ id: v.string() })),
});
export type ChangeData = v.InferOutput<typeof ChangeDataSchema>;

/**
 * One change the audience or campaign engine hands to the destinations
 * (collector/src/destinations/producer.ts). `key` is stable for the change
 * (e.g. `${audienceId}:${profileId}:entered:${enteredAt}`): enqueuing the
 * same key twice delivers once.
 */
export const DestinationChangeSchema = v.object({
  key: v.pipe(v.string(), v.minLength(1), v.maxLength(512)),
  type: v.picklist(CHANGE_TYPES),
  timestamp: v.pipe(v.string(), v.isoTimestamp()),
  /** The destinations to deliver to; left out: every destination of the site subscribed to `data.audience.id`. */
  destinations: v.optional(v.array(resourceId('destination id'))),
  data: ChangeDataSchema,
});
export type DestinationChange = v.InferOutput<typeof DestinationChangeSchema>;

/** The body of a webhook delivery. */
export interface WebhookPayload {
  type: ChangeType;
  /** When the change happened (not when this attempt was made: that is `webhook-timestamp`). */
  timestamp: string;
  data: ChangeData;
  /** Present on the deliveries of `POST …/test` only. */
  test?: true;
}

/** A destination as the admin API shows it: never a secret. */
export interface DestinationView {
  id: string;
  /** The site whose audiences it receives. */
  site: string;
  kind: DestinationKind;
  url: string;
  audiences: string[];
  /** segment: whether a write key to send is set (the key itself is never shown). */
  writeKeySet?: boolean;
  createdAt: string;
  updatedAt: string;
  /** When the signing secret last changed, and until when the previous one still signs too. */
  secretCreatedAt?: string;
  previousSecretUntil?: string | null;
}

export interface DestinationStatus {
  pending: number;
  dead: number;
  delivered: number;
  lastAttemptAt: string | null;
  pausedUntil: string | null;
}

/** One attempt in `GET /v1/admin/destinations/:id/deliveries`. */
export interface DeliveryAttempt {
  id: number;
  webhookId: string;
  type: ChangeType;
  attempt: number;
  at: string;
  /** HTTP status of the answer; null when none came (timeout, refused address, network error). */
  status: number | null;
  durationMs: number;
  error: string | null;
  /** delivered; failed (will be retried at nextAttemptAt); dead (retry window over; replayable). */
  outcome: 'delivered' | 'failed' | 'dead';
  nextAttemptAt: string | null;
}
