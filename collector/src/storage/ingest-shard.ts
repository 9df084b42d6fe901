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
  solo_failures INTEGER NOT NULL DEFAULT 0, -- failed alone while another message stored fine
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
/** A batch that failed this often is retried one message at a time, to isolate a poison message. */
const SPLIT_AFTER_ATTEMPTS = 3;
/**
 * A message is dead only when it failed alone this often while another
 * message stored fine right beside it: during an outage nothing is dead-lettered.
 */
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

export interface DrainResult {
  drained: number;
  failed: number;
  pending: number;
}

export class IngestShard extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private alarmSet = false;
  /** Fault injection for durability tests and the soak test: fail the next N drains. */
  private failDrains = 0;
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

  /** Drains one batch now; the alarm calls it, tests and the bench may too. */
  async drain(): Promise<DrainResult> {
    const worst = this.sql.exec<{ attempts: number | null }>('SELECT MAX(attempts) AS attempts FROM pending').one().attempts ?? 0;
    return worst >= SPLIT_AFTER_ATTEMPTS ? this.drainIsolating() : this.drainBatch();
  }

  private async drainBatch(): Promise<DrainResult> {
    const rows = this.selectPending('ORDER BY seq', DRAIN_BATCH);
    let drained = 0;
    let failed = 0;
    for (const [writeKey, group] of groupBy(rows, (row) => row.write_key)) {
      if (await this.tryStore(writeKey, group)) drained += group.length;
      else {
        failed += group.length;
        this.bumpAttempts(group);
      }
    }
    return { drained, failed, pending: this.pendingCount() };
  }

  /**
   * After repeated failures: store the most-failed message alone, and another
   * one beside it as a probe. If the probe stores and the suspect does not,
   * the suspect is poison; if both fail, storage is down and nobody is blamed.
   */
  private async drainIsolating(): Promise<DrainResult> {
    const [suspect, probe] = this.selectPending('ORDER BY attempts DESC, seq', 2);
    if (!suspect) return { drained: 0, failed: 0, pending: 0 };
    const suspectStored = await this.tryStore(suspect.write_key, [suspect]);
    const probeStored = probe ? await this.tryStore(probe.write_key, [probe]) : false;
    if (suspectStored || probeStored) {
      // Storage works: back to batches for everything else.
      this.sql.exec('UPDATE pending SET attempts = 0');
    }
    if (!suspectStored && probeStored) this.blame(suspect);
    const drained = Number(suspectStored) + Number(probeStored);
    return { drained, failed: (probe ? 2 : 1) - drained, pending: this.pendingCount() };
  }

  private selectPending(order: string, limit: number): PendingRow[] {
    return this.sql
      .exec<PendingRow>(`SELECT seq, write_key, kind, body, attempts, solo_failures FROM pending ${order} LIMIT ?`, limit)
      .toArray();
  }

  private async tryStore(writeKey: string, rows: PendingRow[]): Promise<boolean> {
    try {
      if (this.failDrains > 0) {
        this.failDrains--;
        throw new Error('injected storage failure');
      }
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

  injectFaults(faults: { failDrains: number }): void {
    this.failDrains = faults.failDrains;
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
