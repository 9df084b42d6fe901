/**
 * Sends simulated visits through the collector's public ingest API, the way
 * the tag would: `POST /v1/batch` as text/plain (no CORS preflight), a few
 * messages per request, the visit's browser in User-Agent and its region in
 * the X-Geo-* headers (honoured by the collector in local development only).
 *
 * A shopper's visits go out one request after another, in order, as one
 * browser would send them; different shoppers go in parallel, up to
 * `concurrency` at a time. 429 and 503 are retried after Retry-After, other
 * 5xx and network errors with exponential backoff and jitter; since the
 * collector stores each messageId once, a retry never double-counts.
 */
import { ACK_HEADER, MAX_BATCH_MESSAGES } from '@trailmark/schema';
import { Random } from './random';
import type { Visit } from './shoppers';

export interface SendOptions {
  /** The collector's base URL, e.g. http://localhost:8787. */
  url: string;
  writeKey: string;
  /** Visits grouped by shopper (as the simulator yields them); sync or async. */
  visits: Iterable<Visit> | AsyncIterable<Visit>;
  /** Shoppers sending at the same time. */
  concurrency?: number;
  /** Most messages per request (the tag flushes every few events; sizes vary between 2 and this). */
  maxBatch?: number;
  /** Attempts per request before giving up. */
  attempts?: number;
  /** Longest wait between attempts, whatever Retry-After says. */
  maxRetryDelayMs?: number;
  onProgress?: (progress: SendProgress) => void;
  signal?: AbortSignal;
  /** For tests: a fetch to use instead of the global one. */
  fetch?: typeof fetch;
}

export interface SendProgress {
  shoppers: number;
  visits: number;
  /** Messages the collector accepted. */
  events: number;
  /** Messages it refused (invalid); the simulator should never produce one. */
  rejected: number;
  requests: number;
  retries: number;
  elapsedMs: number;
}

export interface SendSummary extends SendProgress {
  eventsPerSecond: number;
  /** Visits per "Country / Region". */
  regions: Record<string, number>;
  /** The first few reasons the collector gave for refused messages. */
  rejectedReasons: string[];
  /**
   * Each browser's (anonymousId's) newest ack token, from the answer to its
   * last batch: what the tag keeps and passes with its recommendation
   * requests (README, "Recommendations"). A shopper's batches go one after
   * another, so the last answer is the newest.
   */
  acks: Map<string, string>;
}

/** A failure the caller should show as is: it says what went wrong and what to do. */
export class SendError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'SendError';
  }
}

const DEFAULT_CONCURRENCY = 8;
const DEFAULT_MAX_BATCH = 20;
const DEFAULT_ATTEMPTS = 8;

export async function sendVisits(options: SendOptions): Promise<SendSummary> {
  const base = normaliseUrl(options.url);
  const doFetch = options.fetch ?? fetch;
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
  const maxBatch = Math.min(MAX_BATCH_MESSAGES, Math.max(1, options.maxBatch ?? DEFAULT_MAX_BATCH));
  const attempts = Math.max(1, options.attempts ?? DEFAULT_ATTEMPTS);
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
  const started = performance.now();
  const progress: SendProgress = { shoppers: 0, visits: 0, events: 0, rejected: 0, requests: 0, retries: 0, elapsedMs: 0 };
  const regions: Record<string, number> = {};
  const rejectedReasons: string[] = [];
  const acks = new Map<string, string>();
  const stop = new AbortController();
  const onOuterAbort = () => stop.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });

  const next = serialised(groupByShopper(options.visits));

  async function postBatch(visit: Visit, batch: Visit['messages']): Promise<void> {
    const headers: Record<string, string> = {
      'content-type': 'text/plain;charset=UTF-8',
      'user-agent': visit.userAgent,
      'x-geo-country': headerSafe(visit.geo.country),
      'x-geo-region': headerSafe(visit.geo.region),
      'x-geo-city': headerSafe(visit.geo.city),
    };
    for (let attempt = 1; ; attempt++) {
      if (stop.signal.aborted) throw stop.signal.reason ?? new SendError('stopped');
      // sentAt is the moment of sending, so the collector's clock-skew correction keeps the event times.
      const body = JSON.stringify({ writeKey: options.writeKey, sentAt: new Date().toISOString(), batch });
      let response: Response;
      // A signal per request: fetch keeps a listener on its signal until the request is collected,
      // and thousands of requests on one shared signal would pile them up.
      const request = new AbortController();
      const relayAbort = () => request.abort(stop.signal.reason);
      stop.signal.addEventListener('abort', relayAbort, { once: true });
      try {
        response = await doFetch(`${base}/v1/batch`, { method: 'POST', headers, body, signal: request.signal });
      } catch (err) {
        if (stop.signal.aborted) throw stop.signal.reason ?? err;
        if (attempt >= attempts) throw networkError(base, err);
        progress.retries++;
        await sleep(backoff(attempt, maxRetryDelayMs), stop.signal);
        continue;
      } finally {
        stop.signal.removeEventListener('abort', relayAbort);
      }
      progress.requests++;
      if (response.ok) {
        const result = (await response.json().catch(() => ({}))) as { accepted?: number; rejected?: { reason?: string }[] };
        const anonymousId = batch[0]?.anonymousId;
        const ack = response.headers.get(ACK_HEADER);
        if (ack && typeof anonymousId === 'string') acks.set(anonymousId, ack);
        const rejected = Array.isArray(result.rejected) ? result.rejected : [];
        progress.events += typeof result.accepted === 'number' ? result.accepted : batch.length - rejected.length;
        progress.rejected += rejected.length;
        for (const r of rejected) if (rejectedReasons.length < 5) rejectedReasons.push(String(r.reason));
        return;
      }
      const text = await response.text().catch(() => '');
      const retryable = response.status === 429 || response.status >= 500;
      if (!retryable || attempt >= attempts) throw ingestError(response.status, text, options.writeKey, attempt);
      progress.retries++;
      await sleep(retryDelay(response, attempt, maxRetryDelayMs), stop.signal);
    }
  }

  async function sendShopper(visits: Visit[]): Promise<void> {
    for (const visit of visits) {
      for (const batch of batches(visit, maxBatch)) await postBatch(visit, batch);
      progress.visits++;
      const region = `${visit.geo.country} / ${visit.geo.region}`;
      regions[region] = (regions[region] ?? 0) + 1;
    }
    progress.shoppers++;
    progress.elapsedMs = performance.now() - started;
    options.onProgress?.({ ...progress });
  }

  async function worker(): Promise<void> {
    for (;;) {
      const group = await next();
      if (!group) return;
      await sendShopper(group);
    }
  }

  try {
    const workers = Array.from({ length: concurrency }, () => worker());
    // The first failure stops the others (no point sending to a collector that refuses the write key).
    await Promise.all(
      workers.map((w) =>
        w.catch((err: unknown) => {
          stop.abort(err);
          throw err;
        }),
      ),
    );
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
  progress.elapsedMs = performance.now() - started;
  return {
    ...progress,
    eventsPerSecond: progress.events / Math.max(progress.elapsedMs / 1000, 0.001),
    regions,
    rejectedReasons,
    acks,
  };
}

