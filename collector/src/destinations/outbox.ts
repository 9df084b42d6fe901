/**
 * One destination's outbox and delivery log, over its Durable Object's
 * SQLite. Time is always passed in, so the 24-hour retry schedule can be
 * walked through in tests without waiting.
 *
 * A change is enqueued once per change key (a retried producer adds
 * nothing) and keeps its webhook-id for every attempt and any replay.
 * Changes about the same person and audience (or campaign) go out in the
 * order they were enqueued: a later one waits (next_at NULL) until the one
 * before it is delivered or dead, so a receiver never sees "exited" before
 * "entered". After delivery only the key is kept (for a week, to recognise
 * a late duplicate), not the personal data.
 *
 * States: pending, delivered, dead, and superseded (a dead change that a
 * later one about the same person and audience made pointless to replay;
 * kept like a delivered one, key only).
 */
import type { ChangeType, DeliveryAttempt, WebhookPayload } from '@trailmark/schema';
import { first, type Sql } from '../lib/sql';
import { afterFailure } from './retry-schedule';

/** A DestinationOutbox's schema steps, frozen as shipped (lib/migrate.ts). */
export { OUTBOX_MIGRATIONS } from '../schema-steps/destination-outbox';

/** A delivered change's key is remembered this long, so a late duplicate from a producer is recognised. */
export const DEDUPE_WINDOW_MS = 7 * 86_400_000;
/** Attempts are logged for this long, and at most this many are kept. */
export const LOG_RETENTION_MS = 30 * 86_400_000;
export const LOG_MAX_ROWS = 100_000;

export interface OutboxItem {
  key: string;
  webhookId: string;
  type: ChangeType;
  profileId: string;
  orderingKey: string;
  payload: WebhookPayload;
}

export interface ClaimedDelivery {
  seq: number;
  webhookId: string;
  type: ChangeType;
  profileId: string;
  /** This attempt's number, from 1. */
  attempt: number;
  firstAttemptAt: number;
  payload: WebhookPayload;
}

export interface AttemptResult {
  status: number | null;
  durationMs: number;
  error: string | null;
  response: string | null;
  retryAfterMs: number | null;
  /** Can never succeed as it is: dead at once. */
  permanent?: boolean;
}

export type Outcome = 'delivered' | 'failed' | 'dead';

interface OutboxRow {
  seq: number;
  webhook_id: string;
  type: string;
  profile_id: string;
  ordering_key: string;
  payload: string | null;
  attempts: number;
  first_attempt_at: number | null;
  [column: string]: string | number | null;
}

interface LogRow {
  id: number;
  webhook_id: string;
  type: string;
  attempt: number;
  at: number;
  status: number | null;
  duration_ms: number;
  error: string | null;
  response: string | null;
  outcome: string;
  next_at: number | null;
  [column: string]: string | number | null;
}

export class Outbox {
  constructor(private readonly sql: Sql) {}

