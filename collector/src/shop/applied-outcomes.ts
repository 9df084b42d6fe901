/**
 * What applying each message produced, kept by messageId: the profile it went
 * to, the recommendation credits it earned and the merge it caused. A drain
 * that fails after the profiles were updated is retried, and the retry must
 * store exactly what the first attempt would have, but the message cannot be
 * applied twice: so its recorded outcome is returned instead. (Recording only
 * the profile id lost the slot credits and the merge of such a batch.)
 *
 * A store over Sql, apart from the profiles it describes, so it moves with
 * them when the shop's state is split over several objects.
 */
import { first, type Sql } from '../lib/sql';
import type { Attribution } from '../profiles/apply-event';

export interface AppliedOutcome {
  /** The profile the message was applied to, or null when its ids were suppressed. */
  profileId: string | null;
  attributions?: Attribution[];
  /** The anonymous profile this message joined into an identified one. */
  merged?: { from: string; into: string };
  /** An `Order Completed` whose order_id was counted before (seen-orders.ts): it changed nothing. */
  repeatedOrder?: true;
}

const RETENTION_MS = 35 * 24 * 3600 * 1000;

export class AppliedOutcomes {
  constructor(private readonly sql: Sql) {}

  find(messageId: string): AppliedOutcome | undefined {
    const row = first<{ profile_id: string | null; outcome: string | null }>(
      this.sql,
      'SELECT profile_id, outcome FROM applied WHERE message_id = ?',
      messageId,
    );
    return row ? toOutcome(row) : undefined;
  }

  /** The recorded outcomes of many messages, in one query (a drained batch). */
  findMany(messageIds: readonly string[]): Map<string, AppliedOutcome> {
    const found = new Map<string, AppliedOutcome>();
    if (messageIds.length === 0) return found;
    for (const row of this.sql.exec<{ message_id: string; profile_id: string | null; outcome: string | null }>(
      'SELECT message_id, profile_id, outcome FROM applied WHERE message_id IN (SELECT value FROM json_each(?))',
      JSON.stringify(messageIds),
    )) {
      found.set(row.message_id, toOutcome(row));
    }
    return found;
  }

  record(messageId: string, outcome: AppliedOutcome, nowMs: number): void {
    this.recordMany([[messageId, outcome]], nowMs);
  }

  /** Records a batch's outcomes in one statement. */
  recordMany(outcomes: readonly (readonly [string, AppliedOutcome])[], nowMs: number): void {
    if (outcomes.length === 0) return;
    const rows = outcomes.map(([messageId, { profileId, ...rest }]) => [
      messageId,
      profileId,
      rest.attributions?.length || rest.merged || rest.repeatedOrder ? JSON.stringify(rest) : null,
    ]);
    this.sql.exec(
      `INSERT INTO applied (message_id, profile_id, applied_at, outcome)
       SELECT r.value ->> 0, r.value ->> 1, ?2, r.value ->> 2 FROM json_each(?1) AS r`,
      JSON.stringify(rows),
      nowMs,
    );
  }

  /** Forgets messageIds older than the retention; the event log's unique key still catches older retries. */
  prune(nowMs: number): void {
    this.sql.exec('DELETE FROM applied WHERE applied_at < ?', nowMs - RETENTION_MS);
  }
}

function toOutcome(row: { profile_id: string | null; outcome: string | null }): AppliedOutcome {
  return { profileId: row.profile_id, ...(row.outcome ? (JSON.parse(row.outcome) as Omit<AppliedOutcome, 'profileId'>) : {}) };
}
