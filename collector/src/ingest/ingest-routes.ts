/**
 * The Segment HTTP Tracking API: `/v1/batch` and the one-message paths, their
 * one-letter forms, and RudderStack's beacon path. Each request is checked
 * (write key, origin, rate, size), each message validated on its own, and the
 * accepted ones handed to an IngestShard, which makes them durable before the
 * 200 goes out.
 */
import { Hono, type Context } from 'hono';
import { ACK_HEADER, MAX_BATCH_MESSAGES, MAX_REQUEST_BYTES, type IngestResponse, type MessageType } from '@trailmark/schema';
import { normalizeId } from '@trailmark/schema/message-schema';
import type { AppEnv } from '../app-env';
import { geoFromRequest } from '../enrich/geo';
import { ApiError, badRequest } from '../http/errors';
import { readBodyText } from '../http/read-body';
import { admitSite, siteGate, type SiteGate } from '../http/site-gate';
import { contentDigest } from '../lib/hash';
import { callObject, describeError } from '../lib/object-call';
import type { Site } from '../sites/site';
import type { PendingItem } from '../storage/ingest-shard';
import { toChunks } from '../storage/pending-rows';
import { ownerKeys } from '../storage/pending-view';
import { browserShard, ingestShardCount, ingestShardName, ingestShardOf } from '../storage/ingest-shard-choice';
import { formatAck } from '../recommend/ack-token';
import { countDrop, dropAnswer, type DropCounts } from './drop-reasons';
import { refreshIdentityCookie } from './identity-cookie';
import { verifiedMessage } from '../identity/user-hash';
import { plainJsonText } from './inspect-json';
import { prepareMessage, type RequestFacts } from './prepare-message';
import { writeKeyFromBody, writeKeyFromHeaders } from './write-key';

const SINGLE_PATHS: [string, MessageType][] = [
  ['track', 'track'],
  ['t', 'track'],
  ['page', 'page'],
  ['p', 'page'],
  ['screen', 'screen'],
  ['s', 'screen'],
  ['identify', 'identify'],
  ['i', 'identify'],
  ['group', 'group'],
  ['g', 'group'],
  ['alias', 'alias'],
  ['a', 'alias'],
];

/** Rejected bodies are kept for diagnosis, cut to this many characters. */
const MAX_REJECTED_BODY_CHARS = 8192;

/**
 * Everything that can be checked before the body is read is checked first,
 * so a stranger's body (a gzip bomb, say) costs nothing to refuse: the write
 * key from the headers or query string and its site, the origin, the rate.
 * A key sent only in the body (sendBeacon) is checked once the body is read,
 * which is bounded work; its origin must at least be one some site allows.
 */
const INGEST_GATE: SiteGate = {
  writeKey: (c) => writeKeyFromHeaders(c.req.raw),
  keyMayBeInBody: true,
  missingKey: 'No write key: send it as the Basic auth user name, an X-Write-Key header, or "writeKey" in the body.',
  unknownKey: (key) => `Unknown write key "${key}": check the key in your snippet.`,
  originRefused: (origin) => `Origin ${origin.slice(0, 200)} may not send to this site; add it to the site's allowed origins.`,
  rateBucket: (writeKey) => writeKey,
};

export function ingestRoutes() {
  const app = new Hono<AppEnv>();
  const gate = siteGate(INGEST_GATE);
  for (const path of ['/v1/batch', '/v1/b', '/v1/import', '/beacon/v1/batch']) app.post(path, gate, (c) => ingest(c, undefined));
  for (const [path, type] of SINGLE_PATHS) app.post(`/v1/${path}`, gate, (c) => ingest(c, type));
  // analytics-next's own telemetry: our settings document turns it off, but older cached settings may not.
  app.post('/v1/m', (c) => c.json({ ok: true, accepted: 0, rejected: [] }));
  return app;
}