/** Splits a visit into the requests the tag would make: a handful of messages each, never more than maxBatch. */
export function batches(visit: Visit, maxBatch: number): Visit['messages'][] {
  // Seeded by the visit, so the same visit is always split the same way.
  const random = new Random('batches', visit.messages[0]?.messageId ?? visit.shopper);
  const out: Visit['messages'][] = [];
  for (let i = 0; i < visit.messages.length;) {
    const size = Math.min(maxBatch, random.int(2, Math.max(2, maxBatch)));
    out.push(visit.messages.slice(i, i + size));
    i += size;
  }
  return out;
}

/** Consecutive visits of one shopper, together. */
async function* groupByShopper(visits: Iterable<Visit> | AsyncIterable<Visit>): AsyncGenerator<Visit[]> {
  let group: Visit[] = [];
  for await (const visit of visits) {
    if (group.length > 0 && group[0]?.shopper !== visit.shopper) {
      yield group;
      group = [];
    }
    group.push(visit);
  }
  if (group.length > 0) yield group;
}

/** Lets several workers pull from one async generator without overlapping calls. */
function serialised<T>(source: AsyncGenerator<T>): () => Promise<T | undefined> {
  let chain: Promise<unknown> = Promise.resolve();
  return () => {
    const result = chain.then(async () => {
      const { value, done } = await source.next();
      return done ? undefined : value;
    });
    chain = result.catch(() => undefined);
    return result;
  };
}

export function normaliseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SendError(`"${url}" is not a URL. Give the collector's address, e.g. --url http://localhost:8787`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new SendError(`"${url}" is not an http(s) URL. Give the collector's address, e.g. --url http://localhost:8787`);
  }
  return parsed.href.replace(/\/+$/, '');
}

/**
 * HTTP header values are bytes, and the collector (workerd) reads them as
 * UTF-8, as curl sends them from a terminal. fetch only takes Latin-1 strings
 * and would send "Île-de-France" as one byte per character, which arrives as
 * "\ufffdle-de-France"; so the UTF-8 bytes are passed one per character.
 */
export function headerSafe(value: string): string {
  return Buffer.from(value, 'utf8').toString('latin1');
}

function retryDelay(response: Response, attempt: number, max: number): number {
  const header = response.headers.get('retry-after');
  if (header) {
    const seconds = Number(header);
    const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
    if (Number.isFinite(ms) && ms >= 0) return Math.min(max, ms);
  }
  return backoff(attempt, max);
}

/** Exponential backoff with full jitter: 0.25 s, 0.5 s, 1 s … capped. */
function backoff(attempt: number, max: number): number {
  return Math.min(max, 250 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export function networkError(base: string, err: unknown): SendError {
  const code = (err as { cause?: { code?: string } })?.cause?.code;
  if (code === 'ECONNREFUSED') {
    return new SendError(`Nothing answers at ${base}. Start the collector with \`npm start\` (or give its address with --url).`);
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new SendError(`Cannot resolve the host of ${base}. Check --url.`);
  const reason = (err as { cause?: { message?: string } })?.cause?.message ?? (err as Error)?.message ?? String(err);
  return new SendError(`Could not reach ${base}: ${reason}`);
}

function ingestError(status: number, body: string, writeKey: string, attempts: number): SendError {
  const detail = serverMessage(body);
  if (status === 401) {
    return new SendError(
      `The collector does not know the write key "${writeKey}" (401). The demo site's key is demo-write-key; pass another with --write-key.`,
      status,
    );
  }
  if (status === 403) return new SendError(`The collector refused the request (403): ${detail}`, status);
  if (status === 429 || status >= 500) {
    return new SendError(`The collector kept answering ${status} after ${attempts} attempts: ${detail}`, status);
  }
  return new SendError(`The collector refused a batch (${status}): ${detail}`, status);
}

/** The `message` of the collector's JSON error, else the body as it came. */
export function serverMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown; error?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // not JSON
  }
  return body.slice(0, 300) || '(empty body)';
}
