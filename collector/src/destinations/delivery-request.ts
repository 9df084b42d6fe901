/**
 * The HTTP request one delivery attempt makes, by destination kind.
 *
 * webhook: POST to the URL itself, the payload as JSON, signed per Standard
 * Webhooks (signing.ts) with the attempt's own `webhook-timestamp`.
 *
 * segment: what Segment's computed audiences send, shaped like the calls
 * `@segment/analytics-node` makes (the same headers, the same message
 * fields), to `<url>/v1/identify`: `traits: { "<audience id>": true }` on
 * entering, `false` on leaving, the person as userId and/or anonymousId.
 * A campaign entry is a `track` of "Campaign Entered" to `<url>/v1/track`.
 * The messageId is the webhook-id, so a receiver that deduplicates (Segment,
 * RudderStack, Trailmark) stores a retried call once.
 */
import type { WebhookPayload } from '@trailmark/schema';
import { signatureHeader } from './signing';

export const USER_AGENT = 'Trailmark-Destinations/1.0';
export const LIBRARY = { name: 'trailmark-destinations', version: '1.0.0' };

export interface DeliveryTarget {
  kind: 'webhook' | 'segment';
  url: string;
  /** segment: the write key sent as the Basic user name. */
  segmentWriteKey?: string;
  /** webhook: the secrets that sign (the current one, and the previous one during a rotation). */
  secrets: string[];
}

export interface OutgoingRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** A delivery that can never succeed as it is (no id to send to Segment): dead at once, with this reason. */
export class PermanentFailure extends Error {}

export async function buildRequest(target: DeliveryTarget, webhookId: string, payload: WebhookPayload, now: number): Promise<OutgoingRequest> {
  return target.kind === 'segment' ? segmentRequest(target, webhookId, payload, now) : webhookRequest(target, webhookId, payload, now);
}

async function webhookRequest(target: DeliveryTarget, webhookId: string, payload: WebhookPayload, now: number): Promise<OutgoingRequest> {
  const body = JSON.stringify(payload);
  const timestamp = Math.floor(now / 1000);
  return {
    url: target.url,
    headers: {
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      'webhook-id': webhookId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': await signatureHeader(target.secrets, webhookId, timestamp, body),
    },
    body,
  };
}

function segmentRequest(target: DeliveryTarget, webhookId: string, payload: WebhookPayload, now: number): OutgoingRequest {
  const { profile, audience, campaign } = payload.data;
  const ids: { userId?: string; anonymousId?: string } = {};
  if (profile.userId) ids.userId = profile.userId;
  if (profile.anonymousIds[0]) ids.anonymousId = profile.anonymousIds[0];
  if (!ids.userId && !ids.anonymousId) throw new PermanentFailure('the profile has neither a userId nor an anonymousId to send to Segment');
  const writeKey = target.segmentWriteKey ?? '';
  const common = {
    ...ids,
    messageId: webhookId,
    timestamp: payload.timestamp,
    context: { library: LIBRARY },
    integrations: {},
    writeKey,
    sentAt: new Date(now).toISOString(),
  };
  const base = target.url.replace(/\/+$/, '');
  const call =
    payload.type === 'campaign.entered'
      ? {
          path: '/v1/track',
          message: {
            type: 'track',
            event: 'Campaign Entered',
            properties: { ...campaign, campaign_id: campaign?.id, audience_id: audience.id, audience_name: audience.name },
          },
        }
      : { path: '/v1/identify', message: { type: 'identify', traits: { [audience.id]: payload.type === 'audience.entered' } } };
  return {
    url: `${base}${call.path}`,
    headers: {
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      authorization: `Basic ${btoa(`${writeKey}:`)}`,
    },
    body: JSON.stringify({ ...call.message, ...common }),
  };
}
