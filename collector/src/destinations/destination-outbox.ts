/**
 * DestinationOutbox: one Durable Object per destination, holding its
 * configuration (signing secret included), its outbox and its delivery log
 * in its own SQLite, and delivering from an alarm.
 *
 * One object per destination is what keeps destinations apart: a slow or
 * dead receiver only ever occupies its own object's alarm, never another
 * destination's deliveries and never ingest (which never waits for
 * destinations at all). At most CONCURRENCY requests are in flight to one
 * destination; each attempt has ATTEMPT_TIMEOUT_MS; redirects are not
 * followed (a 3xx is a failed attempt that names where it pointed), so no
 * hop can lead to an address the URL check did not see; the URL, and the
 * addresses its name resolves to, are checked again before every attempt.
 *
 * `clock`, `random`, `transport` and `attemptTimeoutMs` are fields so tests
 * can drive the 24-hour schedule and a scripted receiver (runInDurableObject).
 */
import { DurableObject } from 'cloudflare:workers';
import type { DestinationChange, DestinationKind, DestinationStatus, DestinationView } from '@trailmark/schema';
import { migrate } from '../lib/migrate';
import { first } from '../lib/sql';
import { buildRequest, PermanentFailure } from './delivery-request';
import { Outbox, OUTBOX_MIGRATIONS, type AttemptResult, type ClaimedDelivery, type Outcome } from './outbox';
import { ResolverUnavailable, resolveHost } from './resolver';
import { parseRetryAfter } from './retry-schedule';
import { newSecret, webhookIdFor } from './signing';
import { checkAddresses, checkDestinationUrl } from './url-guard';

export const CONCURRENCY = 4;
export const ATTEMPT_TIMEOUT_MS = 10_000;
/** After a rotation the previous secret keeps signing next to the new one this long. */
export const SECRET_OVERLAP_MS = 24 * 3600_000;
/** One alarm run stops after this many attempts (then the next alarm goes on), so a large backlog never holds the object for long. */
const ATTEMPTS_PER_RUN = 200;
const RESPONSE_SNIPPET_BYTES = 512;

/** What the admin API says of a destination. */
interface DestinationFields {
  id: string;
  site: string;
  kind: DestinationKind;
  url: string;
  audiences: string[];
  segmentWriteKey?: string;
}

/** What the object keeps about its destination; the secrets never leave it except in the first PUT answer. */
export interface StoredDestination extends DestinationFields {
  secret: string;
  secretCreatedAt: string;
  previousSecret?: string;
  previousSecretUntil?: string;
  createdAt: string;
  updatedAt: string;
}

export interface DestinationSettings extends DestinationFields {
  rotateSecret?: boolean;
}

export interface RunSummary {
  attempted: number;
  delivered: number;
  failed: number;
  dead: number;
}

export type Transport = (request: Request) => Promise<Response>;