async function ingest(c: Context<AppEnv>, single: MessageType | undefined): Promise<Response> {
  const receivedAtMs = Date.now();
  const request = c.req.raw;
  // The gate has admitted the site of a key in the headers or URL; a key in the body is admitted below.
  const gated = c.get('site') as Site | undefined;

  const text = await readBodyText(request, MAX_REQUEST_BYTES);
  const body = parseBody(text);

  let messages: unknown[];
  if (single) messages = [body];
  else if (Array.isArray(body.batch)) messages = body.batch;
  else throw badRequest('No batch in the body: send {"batch": [message, …]}.', 'no_batch');

  const site = gated ?? (await admitSite(c, INGEST_GATE, writeKeyFromBody(body, messages)));
  const { writeKey } = site;
  if (messages.length > MAX_BATCH_MESSAGES) {
    throw new ApiError(413, 'too_many_messages', `The batch has ${messages.length} messages; send at most ${MAX_BATCH_MESSAGES} per request.`);
  }

  if (site.settings.honorGpc && c.req.header('sec-gpc') === '1') {
    const drops = countDrop({}, 'gpc', messages.length);
    recordDrops(c, writeKey, firstIds(messages[0]), drops);
    return c.json({ ok: true, accepted: 0, rejected: [], ...dropAnswer(drops) } satisfies IngestResponse);
  }

  const receivedAt = new Date(receivedAtMs).toISOString();
  const facts: RequestFacts = {
    receivedAtMs,
    receivedAt,
    geo: geoFromRequest(request, c.env.DEV_MODE === 'true'),
    browserUserAgent: c.req.header('origin') || c.req.header('sec-fetch-mode') ? (c.req.header('user-agent') ?? '') : undefined,
    sentAt: typeof body.sentAt === 'string' ? body.sentAt : c.req.header('sentat'),
    context: typeof body.context === 'object' && body.context !== null && !Array.isArray(body.context) ? (body.context as Record<string, unknown>) : undefined,
    requireConsent: site.settings.requireConsent,
    writeKey,
    bodyWriteKey: typeof body.writeKey === 'string' ? body.writeKey : undefined,
    pathType: single,
    // An upper bound: a UTF-16 code unit is at most three UTF-8 bytes.
    requestBytes: text.length * 3,
    // One pass over the text instead of a walk over every value of every message.
    plainText: plainJsonText(text),
  };
  const items: PendingItem[] = [];
  const rejected: IngestResponse['rejected'] = [];
  const drops: DropCounts = {};
  let shardKey: string | undefined;
  const anonymousIds = new Set<string>();
  const owners = new Set<string>();

  messages.forEach((raw, index) => {
    const prepared = prepareMessage(raw, facts);
    if (prepared.outcome === 'dropped') {
      countDrop(drops, prepared.reason);
    } else if (prepared.outcome === 'accepted') {
      const { message } = prepared;
      shardKey ??= message.anonymousId ?? message.userId;
      if (message.anonymousId) anonymousIds.add(message.anonymousId);
      for (const owner of ownerKeys(message)) owners.add(owner);
      items.push({ kind: 'event', message });
    } else {
      rejected.push({ index, ...(prepared.messageId ? { messageId: prepared.messageId } : {}), reason: prepared.reason });
      const rawText = safeStringify(raw);
      items.push({
        kind: 'rejected',
        rejected: {
          rejectionId: contentDigest(`${prepared.reason}\n${rawText}`),
          messageId: prepared.messageId,
          ...idsOf(raw),
          reason: prepared.reason,
          receivedAt,
          body: rawText.slice(0, MAX_REJECTED_BODY_CHARS),
        },
      });
    }
  });

  // A userHash is checked here, where the site's secret is, and never stored (identity/user-hash.ts).
  // Only the messages that carry one wait for the check: most batches have none.
  const withHash = items.flatMap((item, i) => (item.kind === 'event' && 'userHash' in item.message.context ? [i] : []));
  if (withHash.length > 0) {
    await Promise.all(
      withHash.map(async (i) => {
        const item = items[i]!;
        if (item.kind === 'event') items[i] = { kind: 'event', message: await verifiedMessage(item.message, site.identitySecret) };
      }),
    );
  }

  let ack: string | undefined;
  if (items.length > 0) {
    // One browser's messages always go to the same shard, so its identify and events keep their order.
    const shards = ingestShardCount(c.env);
    const shard = ingestShardOf(shardKey ?? receivedAt, shards);
    const chunks = toChunks(items);
    try {
      // Safe to repeat: a batch accepted twice is stored once (the drain applies and logs each messageId once,
      // the pending view answers it once), exactly as when the tag resends it after a lost answer.
      const seq = await callObject(
        () => c.env.INGEST_SHARD.getByName(ingestShardName(writeKey, shard)),
        (stub) => stub.accept(writeKey, chunks, [...owners]),
        { label: 'ingest shard accept' },
      );
      // The browser's token for its next recommendation requests (recommend/ack-token.ts).
      ack = formatAck({ shard, shards, seq });
    } catch (err) {
      console.error(`ingest shard unavailable: ${describeError(err)}`, err);
      throw new ApiError(503, 'unavailable', 'Storage is briefly unavailable; retry this request (it is safe to resend).', { 'Retry-After': '1' });
    }
  }

  const answer = dropAnswer(drops);
  if (answer.dropped) recordDrops(c, writeKey, shardKey ?? firstIds(messages[0]), drops);
  refreshIdentityCookie(c, site, anonymousIds);
  const accepted = items.length - rejected.length;
  if (ack) c.header(ACK_HEADER, ack);
  return c.json({ ok: true, accepted, rejected, ...answer } satisfies IngestResponse);
}

/** Counts what was dropped, for `GET /v1/admin/ingest-status`, without holding up the answer. */
function recordDrops(c: Context<AppEnv>, writeKey: string, shardKey: string | undefined, drops: DropCounts): void {
  const stub = browserShard(c.env, writeKey, shardKey ?? writeKey);
  // Not retried: the counts are added to, so a call whose answer was lost may have counted already.
  c.executionCtx.waitUntil(stub.countDrops(writeKey, drops).catch((err) => console.error('counting dropped messages failed', err)));
}

function firstIds(raw: unknown): string | undefined {
  const { anonymousId, userId } = idsOf(raw);
  return anonymousId ?? userId;
}

function parseBody(text: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message : 'parse error';
    throw badRequest(`The body is not valid JSON (${detail}); send a JSON object.`, 'invalid_json');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('The body must be a JSON object: {"batch": [...]} or a single message.', 'invalid_body');
  }
  return body as Record<string, unknown>;
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** A rejected message's ids, normalised exactly as a valid message's are (so an erasure finds both). */
function idsOf(raw: unknown): { anonymousId?: string; userId?: string } {
  if (typeof raw !== 'object' || raw === null) return {};
  const anonymousId = normalizeId((raw as { anonymousId?: unknown }).anonymousId)?.slice(0, 256);
  const userId = normalizeId((raw as { userId?: unknown }).userId)?.slice(0, 256);
  return { ...(anonymousId ? { anonymousId } : {}), ...(userId ? { userId } : {}) };
}