  enqueue(items: OutboxItem[], now: number): { added: number; duplicates: number } {
    let added = 0;
    for (const item of items) {
      if (first(this.sql, 'SELECT 1 AS hit FROM outbox WHERE change_key = ?', item.key)) continue;
      const waiting = first(this.sql, "SELECT 1 AS hit FROM outbox WHERE ordering_key = ? AND state = 'pending'", item.orderingKey);
      this.sql.exec(
        `INSERT INTO outbox (change_key, webhook_id, type, profile_id, ordering_key, payload, state, enqueued_at, next_at)
         VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
        item.key,
        item.webhookId,
        item.type,
        item.profileId,
        item.orderingKey,
        JSON.stringify(item.payload),
        now,
        waiting ? null : now,
      );
      added++;
    }
    return { added, duplicates: items.length - added };
  }

  /**
   * Takes the next due delivery for an attempt: its next_at moves a lease
   * ahead, so if the object dies mid-attempt it is tried again after the
   * lease (at least once), and no one else takes it meanwhile.
   */
  claimNext(now: number, leaseMs: number): ClaimedDelivery | null {
    if (now < this.pausedUntil()) return null;
    const row = first<OutboxRow>(
      this.sql,
      `SELECT seq, webhook_id, type, profile_id, ordering_key, payload, attempts, first_attempt_at
       FROM outbox WHERE state = 'pending' AND next_at <= ? ORDER BY next_at, seq LIMIT 1`,
      now,
    );
    if (!row) return null;
    const attempt = row.attempts + 1;
    const firstAttemptAt = row.first_attempt_at ?? now;
    this.sql.exec('UPDATE outbox SET attempts = ?, first_attempt_at = ?, next_at = ? WHERE seq = ?', attempt, firstAttemptAt, now + leaseMs, row.seq);
    return {
      seq: row.seq,
      webhookId: row.webhook_id,
      type: row.type as ChangeType,
      profileId: row.profile_id,
      attempt,
      firstAttemptAt,
      payload: JSON.parse(row.payload!) as WebhookPayload,
    };
  }

  /** Records an attempt's result: delivered, retried later, or dead; logs it. */
  settle(delivery: ClaimedDelivery, result: AttemptResult, now: number, random: () => number = Math.random): Outcome {
    const row = first<OutboxRow>(this.sql, "SELECT seq, ordering_key FROM outbox WHERE seq = ? AND state = 'pending'", delivery.seq);
    let outcome: Outcome;
    let nextAt: number | null = null;
    const ok = result.status !== null && result.status >= 200 && result.status < 300 && !result.error;
    if (ok) {
      outcome = 'delivered';
    } else {
      const decision = result.permanent
        ? ({ dead: true } as const)
        : afterFailure({ failedAttempts: delivery.attempt, firstAttemptAt: delivery.firstAttemptAt, now, retryAfterMs: result.retryAfterMs, random });
      outcome = decision.dead ? 'dead' : 'failed';
      if (!decision.dead) nextAt = decision.nextAt;
    }
    if (row) {
      if (outcome === 'delivered') {
        this.sql.exec("UPDATE outbox SET state = 'delivered', payload = NULL, next_at = NULL, done_at = ? WHERE seq = ?", now, row.seq);
      } else if (outcome === 'dead') {
        this.sql.exec("UPDATE outbox SET state = 'dead', next_at = NULL, done_at = ? WHERE seq = ?", now, row.seq);
      } else {
        this.sql.exec('UPDATE outbox SET next_at = ? WHERE seq = ?', nextAt, row.seq);
      }
      if (outcome !== 'failed') this.releaseNext(row.ordering_key, now);
    }
    if (result.retryAfterMs) this.pause(now + result.retryAfterMs);
    this.sql.exec(
      `INSERT INTO attempt_log (webhook_id, type, attempt, at, status, duration_ms, error, response, outcome, next_at, profile_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      delivery.webhookId,
      delivery.type,
      delivery.attempt,
      now,
      result.status,
      Math.round(result.durationMs),
      ok ? null : (result.error ?? `HTTP ${result.status}`),
      ok ? null : result.response,
      outcome,
      nextAt,
      // A cancelled (erased) delivery that was in flight has no row left: its log line keeps no person.
      row ? delivery.profileId : null,
    );
    return outcome;
  }

  /** When the next delivery is due (null: nothing waits). */
  nextWake(): number | null {
    const next = first<{ at: number | null }>(this.sql, "SELECT MIN(next_at) AS at FROM outbox WHERE state = 'pending' AND next_at IS NOT NULL")?.at ?? null;
    return next === null ? null : Math.max(next, this.pausedUntil());
  }

  /** A `Retry-After` holds the whole destination: the receiver asked us to slow down, not one message. */
  pause(until: number): void {
    if (until <= this.pausedUntil()) return;
    this.sql.exec("INSERT INTO outbox_state (name, value) VALUES ('paused_until', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value", until);
  }

  pausedUntil(): number {
    return first<{ value: number }>(this.sql, "SELECT value FROM outbox_state WHERE name = 'paused_until'")?.value ?? 0;
  }

  /**
   * Erasure: everything still to be delivered about these profiles goes
   * (pending, dead, and the keys of delivered ones), and the log keeps no
   * trace of who its lines were about or what the receiver answered.
   */
  cancel(profileIds: string[]): number {
    let removed = 0;
    for (const profileId of new Set(profileIds)) {
      removed += first<{ n: number }>(this.sql, "SELECT COUNT(*) AS n FROM outbox WHERE profile_id = ? AND state IN ('pending', 'dead')", profileId)?.n ?? 0;
      this.sql.exec('DELETE FROM outbox WHERE profile_id = ?', profileId);
      this.sql.exec('UPDATE attempt_log SET profile_id = NULL, response = NULL WHERE profile_id = ?', profileId);
    }
    return removed;
  }

  /**
   * Dead deliveries (all, or those named) are tried again from now, under
   * their webhook-id, with a fresh retry window — but only the latest change
   * of each person and audience. A dead change with a later one in its
   * ordering key (delivered, pending or dead) is superseded instead: each
   * change states where the person now is, so sending the older one after
   * the later was delivered would leave the receiver with the wrong state
   * ("entered" after "exited"), and the later one says all it would.
   */
  replay(webhookIds: string[] | undefined, now: number): { replayed: number; superseded: number } {
    const rows = this.sql
      .exec<{ seq: number; webhook_id: string; ordering_key: string }>("SELECT seq, webhook_id, ordering_key FROM outbox WHERE state = 'dead' ORDER BY seq")
      .toArray()
      .filter((row) => !webhookIds || webhookIds.includes(row.webhook_id));
    let replayed = 0;
    // A change superseded earlier and named again is still skipped, and counted, so the answer accounts for every id named.
    let superseded = webhookIds
      ? this.sql
          .exec<{ webhook_id: string }>("SELECT webhook_id FROM outbox WHERE state = 'superseded'")
          .toArray()
          .filter((row) => webhookIds.includes(row.webhook_id)).length
      : 0;
    for (const row of rows) {
      if (first(this.sql, 'SELECT 1 AS hit FROM outbox WHERE ordering_key = ? AND seq > ?', row.ordering_key, row.seq)) {
        this.supersede(row.seq, now);
        superseded++;
        continue;
      }
      const waiting = first(this.sql, "SELECT 1 AS hit FROM outbox WHERE ordering_key = ? AND state = 'pending' AND next_at IS NOT NULL", row.ordering_key);
      this.sql.exec(
        "UPDATE outbox SET state = 'pending', attempts = 0, first_attempt_at = NULL, done_at = NULL, next_at = ? WHERE seq = ?",
        waiting ? null : now,
        row.seq,
      );
      replayed++;
    }
    return { replayed, superseded };
  }

  /** The delivery log, newest first; `cursor` is the id where the previous page stopped. */
  log(
    cursor: number | undefined,
    limit: number,
    outcome?: Outcome,
  ): { attempts: (DeliveryAttempt & { response: string | null })[]; nextCursor: string | null } {
    const rows = this.sql
      .exec<LogRow>(
        `SELECT id, webhook_id, type, attempt, at, status, duration_ms, error, response, outcome, next_at FROM attempt_log
         WHERE id < ? AND (? IS NULL OR outcome = ?) ORDER BY id DESC LIMIT ?`,
        cursor ?? Number.MAX_SAFE_INTEGER,
        outcome ?? null,
        outcome ?? null,
        limit + 1,
      )
      .toArray();
    const page = rows.slice(0, limit);
    return {
      attempts: page.map((row) => ({
        id: row.id,
        webhookId: row.webhook_id,
        type: row.type as ChangeType,
        attempt: row.attempt,
        at: new Date(row.at).toISOString(),
        status: row.status,
        durationMs: row.duration_ms,
        error: row.error,
        response: row.response,
        outcome: row.outcome as Outcome,
        nextAttemptAt: row.next_at === null ? null : new Date(row.next_at).toISOString(),
      })),
      nextCursor: rows.length > limit ? String(page[page.length - 1]!.id) : null,
    };
  }

  counts(): { pending: number; dead: number; delivered: number; lastAttemptAt: number | null } {
    const byState = new Map(
      this.sql
        .exec<{ state: string; n: number }>('SELECT state, COUNT(*) AS n FROM outbox GROUP BY state')
        .toArray()
        .map((r) => [r.state, r.n]),
    );
    const last = first<{ at: number | null }>(this.sql, 'SELECT MAX(at) AS at FROM attempt_log')?.at ?? null;
    return { pending: byState.get('pending') ?? 0, dead: byState.get('dead') ?? 0, delivered: byState.get('delivered') ?? 0, lastAttemptAt: last };
  }

  /** Forgets delivered (and superseded) keys past the dedupe window and log lines past retention. */
  prune(now: number): void {
    // A delivered change about to be forgotten still has to keep the dead ones before it from a replay.
    this.sql.exec(
      `UPDATE outbox SET state = 'superseded', payload = NULL, next_at = NULL, done_at = ?
       WHERE state = 'dead' AND EXISTS (
         SELECT 1 FROM outbox later WHERE later.ordering_key = outbox.ordering_key AND later.seq > outbox.seq
           AND later.state = 'delivered' AND later.done_at < ?)`,
      now,
      now - DEDUPE_WINDOW_MS,
    );
    this.sql.exec("DELETE FROM outbox WHERE state IN ('delivered', 'superseded') AND done_at < ?", now - DEDUPE_WINDOW_MS);
    this.sql.exec('DELETE FROM attempt_log WHERE at < ?', now - LOG_RETENTION_MS);
    this.sql.exec('DELETE FROM attempt_log WHERE id <= (SELECT MAX(id) FROM attempt_log) - ?', LOG_MAX_ROWS);
  }

  clear(): void {
    for (const table of ['outbox', 'attempt_log', 'outbox_state', 'config']) this.sql.exec(`DELETE FROM ${table}`);
  }

  /** Never sent again: only the key stays, for the dedupe window, so a late duplicate from the producer is still recognised. */
  private supersede(seq: number, now: number): void {
    this.sql.exec("UPDATE outbox SET state = 'superseded', payload = NULL, next_at = NULL, done_at = ? WHERE seq = ?", now, seq);
  }

  /** The change after this one in its ordering key may go now. */
  private releaseNext(orderingKey: string, now: number): void {
    this.sql.exec(
      `UPDATE outbox SET next_at = ? WHERE seq = (
         SELECT MIN(seq) FROM outbox WHERE ordering_key = ? AND state = 'pending' AND next_at IS NULL)
       AND NOT EXISTS (SELECT 1 FROM outbox WHERE ordering_key = ? AND state = 'pending' AND next_at IS NOT NULL)`,
      now,
      orderingKey,
      orderingKey,
    );
  }
}
