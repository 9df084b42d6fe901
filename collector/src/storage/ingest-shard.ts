/**
 * IngestShard: the durable accept buffer between an ingest request and storage.
 *
 * `accept()` appends the request's messages to this object's SQLite in one
 * transaction; the runtime confirms the write before the call returns, so an
 * acknowledged message survives a crash or restart. An alarm then drains the
 * buffer in batches: identity and profiles in ShopState, the log in D1. Both
 * are idempotent, so a drain that fails halfway is simply retried; a message
 * that keeps failing on its own is moved to a dead-letter table, kept for
 * inspection and replay, never discarded.
 */
import { DurableObject } from 'cloudflare:workers';
import type { StoredMessage } from '@trailmark/schema';
import { storeBatch, type EventRow, type RejectedRow } from './event-log';
import { idHash } from '../lib/hash';
import { shopState } from './stubs';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS pending (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  write_key  TEXT NOT NULL,
  kind       TEXT NOT NULL,          -- 'event' | 'rejected'
  dedupe_key TEXT NOT NULL,          -- messageId, or the rejection digest
  body       TEXT NOT NULL,
  attempts   INTEGER NOT NULL DEFAULT 0, -- failed drains this row was part of
  solo_failures INTEGER NOT NULL DEFAULT 0, -- failed alone while storage was healthy
  UNIQUE (write_key, kind, dedupe_key)
);
CREATE TABLE IF NOT EXISTS dead_letter (
  seq        INTEGER PRIMARY KEY,
  write_key  TEXT NOT NULL,
  kind       TEXT NOT NULL,
  body       TEXT NOT NULL,
  error      TEXT NOT NULL,
  failed_at  TEXT NOT NULL
);
`;

/** Wait this long after the first message before draining, so one drain carries many requests. */
const DRAIN_DELAY_MS = 100;
const DRAIN_BATCH = 500;
/** A message that failed alone this often while storage was healthy is dead-lettered. */
const DEAD_AFTER_SOLO_FAILURES = 3;
const MAX_BACKOFF_MS = 60_000;

export interface AcceptedRow {
  /** messageId for events, the rejection digest for rejected messages. */
  key: string;
  kind: 'event' | 'rejected';
  body: string;
}

interface PendingRow {
  seq: number;
  write_key: string;
  kind: 'event' | 'rejected';
  body: string;
  attempts: number;
  solo_failures: number;
  [column: string]: SqlStorageValue;
}

export interface Faults {
  /** Fail the next N drains before anything is stored (storage down). */
  failDrains: number;
  /** Fail the next N drains after ShopState applied them but before D1 stored them. */
  failAfterProfiles: number;
  /** Fail every drain that contains one of these messageIds (a poison message). */
  poison: string[];
}

export interface DrainResult {
  drained: number;
  failed: number;
  pending: number;
}

export class IngestShard extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private alarmSet = false;
  /** Fault injection for the durability tests and the soak test. */
  private faults: Faults = { failDrains: 0, failAfterProfiles: 0, poison: [] };
  private lastError = '';

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => {
      this.sql.exec(SCHEMA);
      this.alarmSet = (await ctx.storage.getAlarm()) !== null;
      // After a restart with work left (and no alarm, e.g. it was lost), start draining again.
      if (!this.alarmSet && this.pendingCount() > 0) await this.schedule(0);
    });
  }

  /** Appends messages; returns once they are durable. A message already pending is not added twice. */
  async accept(writeKey: string, rows: AcceptedRow[]): Promise<void> {
    this.ctx.storage.transactionSync(() => {
      for (const row of rows) {
        this.sql.exec(
          'INSERT OR IGNORE INTO pending (write_key, kind, dedupe_key, body) VALUES (?, ?, ?, ?)',
          writeKey,
          row.kind,
          row.key,
          row.body,
        );
      }
    });
    if (!this.alarmSet) await this.schedule(DRAIN_DELAY_MS);
  }

  override async alarm(): Promise<void> {
    this.alarmSet = false;
    const result = await this.drain();
    if (result.pending > 0) {
      const attempts = this.sql.exec<{ attempts: number }>('SELECT MAX(attempts) AS attempts FROM pending').one().attempts ?? 0;
      const backoff = attempts === 0 ? DRAIN_DELAY_MS : Math.min(MAX_BACKOFF_MS, 250 * 2 ** attempts * (0.5 + Math.random()));
      await this.schedule(backoff);
    }
  }

  /**
   * Drains one batch now; the alarm calls it, tests and the bench may too.
   * When a batch fails while storage itself is healthy, the batch holds a
   * message that fails on its own: halves are retried until it is found, the
   * rest is stored, and a message that fails alone on three drains goes to
   * the dead-letter table. When storage is down, nothing is blamed.
   */
  async drain(): Promise<DrainResult> {
    const rows = this.sql
      .exec<PendingRow>('SELECT seq, write_key, kind, body, attempts, solo_failures FROM pending ORDER BY seq LIMIT ?', DRAIN_BATCH)
      .toArray();
    let drained = 0;
    let failed = 0;
    for (const [writeKey, group] of groupBy(rows, (row) => row.write_key)) {
      if (await this.tryStore(writeKey, group)) {
        drained += group.length;
        continue;
      }
      if (!(await this.storageHealthy(writeKey))) {
        failed += group.length;
        this.bumpAttempts(group);
        continue;
      }
      const { stored, failures } = await this.storeSplitting(writeKey, group);
      drained += stored;
      failed += failures.length;
      this.bumpAttempts(failures);
      for (const row of failures) this.blame(row);
    }
    return { drained, failed, pending: this.pendingCount() };
  }

  /** Stores what it can of rows that just failed together, halving until the failing ones stand alone. */
  private async storeSplitting(writeKey: string, rows: PendingRow[]): Promise<{ stored: number; failures: PendingRow[] }> {
    if (rows.length === 1) return { stored: 0, failures: rows };
    const middle = rows.length >> 1;
    let stored = 0;
    const failures: PendingRow[] = [];
    for (const half of [rows.slice(0, middle), rows.slice(middle)]) {
      if (await this.tryStore(writeKey, half)) {
        stored += half.length;
      } else {
        const inner = await this.storeSplitting(writeKey, half);
        stored += inner.stored;
        failures.push(...inner.failures);
      }
    }
    return { stored, failures };
  }

  /** Can storage take writes at all right now? Tells a poison message from an outage. */
  private async storageHealthy(writeKey: string): Promise<boolean> {
    if (this.faults.failDrains > 0) return false;
    try {
      await this.env.DB.prepare('SELECT 1').first();
      await shopState(this.env, writeKey).ping();
      return true;
    } catch {
      return false;
    }
  }

  private async tryStore(writeKey: string, rows: PendingRow[]): Promise<boolean> {
    try {
      if (this.faults.failDrains > 0) {
        this.faults.failDrains--;
        throw new Error('injected storage failure');
      }
      if (rows.some((row) => this.faults.poison.some((id) => row.body.includes(id)))) throw new Error('injected poison message');
      await this.store(writeKey, rows);
      this.forget(rows);
      return true;
    } catch (err) {
      this.lastError = err instanceof Error ? err.message : String(err);
      console.warn(`drain of ${rows.length} messages failed (will retry): ${this.lastError}`);
      return false;
    }
  }

  pendingCount(): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM pending').one().n;
  }

  deadLetters(): { seq: number; writeKey: string; kind: string; body: string; error: string; failedAt: string }[] {
    return this.sql
      .exec<{ seq: number; write_key: string; kind: string; body: string; error: string; failed_at: string }>(
        'SELECT seq, write_key, kind, body, error, failed_at FROM dead_letter ORDER BY seq',
      )
      .toArray()
      .map((row) => ({ seq: row.seq, writeKey: row.write_key, kind: row.kind, body: row.body, error: row.error, failedAt: row.failed_at }));
  }

  /** Moves dead letters back into the buffer, e.g. after the bug that failed them is fixed. */
  async replayDeadLetters(): Promise<number> {
    const moved = this.ctx.storage.transactionSync(() => {
      const rows = this.sql.exec<{ write_key: string; kind: string; body: string; seq: number }>('SELECT * FROM dead_letter').toArray();
      for (const row of rows) {
        const key = row.kind === 'event' ? (JSON.parse(row.body) as StoredMessage).messageId : `dead-${row.seq}`;
        this.sql.exec('INSERT OR IGNORE INTO pending (write_key, kind, dedupe_key, body) VALUES (?, ?, ?, ?)', row.write_key, row.kind, key, row.body);
      }
      this.sql.exec('DELETE FROM dead_letter');
      return rows.length;
    });
    if (moved > 0 && !this.alarmSet) await this.schedule(0);
    return moved;
  }

  injectFaults(faults: Partial<Faults>): void {
    this.faults = { ...this.faults, ...faults };
  }

  private async store(writeKey: string, rows: PendingRow[]): Promise<void> {
    const events = rows.filter((row) => row.kind === 'event').map((row) => JSON.parse(row.body) as StoredMessage);
    const rejected = rows.filter((row) => row.kind === 'rejected').map((row) => JSON.parse(row.body) as Omit<RejectedRow, 'idHashes'>);
    const hashesOf = (ids: (string | undefined)[]) => Promise.all(ids.filter((id): id is string => !!id).map((id) => idHash(writeKey, id)));
    const eventHashes = await Promise.all(events.map((m) => hashesOf([m.anonymousId, m.userId])));
    const rejectedHashes = await Promise.all(rejected.map((r) => hashesOf([r.anonymousId, r.userId])));

    let profileIds: (string | null)[] = [];
    let merges: { from: string; into: string }[] = [];
    if (events.length > 0) {
      ({ profileIds, merges } = await shopState(this.env, writeKey).ingest(events.map((message, i) => ({ message, idHashes: eventHashes[i]! }))));
    }
    if (this.faults.failAfterProfiles > 0) {
      this.faults.failAfterProfiles--;
      throw new Error('injected failure between profiles and the event log');
    }
    const eventRows: EventRow[] = [];
    events.forEach((message, i) => {
      const profileId = profileIds[i];
      if (profileId) eventRows.push({ message, profileId, idHashes: eventHashes[i]! });
    });
    await storeBatch(this.env.DB, writeKey, {
      events: eventRows,
      rejected: rejected.map((row, i) => ({ ...row, idHashes: rejectedHashes[i]! })),
      merges,
    });
  }

  private forget(rows: PendingRow[]): void {
    this.ctx.storage.transactionSync(() => {
      for (const row of rows) this.sql.exec('DELETE FROM pending WHERE seq = ?', row.seq);
    });
  }

  private bumpAttempts(rows: PendingRow[]): void {
    this.ctx.storage.transactionSync(() => {
      for (const row of rows) this.sql.exec('UPDATE pending SET attempts = attempts + 1 WHERE seq = ?', row.seq);
    });
  }

  private blame(row: PendingRow): void {
    this.ctx.storage.transactionSync(() => {
      if (row.solo_failures + 1 < DEAD_AFTER_SOLO_FAILURES) {
        this.sql.exec('UPDATE pending SET solo_failures = solo_failures + 1 WHERE seq = ?', row.seq);
        return;
      }
      this.sql.exec(
        'INSERT INTO dead_letter (seq, write_key, kind, body, error, failed_at) VALUES (?, ?, ?, ?, ?, ?)',
        row.seq,
        row.write_key,
        row.kind,
        row.body,
        this.lastError,
        new Date().toISOString(),
      );
      this.sql.exec('DELETE FROM pending WHERE seq = ?', row.seq);
    });
  }

  private async schedule(delayMs: number): Promise<void> {
    this.alarmSet = true;
    await this.ctx.storage.setAlarm(Date.now() + delayMs);
  }
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
