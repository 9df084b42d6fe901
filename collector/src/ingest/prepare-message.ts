/**
 * One raw message in, one stored message (or a reason) out: structural checks,
 * size limit, schema validation, consent, then normalisation and enrichment.
 * Pure: everything it needs from the request arrives in `RequestFacts`.
 */
import { MAX_MESSAGE_BYTES, type DropReason, type Geo, type MessageType, type StoredMessage } from '@trailmark/schema';
import { parseMessage } from '@trailmark/schema/message-schema';
import { campaignFromPage } from '../enrich/campaign';
import { correctedTimes } from '../enrich/clock';
import { deviceFromUserAgent } from '../enrich/device';
import { contentDigest } from '../lib/hash';
import { inspectJson } from './inspect-json';

export interface RequestFacts {
  receivedAtMs: number;
  /** `receivedAtMs` as an ISO string, formatted once per request. */
  receivedAt: string;
  geo: Geo;
  /**
   * The request's User-Agent when the request came from a browser (it has an
   * Origin or Sec-Fetch headers), used when a message carries none. A backend
   * library's own user agent says nothing about the shopper.
   */
  browserUserAgent: string | undefined;
  /** Batch-level `sentAt` (body or SentAt header), for messages without their own. */
  sentAt: string | undefined;
  /** Batch-level context, under each message's own. */
  context: Record<string, unknown> | undefined;
  requireConsent: boolean;
  /** The site the request is authenticated for. */
  writeKey: string;
  /** `writeKey` in the body, which every message of the batch claims unless it names its own. */
  bodyWriteKey: string | undefined;
  /** The type implied by the path (/v1/track …), for bodies that leave `type` out. */
  pathType: MessageType | undefined;
  /** At least the size of the whole request body in bytes: within the message limit, no message can exceed it. */
  requestBytes: number;
  /** The body's text passed `plainJsonText`: its messages' strings and keys need no inspection. */
  plainText?: boolean;
}

export type Prepared =
  { outcome: 'accepted'; message: StoredMessage } | { outcome: 'rejected'; reason: string; messageId?: string } | { outcome: 'dropped'; reason: DropReason };

export function prepareMessage(raw: unknown, facts: RequestFacts): Prepared {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { outcome: 'rejected', reason: 'a message must be a JSON object' };
  }
  const input = raw as Record<string, unknown>;
  const claimedId = typeof input.messageId === 'string' ? input.messageId.slice(0, 256) : undefined;

  const problem = inspectJson(input, facts.plainText);
  if (problem) return { outcome: 'rejected', reason: problem, messageId: claimedId };

  const otherSite = otherSiteNamed(input.writeKey ?? facts.bodyWriteKey, facts.writeKey);
  if (otherSite !== undefined) {
    return {
      outcome: 'rejected',
      reason: `writeKey "${otherSite.slice(0, 64)}" names another site than the one this request is sent to ("${facts.writeKey.slice(0, 64)}"): send each site's messages with its own write key`,
      messageId: claimedId,
    };
  }

  if (facts.requestBytes > MAX_MESSAGE_BYTES) {
    const text = JSON.stringify(input);
    const bytes = text.length * 3 <= MAX_MESSAGE_BYTES ? text.length : new TextEncoder().encode(text).byteLength;
    if (bytes > MAX_MESSAGE_BYTES) {
      return {
        outcome: 'rejected',
        reason: `the message is ${Math.ceil(bytes / 1024)} KB; the limit is ${MAX_MESSAGE_BYTES / 1024} KB`,
        messageId: claimedId,
      };
    }
  }

  const typed = input.type === undefined && facts.pathType ? { ...input, type: facts.pathType } : input;
  const parsed = parseMessage(typed);
  if (!parsed.ok) return { outcome: 'rejected', reason: parsed.reason, messageId: claimedId };
  const message = parsed.message;

  const context = contextOf(facts.context, message.context);
  if (facts.requireConsent && !consentGranted(context.consent)) return { outcome: 'dropped', reason: 'consent_missing' };
  context.campaign ??= campaignFromPage(context.page);

  const { device, bot } = deviceFromUserAgent(typeof context.userAgent === 'string' && context.userAgent ? context.userAgent : facts.browserUserAgent);
  const times = correctedTimes(message.timestamp ?? message.originalTimestamp, message.sentAt ?? facts.sentAt, facts.receivedAtMs);
  context.geo = facts.geo;
  context.device = device;
  context.bot = bot;

  // Completed by assignment: the rest copy and the validator's context are this function's own objects. In
  // V8, an object literal that spreads a parsed message and adds keys costs microseconds per key, per message.
  const { writeKey: _writeKey, originalTimestamp: _original, ...fields } = message as typeof message & { writeKey?: unknown };
  const stored = Object.assign(
    fields,
    // Without an id from the sender, one derived from the content keeps a retried message idempotent.
    { messageId: message.messageId ?? `auto-${contentDigest(JSON.stringify(input))}`, receivedAt: facts.receivedAt },
    times,
    { context: context as StoredMessage['context'] },
  ) as StoredMessage;
  return { outcome: 'accepted', message: stored };
}

/**
 * The message's context over the batch's, without the IP address (never
 * stored). The message's own context is the validator's fresh object, kept
 * and completed; the copies (a batch-level context, an address to drop) are
 * the rare case.
 */
function contextOf(batch: Record<string, unknown> | undefined, own: Record<string, unknown> | undefined): Record<string, unknown> {
  const merged = batch ? { ...batch, ...own } : (own ?? {});
  if (!Object.hasOwn(merged, 'ip')) return merged;
  const { ip: _ip, ...context } = merged;
  return context;
}

/** The write key a message claims, when it is not the request's: storing it here would put site B's data in site A. */
function otherSiteNamed(claimed: unknown, writeKey: string): string | undefined {
  if (claimed === undefined || claimed === null || claimed === '') return undefined;
  const named = String(claimed).trim();
  return named === writeKey ? undefined : named;
}

/** Our tag sends `{status: 'granted'}`; Segment's consent sends category preferences. */
function consentGranted(consent: unknown): boolean {
  if (typeof consent !== 'object' || consent === null) return false;
  const { status, categoryPreferences } = consent as { status?: unknown; categoryPreferences?: unknown };
  if (status === 'granted') return true;
  if (typeof categoryPreferences !== 'object' || categoryPreferences === null) return false;
  return Object.entries(categoryPreferences).some(([category, granted]) => granted === true && /analytic|statistic|measurement|performance/i.test(category));
}