export class DestinationOutbox extends DurableObject<Env> {
  private readonly outbox: Outbox;
  private running: Promise<RunSummary> | null = null;
  clock: () => number = () => Date.now();
  random: () => number = Math.random;
  transport: Transport = (request) => fetch(request);
  attemptTimeoutMs = ATTEMPT_TIMEOUT_MS;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.outbox = new Outbox(ctx.storage.sql);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.transactionSync(() => migrate(ctx.storage.sql, OUTBOX_MIGRATIONS));
      // A restart mid-attempt leaves leases behind: make sure an alarm will pick them up.
      if ((await ctx.storage.getAlarm()) === null) await this.scheduleWake();
    });
  }

  /** Creates or changes the destination. The secret is in the answer only when it is new (first PUT, or a rotation). */
  configure(settings: DestinationSettings): { created: boolean; secret?: string; destination: DestinationView } {
    const now = new Date(this.clock()).toISOString();
    const existing = this.stored();
    const rotate = !existing || settings.rotateSecret === true;
    const secret = rotate ? newSecret() : existing.secret;
    const stored: StoredDestination = {
      id: settings.id,
      site: settings.site,
      kind: settings.kind,
      url: settings.url,
      audiences: settings.audiences,
      ...(settings.kind === 'segment' && (settings.segmentWriteKey ?? existing?.segmentWriteKey)
        ? { segmentWriteKey: settings.segmentWriteKey ?? existing!.segmentWriteKey }
        : {}),
      secret,
      secretCreatedAt: rotate ? now : existing.secretCreatedAt,
      ...(existing && rotate ? { previousSecret: existing.secret, previousSecretUntil: new Date(this.clock() + SECRET_OVERLAP_MS).toISOString() } : {}),
      ...(existing && !rotate && existing.previousSecret ? { previousSecret: existing.previousSecret, previousSecretUntil: existing.previousSecretUntil } : {}),
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    this.ctx.storage.sql.exec(
      'INSERT INTO config (id, destination) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET destination = excluded.destination',
      JSON.stringify(stored),
    );
    return { created: !existing, ...(rotate ? { secret } : {}), destination: viewOf(stored) };
  }

  view(): (DestinationView & { status: DestinationStatus }) | null {
    const stored = this.stored();
    return stored ? { ...viewOf(stored), status: this.status() } : null;
  }

  status(): DestinationStatus {
    const counts = this.outbox.counts();
    const paused = this.outbox.pausedUntil();
    return {
      pending: counts.pending,
      dead: counts.dead,
      delivered: counts.delivered,
      lastAttemptAt: counts.lastAttemptAt === null ? null : new Date(counts.lastAttemptAt).toISOString(),
      pausedUntil: paused > this.clock() ? new Date(paused).toISOString() : null,
    };
  }

  /** Adds changes to the outbox; a change key seen before (pending, dead, or delivered within a week) is not added again. */
  async enqueue(changes: Omit<DestinationChange, 'destinations'>[]): Promise<{ added: number; duplicates: number }> {
    const stored = this.stored();
    if (!stored) return { added: 0, duplicates: 0 };
    const items = await Promise.all(
      changes.map(async (change) => ({
        key: change.key,
        webhookId: await webhookIdFor(stored.id, change.key),
        type: change.type,
        profileId: change.data.profile.profileId,
        // Changes about one person in one audience (or campaign) keep their order.
        orderingKey: `${change.data.profile.profileId}\n${change.data.campaign?.id ?? change.data.audience.id}`,
        payload: { type: change.type, timestamp: change.timestamp, data: change.data, ...(change.key.startsWith('test:') ? { test: true as const } : {}) },
      })),
    );
    const result = this.ctx.storage.transactionSync(() => this.outbox.enqueue(items, this.clock()));
    if (result.added > 0) await this.scheduleWake();
    return result;
  }

  /** Erasure: nothing more is delivered about these profiles, and the log forgets them. */
  async cancel(profileIds: string[]): Promise<number> {
    const removed = this.ctx.storage.transactionSync(() => this.outbox.cancel(profileIds));
    await this.scheduleWake();
    return removed;
  }

  /** Dead deliveries again; a dead change with a later one about the same person and audience is superseded, not sent (Outbox.replay). */
  async replay(webhookIds?: string[]): Promise<{ replayed: number; superseded: number }> {
    const result = this.ctx.storage.transactionSync(() => this.outbox.replay(webhookIds, this.clock()));
    if (result.replayed > 0) await this.scheduleWake();
    return result;
  }

  deliveries(cursor: number | undefined, limit: number, outcome?: Outcome) {
    return this.outbox.log(cursor, limit, outcome);
  }

  /** The secrets a receiver should accept now (the dev receiver verifies with them). */
  signingSecrets(): string[] {
    const stored = this.stored();
    if (!stored) return [];
    return activeSecrets(stored, this.clock());
  }

  /** Deletion: configuration, outbox and log go; nothing more is delivered. */
  async destroy(): Promise<void> {
    this.ctx.storage.transactionSync(() => this.outbox.clear());
    await this.ctx.storage.deleteAlarm();
  }

  override async alarm(): Promise<void> {
    try {
      await this.deliverDue();
    } catch (err) {
      // Never the payload or a secret: only what failed.
      console.error(`destination outbox: delivery run failed: ${err instanceof Error ? err.message : String(err)}`);
      await this.ctx.storage.setAlarm(Date.now() + 30_000);
    }
  }

  /** Attempts every delivery that is due now, CONCURRENCY at a time. The alarm calls it; tests may too. */
  deliverDue(): Promise<RunSummary> {
    this.running ??= this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async run(): Promise<RunSummary> {
    const summary: RunSummary = { attempted: 0, delivered: 0, failed: 0, dead: 0 };
    const addressChecks = new Map<string, Promise<string | null>>();
    const inFlight = new Set<Promise<void>>();
    for (;;) {
      while (inFlight.size < CONCURRENCY && summary.attempted < ATTEMPTS_PER_RUN) {
        const stored = this.stored();
        if (!stored) break;
        const delivery = this.ctx.storage.transactionSync(() => this.outbox.claimNext(this.clock(), this.attemptTimeoutMs + 60_000));
        if (!delivery) break;
        summary.attempted++;
        const task = this.attempt(stored, delivery, addressChecks).then((outcome) => {
          summary[outcome]++;
          inFlight.delete(task);
        });
        inFlight.add(task);
      }
      if (inFlight.size === 0) break;
      await Promise.race(inFlight);
    }
    this.ctx.storage.transactionSync(() => this.outbox.prune(this.clock()));
    await this.scheduleWake();
    return summary;
  }

  /**
   * One attempt, always settled: whatever goes wrong while checking or
   * sending becomes a failed attempt, logged and counted toward dying like
   * any other. A claimed delivery left unsettled would only come back after
   * its lease, forever, with nothing in the log, holding up every later
   * change about the same person and audience.
   */
  private async attempt(stored: StoredDestination, delivery: ClaimedDelivery, addressChecks: Map<string, Promise<string | null>>): Promise<Outcome> {
    const started = performance.now();
    let result: AttemptResult;
    try {
      result = await this.send(stored, delivery, addressChecks);
    } catch (err) {
      result = {
        status: null,
        durationMs: performance.now() - started,
        error: `could not send: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300),
        response: null,
        retryAfterMs: null,
      };
    }
    // Deleted while the request was out: nothing is left to settle or log.
    if (!this.stored()) return result.status !== null && result.status >= 200 && result.status < 300 ? 'delivered' : 'failed';
    return this.ctx.storage.transactionSync(() => this.outbox.settle(delivery, result, this.clock(), this.random));
  }

  private async send(stored: StoredDestination, delivery: ClaimedDelivery, addressChecks: Map<string, Promise<string | null>>): Promise<AttemptResult> {
    const started = performance.now();
    const failed = (error: string, extra: Partial<AttemptResult> = {}): AttemptResult => ({
      status: null,
      durationMs: performance.now() - started,
      error,
      response: null,
      retryAfterMs: null,
      ...extra,
    });

    const verdict = checkDestinationUrl(stored.url, { devMode: this.env.DEV_MODE === 'true' });
    if (!verdict.ok) return failed(`refused: ${verdict.reason}`);
    if (verdict.resolve) {
      const name = verdict.resolve;
      if (!addressChecks.has(name)) addressChecks.set(name, checkName(name));
      const refusal = await addressChecks.get(name)!;
      if (refusal) return failed(`refused: ${refusal}`);
    }

    const now = this.clock();
    let outgoing;
    try {
      outgoing = await buildRequest(
        {
          kind: stored.kind,
          url: stored.url,
          secrets: activeSecrets(stored, now),
          ...(stored.segmentWriteKey ? { segmentWriteKey: stored.segmentWriteKey } : {}),
        },
        delivery.webhookId,
        delivery.payload,
        now,
      );
    } catch (err) {
      if (err instanceof PermanentFailure) return failed(err.message, { permanent: true });
      return failed(`could not build the request: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300));
    }

    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | null = null;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => {
        controller.abort();
        resolve('timeout');
      }, this.attemptTimeoutMs);
    });
    try {
      const request = new Request(outgoing.url, {
        method: 'POST',
        headers: outgoing.headers,
        body: outgoing.body,
        redirect: 'manual',
        signal: controller.signal,
      });
      const answer = await Promise.race([this.transport(request), timedOut]);
      if (answer === 'timeout') return failed(`timed out after ${this.attemptTimeoutMs / 1000} s`);
      const durationMs = performance.now() - started;
      const retryAfterMs = parseRetryAfter(answer.headers.get('retry-after'), this.clock());
      if (answer.status >= 200 && answer.status < 300) {
        await answer.body?.cancel().catch(() => {});
        return { status: answer.status, durationMs, error: null, response: null, retryAfterMs: null };
      }
      const response = await snippet(answer);
      const error =
        answer.status >= 300 && answer.status < 400
          ? `HTTP ${answer.status}: redirects are not followed (it pointed to ${locationHost(answer.headers.get('location'))}); give the final URL`
          : `HTTP ${answer.status}`;
      return { status: answer.status, durationMs, error, response, retryAfterMs };
    } catch (err) {
      return failed(`network error: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300));
    } finally {
      clearTimeout(timer);
    }
  }

  private stored(): StoredDestination | null {
    const row = first<{ destination: string }>(this.ctx.storage.sql, 'SELECT destination FROM config WHERE id = 1');
    return row ? (JSON.parse(row.destination) as StoredDestination) : null;
  }

  private async scheduleWake(): Promise<void> {
    const wake = this.outbox.nextWake();
    if (wake === null) {
      await this.ctx.storage.deleteAlarm();
      return;
    }
    // The clock may be a test's: the real alarm is set the same distance ahead.
    await this.ctx.storage.setAlarm(Date.now() + Math.max(0, wake - this.clock()));
  }
}

/** A refusal, or null when the name may be used. A lookup that fails in any way is a refusal for this attempt (tried again later). */
async function checkName(name: string): Promise<string | null> {
  try {
    return checkAddresses(name, await resolveHost(name));
  } catch (err) {
    // ResolverUnavailable is the expected kind; a replaced resolver (useResolver) may throw anything.
    const reason =
      err instanceof ResolverUnavailable ? err.message : `${err instanceof Error ? err.name : 'error'}: ${err instanceof Error ? err.message : String(err)}`;
    return `could not check where ${name} points (${reason})`.slice(0, 300);
  }
}

function activeSecrets(stored: StoredDestination, now: number): string[] {
  const previousValid = stored.previousSecret && stored.previousSecretUntil && Date.parse(stored.previousSecretUntil) > now;
  return previousValid ? [stored.secret, stored.previousSecret!] : [stored.secret];
}

function viewOf(stored: StoredDestination): DestinationView {
  return {
    id: stored.id,
    site: stored.site,
    kind: stored.kind,
    url: stored.url,
    audiences: stored.audiences,
    ...(stored.kind === 'segment' ? { writeKeySet: !!stored.segmentWriteKey } : {}),
    createdAt: stored.createdAt,
    updatedAt: stored.updatedAt,
    secretCreatedAt: stored.secretCreatedAt,
    previousSecretUntil: stored.previousSecretUntil ?? null,
  };
}

async function snippet(response: Response): Promise<string | null> {
  if (!response.body) return null;
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < RESPONSE_SNIPPET_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
    }
  } catch {
    return null;
  } finally {
    await reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  const text = new TextDecoder().decode(bytes.slice(0, RESPONSE_SNIPPET_BYTES)).trim();
  return text || null;
}

function locationHost(location: string | null): string {
  if (!location) return 'nowhere';
  try {
    return new URL(location).host || 'a relative path';
  } catch {
    return 'an unreadable location';
  }
}
