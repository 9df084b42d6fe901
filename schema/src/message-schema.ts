/**
 * The runtime validator of `messages.ts`, used by the collector. The tag never
 * imports this file: it only needs the types.
 *
 * Lenient where real clients differ (Segment, RudderStack): ids may be numbers,
 * a `userId` of null or "" counts as absent, `timestamp` falls back to
 * `originalTimestamp`, unknown top-level keys are kept.
 */
import * as v from 'valibot';
import { parseCommonShape } from './common-shapes';
import { parseEcommerceProperties } from './ecommerce-schema';
import type { Message } from './messages';

const MAX_ID_LENGTH = 256;
const MAX_NAME_LENGTH = 512;

const isDateString = (s: string) => !Number.isNaN(Date.parse(s));

/** A required id: a non-empty string, or a finite number taken as its decimal string. */
const requiredId = (label: string) =>
  v.pipe(
    v.union([v.string(), v.pipe(v.number(), v.finite())], `${label} must be a string`),
    v.transform((x) => String(x).trim()),
    v.minLength(1, `${label} must not be empty`),
    v.maxLength(MAX_ID_LENGTH, `${label} is longer than ${MAX_ID_LENGTH} characters`),
  );

/**
 * The one normalisation of a person's id (anonymousId, userId), for valid
 * and rejected messages alike, so an erasure finds both: a string is
 * trimmed, a finite number becomes its decimal string, and null, "" or
 * anything else is absent.
 */
export function normalizeId(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** An optional id where null and "" mean "absent", as several clients send them. */
const optionalId = (label: string) =>
  v.pipe(
    v.nullish(v.union([v.string(), v.pipe(v.number(), v.finite())], `${label} must be a string`)),
    v.transform((x: string | number | null | undefined) => normalizeId(x)),
    v.check((x) => x === undefined || x.length <= MAX_ID_LENGTH, `${label} is longer than ${MAX_ID_LENGTH} characters`),
  );

const isoDate = (label: string) => v.optional(v.pipe(v.string(`${label} must be an ISO 8601 string`), v.check(isDateString, `${label} is not a valid date`)));

/** Optional free text where null means absent. */
const optionalText = (label: string) =>
  v.pipe(
    v.nullish(v.string(`${label} must be a string`)),
    v.transform((x) => x ?? undefined),
  );

// Not v.record: it would quietly turn an array into an object.
const jsonObject = (label: string) =>
  v.optional(v.custom<Record<string, unknown>>((x) => typeof x === 'object' && x !== null && !Array.isArray(x), `${label} must be an object`));

const contextSchema = v.optional(
  v.looseObject(
    {
      userAgent: v.optional(v.string('context.userAgent must be a string')),
      page: jsonObject('context.page'),
      sessionId: optionalId('context.sessionId'),
    },
    'context must be an object',
  ),
);

const common = {
  messageId: optionalId('messageId'),
  anonymousId: optionalId('anonymousId'),
  userId: optionalId('userId'),
  timestamp: isoDate('timestamp'),
  originalTimestamp: isoDate('originalTimestamp'),
  sentAt: isoDate('sentAt'),
  context: contextSchema,
  integrations: jsonObject('integrations'),
};

const trackSchema = v.looseObject({
  ...common,
  type: v.literal('track'),
  event: v.pipe(
    v.string('event must be a string'),
    v.trim(),
    v.minLength(1, 'event must not be empty'),
    v.maxLength(MAX_NAME_LENGTH, `event is longer than ${MAX_NAME_LENGTH} characters`),
  ),
  properties: jsonObject('properties'),
});

const pageSchema = v.looseObject({
  ...common,
  type: v.picklist(['page', 'screen']),
  name: optionalText('name'),
  category: optionalText('category'),
  properties: jsonObject('properties'),
});

const identifySchema = v.looseObject({
  ...common,
  type: v.literal('identify'),
  traits: jsonObject('traits'),
});

const groupSchema = v.looseObject({
  ...common,
  type: v.literal('group'),
  groupId: requiredId('groupId'),
  traits: jsonObject('traits'),
});

const aliasSchema = v.looseObject({
  ...common,
  type: v.literal('alias'),
  previousId: requiredId('previousId'),
});

export const messageSchema = v.pipe(
  v.variant(
    'type',
    [trackSchema, pageSchema, identifySchema, groupSchema, aliasSchema],
    (issue) => `unknown type ${JSON.stringify(issue.input)}: use one of track, page, screen, identify, group, alias`,
  ),
  v.check((m) => m.anonymousId !== undefined || m.userId !== undefined, 'needs an anonymousId or a userId'),
  v.check((m) => m.type !== 'alias' || m.userId !== undefined, 'alias needs a userId (the new id) and a previousId'),
);

export type ParsedMessage = v.InferOutput<typeof messageSchema>;

/** Validates one message; the reason names the field and says what would be accepted. */
export function parseMessage(input: unknown): { ok: true; message: ParsedMessage } | { ok: false; reason: string } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, reason: 'a message must be a JSON object' };
  }
  if (!('type' in input) || typeof (input as { type: unknown }).type !== 'string') {
    return { ok: false, reason: 'type is missing: use one of track, page, screen, identify, group, alias' };
  }
  // Most messages have a common shape, checked by hand to the same answer at a fraction of the cost.
  const common = parseCommonShape(input as Record<string, unknown>);
  if (common) return { ok: true, message: common };
  return parseWithSchema(input);
}

/** `parseMessage` by the schema alone: the definition common-shapes.ts must agree with. */
export function parseWithSchema(input: unknown): { ok: true; message: ParsedMessage } | { ok: false; reason: string } {
  const result = v.safeParse(messageSchema, input);
  if (result.success) {
    const message = result.output;
    if (message.type !== 'track') return { ok: true, message };
    const ecommerce = parseEcommerceProperties(message.event, message.properties);
    if (!ecommerce.ok) return { ok: false, reason: ecommerce.reason };
    return { ok: true, message: ecommerce.properties === message.properties ? message : { ...message, properties: ecommerce.properties } };
  }
  const issue = result.issues[0];
  const path = v.getDotPath(issue);
  const field = path && !issue.message.startsWith(path) ? `${path}: ` : '';
  return { ok: false, reason: field + issue.message };
}

// Compile-time guard: the validator's output must be a Message (with the
// ids the collector fills in left optional), and every Message the SDK builds
// must pass the validator's input type. If the two drift, this stops compiling.
type WithOptionalFill<M> = M extends unknown ? Omit<M, 'messageId'> & { messageId?: string } : never;
type KnownKeys<T> = T extends unknown ? { [K in keyof T as string extends K ? never : K]: T[K] } : never;
type Assert<T extends true> = T;
export type _OutputIsMessage = Assert<ParsedMessage extends WithOptionalFill<Message> ? true : false>;
export type _MessageIsInput = Assert<Message extends KnownKeys<v.InferInput<typeof messageSchema>> ? true : false>;
