/**
 * IngestShard: the durable accept buffer between an ingest request and storage.
 *
 * `accept()` appends one row per request (its messages as one JSON array) to
 * this object's SQLite; the runtime confirms the write before the call
 * returns, so an acknowledged message survives a crash or restart. An alarm
 * then drains the buffer in batches: identity and profiles in ShopState, the
 * log in D1. Both are idempotent, so a drain that fails halfway is simply
 * retried. A message that keeps failing on its own while storage is healthy
 * is moved to a dead-letter table, kept for inspection and replay, never
 * discarded.
 */
import { DurableObject } from 'cloudflare:workers';
import type { DropReason, StoredMessage } from '@trailmark/schema';
import type { DropCounts } from '../ingest/drop-reasons';
import { normalizeId } from '@trailmark/schema/message-schema';
import { hashIds, idsOfMessage, namesPerson, type PersonIds } from '../identity/suppression';
import { migrate } from '../lib/migrate';
import { INGEST_SHARD_MIGRATIONS } from '../schema-steps/ingest-shard';
import type { IngestOutcome } from '../shop/shop-state';
import { archiveEvents, putArchiveObject, type ArchiveLine, type ArchivedObject } from './archive';
import { storeBatch, suppressedAmong, type EventRow, type RejectedRow } from './event-log';
import { MAX_ROW_MESSAGES, packRows, type PendingChunk } from './pending-rows';
import { MAX_TOTAL_CHARS, PendingView } from './pending-view';
import { ingestShardCount, ingestShardOfName } from './ingest-shard-choice';
import { burstAfter, DRAIN_DELAY_MS, holdBack, nextStoredRate, restAfterDrain } from './drain-pacing';
import { drainToProfileShards, type DrainStage, type ProfileDrainObjects } from '../profiles/profile-drain';
import { identityDirectoryStub } from '../identity/identity-directory';
import { profileShardStub } from '../profiles/profile-shard';
import { findSite } from '../sites/site-directory';
import { DEFAULT_SETTINGS } from '../sites/site';

/** Messages per drain at most (rows hold at most this many, see pending-rows.ts). */
const DRAIN_BATCH = MAX_ROW_MESSAGES;
/** A message that failed alone this often while storage was healthy is dead-lettered. */
const DEAD_AFTER_SOLO_FAILURES = 3;

/** One message waiting in the buffer: an accepted event, or a rejected message kept with its reason. */
export type PendingItem =
  { kind: 'event'; message: StoredMessage; soloFailures?: number } | { kind: 'rejected'; rejected: Omit<RejectedRow, 'idHashes'>; soloFailures?: number };

interface PendingRow {
  seq: number;
  write_key: string;
  items: string;
  attempts: number;
  [column: string]: SqlStorageValue;
}

/** An item with the row it came from, while a drain works on it. */
interface Draining {
  seq: number;
  writeKey: string;
  item: PendingItem;
  stored: boolean;
  blamed: boolean;
  /** The error of the last attempt that included this item: what a dead letter records. */
  error?: string;
  /** Its person was erased: it is dropped, never dead-lettered. */
  suppressed?: boolean;
}

export interface Faults {
  /** Fail the next N drains before anything is stored (storage down). */
  failDrains: number;
  /** Fail the next N drains after ShopState applied them but before D1 stored them. */
  failAfterProfiles: number;
  /** Fail every drain that contains one of these messageIds (a poison message). */
  poison: string[];
  /** Fail the next N drains of a site with profile shards right after this stage (profiles/profile-drain.ts). */
  failAtStage?: { stage: DrainStage; times: number };
}

export interface DrainResult {
  drained: number;
  failed: number;
  pending: number;
}

export interface DeadLetter {
  seq: number;
  writeKey: string;
  item: PendingItem;
  error: string;
  failedAt: string;
}

export class IngestShard extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private alarmSet = false;
  private faults: Faults = { failDrains: 0, failAfterProfiles: 0, poison: [] };
  /** Messages accepted since the last alarm looked: the burst rate, and whether requests kept arriving during a drain. */
  private acceptedSinceCheck = 0;
  private firstAcceptSinceCheck: number | undefined;
  private burstSince: number | undefined;
  /** Messages this shard's recent drains stored per millisecond of their wall time (drain-pacing.ts). */
  private storedPerMs: number | undefined;
  private toCommit: { writeKey: string; chunks: PendingChunk[]; owners: string[]; resolve: (seq: number) => void; reject: (err: unknown) => void }[] = [];
  private committing = false;
  private drainRunning: Promise<unknown> = Promise.resolve();
  /** Sites whose profiles live in profile shards, with their count (it never changes once set). */
  private readonly profileShards = new Map<string, number>();
  /** The accepted, not yet drained events by browser (read-your-writes; pending-view.ts). */
  private readonly view = new PendingView();
  /** The settled mark ShopState was last told of (shop/ingest-settled.ts). */
  private reportedBelow = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.transactionSync(() => migrate(this.sql, INGEST_SHARD_MIGRATIONS));
      this.rebuildView();
      this.alarmSet = (await ctx.storage.getAlarm()) !== null;
      // After a restart with work left and no alarm, start draining again.
      if (!this.alarmSet && this.pendingCount() > 0) await this.schedule(0);
    });
  }

  /**
   * Appends one request's items (PendingItems serialised once by the caller,
   * in chunks within the row bounds: pending-rows.ts) and returns once they
   * are durable. `owners` (pending-view.ts ownerKeys) are the ids of the
   * request's events: a recommendation request of those browsers sees them
   * from then on, drained or not. Returns the seq of the last row written
   * with them: the batch answer's ack token carries it (recommend/ack-token.ts).
   */
  accept(writeKey: string, chunks: PendingChunk[], owners: string[] = []): Promise<number> {
    this.acceptedSinceCheck += chunks.reduce((sum, chunk) => sum + chunk.count, 0);
    this.firstAcceptSinceCheck ??= Date.now();
    return new Promise((resolve, reject) => {
      this.toCommit.push({ writeKey, chunks, owners, resolve, reject });
      if (!this.committing) void this.commitAccepted();
    });
  }

  /**
   * Group commit: the requests that arrive while one commit is being made
   * durable are written together in the next, packed into as few rows per
   * write key as the row bounds allow. Under load that is one storage commit
   * for many requests; alone, a request is committed at once, with no added
   * wait. Each caller returns only once its own items are durable.
   */
  private async commitAccepted(): Promise<void> {
    this.committing = true;
    try {
      while (this.toCommit.length > 0) {
        // Everything else that is ready runs first (a timer fires once the event loop has nothing else to do):
        // under load that brings the other requests already under way for this shard into this commit, and a
        // storage commit costs far more than the wait. Alone, a request waits for nothing.
        await new Promise((resolve) => setTimeout(resolve, 0));
        const group = this.toCommit.splice(0);
        try {
          const lastSeq = this.ctx.storage.transactionSync(() => {
            let seq = 0;
            for (const [writeKey, requests] of groupBy(group, (r) => r.writeKey)) {
              for (const row of packRows(requests.flatMap((r) => r.chunks))) {
                seq = this.sql
                  .exec<{ seq: number }>('INSERT INTO pending (write_key, items, item_count) VALUES (?, ?, ?) RETURNING seq', writeKey, row.json, row.count)
                  .one().seq;
              }
            }
            return seq;
          });
          if (!this.alarmSet) await this.schedule(DRAIN_DELAY_MS);
          await this.ctx.storage.sync();
          for (const request of group) {
            this.view.add(
              request.owners,
              request.chunks.map((chunk) => chunk.json),
              lastSeq,
            );
            request.resolve(lastSeq);
          }
        } catch (err) {
          for (const request of group) request.reject(err);
        }
      }
    } finally {
      this.committing = false;
    }
  }

  override async alarm(): Promise<void> {
    this.alarmSet = false;
    if (this.deferForBurst()) {
      await this.schedule(DRAIN_DELAY_MS);
      return;
    }
    const started = Date.now();
    const result = await this.drain();
    const tookMs = Date.now() - started;
    this.storedPerMs = nextStoredRate(this.storedPerMs, result.drained, tookMs);
    this.burstSince = burstAfter(this.burstSince, result.pending);
    if (result.pending > 0) {
      const attempts = this.sql.exec<{ attempts: number | null }>('SELECT MAX(attempts) AS attempts FROM pending INDEXED BY pending_sizes').one().attempts ?? 0;
      // deferForBurst just reset the count: anything in it arrived while this drain ran.
      await this.schedule(
        restAfterDrain({
          tookMs,
          pending: result.pending,
          arrived: this.acceptedSinceCheck,
          storedPerMs: this.storedPerMs,
          attempts,
          shards: ingestShardCount(this.env),
        }),
      );
    }
  }

  /** Is a burst on that the drain should stay out of for now (drain-pacing.ts)? */
  private deferForBurst(): boolean {
    const now = Date.now();
    // Over the time since the first message after the last look: a quiet spell before a burst does not hide it.
    const rate = (this.acceptedSinceCheck * 1000) / Math.max(DRAIN_DELAY_MS, now - (this.firstAcceptSinceCheck ?? now));
    this.acceptedSinceCheck = 0;
    this.firstAcceptSinceCheck = undefined;
    const { defer, burstSince } = holdBack({ rate, burstSince: this.burstSince, now, pending: this.pendingCount() });
    this.burstSince = burstSince;
    return defer;
  }

  /**
   * Drains one batch now; the alarm calls it, tests and the bench may too.
   * When a batch fails while storage itself is healthy, it holds a message
   * that fails on its own: halves are retried until it is found, the rest is
   * stored, and a message that fails alone on three drains goes to the
   * dead-letter table. When storage is down, nothing is blamed.
   */
  drain(): Promise<DrainResult> {
    // One drain at a time: the alarm and a direct call (tests, the bench) must
    // not work on the same rows, or an item is blamed and dead-lettered twice.
    const run = this.drainRunning.then(() => this.drainOnce());
    this.drainRunning = run.catch(() => undefined);
    return run;
  }

  private async drainOnce(): Promise<DrainResult> {
    // Whole rows, up to DRAIN_BATCH messages (the first row whatever its size: rows written before the bound),
    // chosen by their sizes alone, so only the items of the rows drained are read.
    let last: number | undefined;
    let count = 0;
    for (const row of this.sql.exec<{ seq: number; item_count: number }>('SELECT seq, item_count FROM pending INDEXED BY pending_sizes ORDER BY seq')) {
      if (last !== undefined && count + row.item_count > DRAIN_BATCH) break;
      last = row.seq;
      count += row.item_count;
    }
    const rows =
      last === undefined ? [] : this.sql.exec<PendingRow>('SELECT seq, write_key, items, attempts FROM pending WHERE seq <= ? ORDER BY seq', last).toArray();
    const work: Draining[] = rows.flatMap((row) =>
      (JSON.parse(row.items) as PendingItem[]).map((item) => ({ seq: row.seq, writeKey: row.write_key, item, stored: false, blamed: false })),
    );
    for (const [writeKey, group] of groupBy(work, (w) => w.writeKey)) {
      if (await this.tryStore(writeKey, group)) continue;
      if (!(await this.storageHealthy(writeKey))) continue;
      for (const failure of await this.storeSplitting(writeKey, group)) failure.blamed = true;
    }
    await this.dropSuppressed(work.filter((w) => !w.stored && (w.item.soloFailures ?? 0) + (w.blamed ? 1 : 0) >= DEAD_AFTER_SOLO_FAILURES));
    this.settle(rows, work);
    const oldest = this.sql.exec<{ seq: number | null }>('SELECT MIN(seq) AS seq FROM pending').one().seq;
    this.view.forgetBefore(oldest ?? Number.MAX_SAFE_INTEGER);
    await this.reportSettled(oldest);
    const drained = work.filter((w) => w.stored || w.suppressed).length;
    return { drained, failed: work.length - drained, pending: this.pendingCount() };
  }

  /**
   * Tells ShopState how far this shard has settled (shop/ingest-settled.ts),
   * when that moved: a recommendation request whose ack token names a row
   * below the mark has nothing pending here, and ShopState answers it
   * without asking. Told only after the rows left the table, so ShopState's
   * mark is never ahead of this shard's; a failed report is made again
   * after the next drain (until then, requests ask here, as without a token).
   */
  private async reportSettled(oldestPending: number | null): Promise<void> {
    // Every row with a smaller seq has settled: the oldest pending row's, or past the last seq ever given (AUTOINCREMENT never reuses one).
    const below =
      oldestPending ?? (this.sql.exec<{ seq: number | null }>("SELECT MAX(seq) AS seq FROM sqlite_sequence WHERE name = 'pending'").one().seq ?? 0) + 1;
    const shard = ingestShardOfName(this.ctx.id.name ?? '');
    if (below <= this.reportedBelow || !shard) return;
    try {
      await this.env.SHOP_STATE.getByName(shard.writeKey).ingestSettled(shard.index, below);
      this.reportedBelow = below;
    } catch (err) {
      console.warn('telling ShopState how far this shard settled failed (told again after the next drain)', err);
    }
  }

  /**
   * A browser's accepted events that the drain has not stored yet, in the
   * order they were accepted (the latest 50): what a recommendation request
   * applies to the shopper's profile so the answer is as if they were stored.
   */
  pendingEvents(ids: { anonymousId?: string; userId?: string }): StoredMessage[] {
    return this.view.eventsOf(ids);
  }

  /** The view after a restart: the events of the newest pending rows, within the view's bound. */
  private rebuildView(): void {
    const rows: { seq: number; items: string }[] = [];
    let chars = 0;
    for (const row of this.sql.exec<{ seq: number; items: string }>('SELECT seq, items FROM pending ORDER BY seq DESC')) {
      chars += row.items.length;
      if (chars > MAX_TOTAL_CHARS) break;
      rows.push(row);
    }
    for (const row of rows.reverse()) {
      const events = (JSON.parse(row.items) as PendingItem[]).flatMap((item) => (item.kind === 'event' ? [item.message] : []));
      this.view.addEvents(events, row.seq, row.items.length);
    }
  }

  /** Adds to the counts of messages dropped by the site's privacy settings (see drop-reasons.ts). */
  countDrops(writeKey: string, drops: DropCounts): void {
    for (const [reason, n] of Object.entries(drops)) {
      this.sql.exec(
        'INSERT INTO dropped (write_key, reason, count) VALUES (?, ?, ?) ON CONFLICT (write_key, reason) DO UPDATE SET count = count + excluded.count',
        writeKey,
        reason,
        n,
      );
    }
  }

  dropCounts(): DropCounts {
    const counts: DropCounts = {};
    for (const row of this.sql.exec<{ reason: DropReason; count: number }>('SELECT reason, count FROM dropped')) counts[row.reason] = row.count;
    return counts;
  }

  pendingCount(): number {
    return this.sql.exec<{ n: number | null }>('SELECT SUM(item_count) AS n FROM pending INDEXED BY pending_sizes').one().n ?? 0;
  }

  deadLetters(): DeadLetter[] {
    return this.sql
      .exec<{ seq: number; write_key: string; item: string; error: string; failed_at: string }>(
        'SELECT seq, write_key, item, error, failed_at FROM dead_letter ORDER BY seq',
      )
      .toArray()
      .map((row) => ({ seq: row.seq, writeKey: row.write_key, item: JSON.parse(row.item) as PendingItem, error: row.error, failedAt: row.failed_at }));
  }

  /** Moves dead letters back into the buffer, e.g. after the bug that failed them is fixed. */
  async replayDeadLetters(): Promise<number> {
    const moved = this.ctx.storage.transactionSync(() => {
      const letters = this.deadLetters();
      for (const letter of letters) {
        const item = { ...letter.item, soloFailures: 0 };
        this.sql.exec('INSERT INTO pending (write_key, items, item_count) VALUES (?, ?, 1)', letter.writeKey, JSON.stringify([item]));
      }
      this.sql.exec('DELETE FROM dead_letter');
      return letters.length;
    });
    if (moved > 0 && !this.alarmSet) await this.schedule(0);
    return moved;
  }

  injectFaults(faults: Partial<Faults>): void {
    for (const [name, value] of Object.entries(faults)) if (value !== undefined) Object.assign(this.faults, { [name]: value });
  }

  /** Throws at a stage of the profile-shard drain when a test injected it. */
  private checkpoint(stage: DrainStage): void {
    const fault = this.faults.failAtStage;
    if (!fault || fault.stage !== stage || fault.times <= 0) return;
    fault.times--;
    throw new Error(`injected failure after the ${stage} stage`);
  }

  /** Stores what it can of items that just failed together, halving until the failing ones stand alone. */
  private async storeSplitting(writeKey: string, work: Draining[]): Promise<Draining[]> {
    if (work.length === 1) return work;
    const middle = work.length >> 1;
    const failures: Draining[] = [];
    for (const half of [work.slice(0, middle), work.slice(middle)]) {
      if (!(await this.tryStore(writeKey, half))) failures.push(...(await this.storeSplitting(writeKey, half)));
    }
    return failures;
  }

  /** Can storage take writes at all right now? Tells a poison message from an outage. */
  private async storageHealthy(writeKey: string): Promise<boolean> {
    // An injected failure after the profiles stands for the event log being down.
    if (this.faults.failDrains > 0 || this.faults.failAfterProfiles > 0 || (this.faults.failAtStage?.times ?? 0) > 0) return false;
    try {
      await this.env.DB.prepare('SELECT 1').first();
      await this.env.SHOP_STATE.getByName(writeKey).ping();
      // With profile shards, the directory every batch goes through too (a shard down fails every batch alike).
      if (this.profileShards.has(writeKey)) await identityDirectoryStub(this.env, writeKey).ping();
      return true;
    } catch {
      return false;
    }
  }

  private async tryStore(writeKey: string, work: Draining[]): Promise<boolean> {
    try {
      if (this.faults.failDrains > 0) {
        this.faults.failDrains--;
        throw new Error('injected storage failure');
      }
      const poison = work.find((w) => w.item.kind === 'event' && this.faults.poison.includes(w.item.message.messageId));
      if (poison?.item.kind === 'event') throw new Error(`injected poison message ${poison.item.message.messageId}`);
      await this.store(
        writeKey,
        work.map((w) => w.item),
      );
      for (const w of work) w.stored = true;
      return true;
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      for (const w of work) w.error = error;
      console.warn(`drain of ${work.length} messages failed (will retry): ${error}`);
      return false;
    }
  }

  private async store(writeKey: string, items: PendingItem[]): Promise<void> {
    const cache = new Map<string, Promise<string>>();
    const events = items.flatMap((item) => (item.kind === 'event' ? [item.message] : []));
    // Rejected messages' ids were normalised at ingest; items buffered before that are normalised here.
    const rejected = items.flatMap((item) =>
      item.kind === 'rejected' ? [{ ...item.rejected, anonymousId: normalizeId(item.rejected.anonymousId), userId: normalizeId(item.rejected.userId) }] : [],
    );
    const eventHashes = await Promise.all(events.map((m) => hashIds(writeKey, idsOfMessage(m), cache)));
    const rejectedHashes = await Promise.all(rejected.map((r) => hashIds(writeKey, idsOfMessage(r), cache)));

    let profileIds: (string | null)[] = [];
    let merges: { from: string; into: string }[] = [];
    let attributions: IngestOutcome['attributions'] = [];
    let repeatedOrders: IngestOutcome['repeatedOrders'];
    if (events.length > 0) {
      const shop = this.env.SHOP_STATE.getByName(writeKey);
      const items = events.map((message, i) => ({ message, idHashes: eventHashes[i]! }));
      // Profiles in shards: ShopState answers with their count instead of applying (profiles/profile-drain.ts).
      let outcome: IngestOutcome | undefined = this.profileShards.has(writeKey) ? undefined : await shop.ingest(items);
      if (!outcome || outcome.profileShards) {
        const shards = outcome?.profileShards ?? this.profileShards.get(writeKey)!;
        this.profileShards.set(writeKey, shards);
        const settings = (await findSite(this.env, writeKey))?.settings ?? DEFAULT_SETTINGS;
        outcome = await drainToProfileShards(
          {
            directory: identityDirectoryStub(this.env, writeKey),
            shard: (index) => profileShardStub(this.env, writeKey, index),
            shop,
          } satisfies ProfileDrainObjects,
          { shards, currency: settings.currency, identityVerification: settings.identityVerification },
          items,
          (stage) => this.checkpoint(stage),
        );
      }
      ({ profileIds, merges, attributions, repeatedOrders } = outcome);
    }
    if (this.faults.failAfterProfiles > 0) {
      this.faults.failAfterProfiles--;
      throw new Error('injected failure between profiles and the event log');
    }
    const eventRows: EventRow[] = [];
    events.forEach((message, i) => {
      const profileId = profileIds[i];
      if (!profileId) return;
      // Credit to the recommendation that led to this add or order, for the slot statistics. Only
      // the collector attributes: whatever a sender wrote there itself is dropped.
      const credit = attributions[i];
      const { attribution: _sent, ...context } = message.context as StoredMessage['context'] & { attribution?: unknown };
      const stored = { ...message, context: credit ? { ...context, attribution: credit } : context };
      // Serialised once here, for both the log and the archive.
      const repeatedOrder = repeatedOrders?.[i] === true;
      eventRows.push({
        message: stored as StoredMessage,
        profileId,
        idHashes: eventHashes[i]!,
        json: JSON.stringify(stored),
        ...(repeatedOrder ? { repeatedOrder } : {}),
      });
    });
    await storeBatch(this.env.DB, writeKey, {
      events: eventRows,
      rejected: rejected.map((row, i) => ({ ...row, idHashes: rejectedHashes[i]! })),
      merges,
    });
    const archived = await archiveEvents(this.env.ARCHIVE, writeKey, eventRows);
    await this.unarchiveErased(writeKey, archived);
  }

  /**
   * A person erased while this drain ran (after ShopState applied their
   * messages) may have been missed by the erasure's walk over the archive if
   * this drain wrote after the walk went by. So the drain checks the
   * suppression list after writing, and takes them out itself: either this
   * check sees the suppression, or the objects were written before it and
   * the walk, which starts after it, finds them.
   */
  private async unarchiveErased(writeKey: string, archived: ArchivedObject[]): Promise<void> {
    if (!this.env.ARCHIVE || archived.length === 0) return;
    const suppressed = await suppressedAmong(
      this.env.DB,
      writeKey,
      archived.flatMap((o) => o.rows.flatMap((r) => r.idHashes)),
    );
    if (suppressed.length === 0) return;
    const erased = new Set(suppressed.map((h) => `${h.kind}:${h.hash}`));
    for (const { key, rows } of archived) {
      const keep = rows.filter((r) => !r.idHashes.some((h) => erased.has(`${h.kind}:${h.hash}`)));
      if (keep.length === rows.length) continue;
      if (keep.length === 0) await this.env.ARCHIVE.delete(key);
      else
        await putArchiveObject(
          this.env.ARCHIVE,
          writeKey,
          key,
          keep.map(({ message, profileId }) => ({ ...message, writeKey, profileId }) as ArchiveLine),
        );
    }
  }

  /** Of items about to be dead-lettered, marks those whose person has been erased: suppressed means kept nowhere. */
  private async dropSuppressed(dying: Draining[]): Promise<void> {
    for (const [writeKey, group] of groupBy(dying, (w) => w.writeKey)) {
      const cache = new Map<string, Promise<string>>();
      const hashes = await Promise.all(group.map((w) => hashIds(writeKey, idsOfMessage(idsOfItem(w.item)), cache)));
      const suppressed = new Set((await suppressedAmong(this.env.DB, writeKey, hashes.flat())).map((h) => `${h.kind}:${h.hash}`));
      group.forEach((w, i) => {
        if (hashes[i]!.some((h) => suppressed.has(`${h.kind}:${h.hash}`))) w.suppressed = true;
      });
    }
  }

  /**
   * Erasure: removes a person's messages from the dead letters and from the
   * buffer (drained, they would be stored nowhere; failing, they would end in
   * the dead letters). Waits for a running drain, which holds rows in memory.
   */
  erase(person: PersonIds): Promise<{ deadLetters: number; pending: number }> {
    const run = this.drainRunning.then(() =>
      this.ctx.storage.transactionSync(() => {
        let deadLetters = 0;
        for (const letter of this.deadLetters()) {
          if (!namesPerson(idsOfItem(letter.item), person)) continue;
          this.sql.exec('DELETE FROM dead_letter WHERE seq = ?', letter.seq);
          deadLetters++;
        }
        let pending = 0;
        for (const row of this.sql.exec<{ seq: number; items: string }>('SELECT seq, items FROM pending').toArray()) {
          const items = JSON.parse(row.items) as PendingItem[];
          const kept = items.filter((item) => !namesPerson(idsOfItem(item), person));
          if (kept.length === items.length) continue;
          pending += items.length - kept.length;
          if (kept.length === 0) this.sql.exec('DELETE FROM pending WHERE seq = ?', row.seq);
          else this.sql.exec('UPDATE pending SET items = ?, item_count = ? WHERE seq = ?', JSON.stringify(kept), kept.length, row.seq);
        }
        if (pending > 0) {
          // Recommendations read not-yet-drained events from the view: it must not keep theirs either.
          this.view.forgetBefore(Number.MAX_SAFE_INTEGER);
          this.rebuildView();
        }
        return { deadLetters, pending };
      }),
    );
    this.drainRunning = run.catch(() => undefined);
    return run;
  }

  /** Removes what was stored; keeps the rest with its failure counted; dead-letters repeat offenders. */
  private settle(rows: PendingRow[], work: Draining[]): void {
    const bySeq = groupBy(work, (w) => String(w.seq));
    this.ctx.storage.transactionSync(() => {
      for (const row of rows) {
        const items = bySeq.get(String(row.seq)) ?? [];
        const remaining: PendingItem[] = [];
        for (const w of items) {
          if (w.stored || w.suppressed) continue;
          const soloFailures = (w.item.soloFailures ?? 0) + (w.blamed ? 1 : 0);
          if (soloFailures >= DEAD_AFTER_SOLO_FAILURES) {
            this.sql.exec(
              'INSERT INTO dead_letter (write_key, item, error, failed_at) VALUES (?, ?, ?, ?)',
              row.write_key,
              JSON.stringify(w.item),
              w.error ?? 'unknown error',
              new Date().toISOString(),
            );
          } else {
            remaining.push(w.blamed ? { ...w.item, soloFailures } : w.item);
          }
        }
        if (remaining.length === 0) {
          this.sql.exec('DELETE FROM pending WHERE seq = ?', row.seq);
        } else if (remaining.length !== items.length || items.some((w) => w.blamed)) {
          this.sql.exec(
            'UPDATE pending SET items = ?, item_count = ?, attempts = attempts + 1 WHERE seq = ?',
            JSON.stringify(remaining),
            remaining.length,
            row.seq,
          );
        } else {
          this.sql.exec('UPDATE pending SET attempts = attempts + 1 WHERE seq = ?', row.seq);
        }
      }
    });
  }

  private async schedule(delayMs: number): Promise<void> {
    this.alarmSet = true;
    await this.ctx.storage.setAlarm(Date.now() + delayMs);
  }
}

/** The person ids of a buffered item, normalised (rejected items buffered before ingest normalised them carry them raw). */
function idsOfItem(item: PendingItem): { anonymousId?: string; userId?: string } {
  const ids = item.kind === 'event' ? item.message : item.rejected;
  return { anonymousId: normalizeId(ids.anonymousId), userId: normalizeId(ids.userId) };
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
