/**
 * A profile shard's state over a SQLite database: the documents of the
 * profiles that hash to it, the outcome of every message it applied, and
 * the merges that moved a document out of it or into it.
 *
 * Exactly once, whatever the drain retries:
 * - a messageId applied before returns its recorded outcome (profile,
 *   recommendation credits, and the effects the shop-wide aggregates take
 *   from it), and is not applied again;
 * - a merge has an id (the messageId that caused it). The source shard
 *   hands the document out once and keeps it as a tombstone until the
 *   target acknowledges; asked again, it hands out the same tombstone. The
 *   target joins a merge id once. A document merged away is remembered as
 *   moved, so a message that reaches the old profile late (a drain of another
 *   ingest shard resolved it before the merge) is sent on to where it went.
 * Pure over Sql; the Durable Object around it is profile-shard.ts.
 */
import type { StoredMessage } from '@trailmark/schema';
import { eventTimeMs } from '../lib/event-time';
import { hash53 } from '../lib/hash';
import { first, type Sql } from '../lib/sql';
import type { TableRows } from '../lib/copy-rows';
import { regionKey } from '../recommend/learn';
import { sessionKey } from '../recommend/session-store';
import { applyEvent, type Attribution, type EventEffects } from './apply-event';
import { mergeProfiles } from './merge';
import type { Profile } from './profile';
import { ProfileStore } from './profile-store';

/** A profile shard's schema steps, frozen as shipped (lib/migrate.ts). */
export { PROFILE_SHARD_MIGRATIONS } from '../schema-steps/profile-shard';

/** A message for a profile of this shard, as the directory resolved it. */
export interface ProfileItem {
  message: StoredMessage;
  profileId: string;
  /** The profile's customer, as the directory knows it. */
  userId?: string;
}

/** What the shop-wide aggregates and session index take from one applied message (ShopState.learnEffects). */
export interface LearnEffects {
  effects: Omit<EventEffects, 'attributions'>;
  atMs: number;
  region?: string;
  /** The session's views so far, for the session index (recommend/session-store.ts). */
  session?: { key: string; productId: string; products: string[] };
}

export interface ProfileApplied {
  /** Applied by this call (not a recorded outcome returned again). */
  fresh?: boolean;
  /** Where the message was applied (or is recorded as applied). */
  profileId: string;
  attributions?: Attribution[];
  learn?: LearnEffects;
  /** The profile was merged away before this message reached it: send it on to this one. */
  movedTo?: string;
  /** The profile was erased after the directory resolved this message: it is stored nowhere. */
  erased?: boolean;
}

interface ShardOutcome {
  attributions?: Attribution[];
  learn?: LearnEffects;
}

const RETENTION_MS = 35 * 24 * 3600 * 1000;

/** The shard of a profile, of `shards`. */
export const profileShardOf = (profileId: string, shards: number): number => hash53(profileId) % shards;

export class ProfileShardModel {
  readonly profiles: ProfileStore;

  constructor(private readonly sql: Sql) {
    this.profiles = new ProfileStore(sql);
  }

  /** Applies messages in order, each at most once; run inside one transaction. */
  apply(items: readonly ProfileItem[], currency: string, nowMs: number): ProfileApplied[] {
    this.profiles.begin();
    const known = this.recorded(items.map((item) => item.message.messageId));
    const moved = new Map<string, string | null>();
    const movedTo = (profileId: string) => {
      if (!moved.has(profileId))
        moved.set(profileId, first<{ into_profile: string }>(this.sql, 'SELECT into_profile FROM moved WHERE profile_id = ?', profileId)?.into_profile ?? null);
      const to = moved.get(profileId);
      return to === null ? undefined : to;
    };
    const ensured = new Set<string>();
    const toRecord: [string, string, ShardOutcome][] = [];
    const out = items.map(({ message, profileId, userId }): ProfileApplied => {
      const recorded = known.get(message.messageId);
      if (recorded) return { profileId: recorded.profileId, ...recorded.outcome };
      const away = movedTo(profileId);
      if (away === '') return { profileId, erased: true };
      if (away) return { profileId, movedTo: away };
      if (!ensured.has(profileId)) {
        this.ensureProfile(profileId, userId, nowMs);
        ensured.add(profileId);
      }
      // Bots are stitched (the directory linked them) but kept out of profiles and aggregates.
      const outcome: ShardOutcome = message.context.bot ? {} : this.learn(profileId, message, currency);
      known.set(message.messageId, { profileId, outcome });
      toRecord.push([message.messageId, profileId, outcome]);
      return { profileId, ...outcome, fresh: true };
    });
    this.profiles.flush();
    if (toRecord.length > 0) {
      this.sql.exec(
        `INSERT INTO applied (message_id, profile_id, applied_at, outcome)
         SELECT r.value ->> 0, r.value ->> 1, ?2, r.value ->> 2 FROM json_each(?1) AS r`,
        JSON.stringify(toRecord.map(([id, profileId, outcome]) => [id, profileId, outcome.attributions || outcome.learn ? JSON.stringify(outcome) : null])),
        nowMs,
      );
    }
    return out;
  }

  private learn(profileId: string, message: StoredMessage, currency: string): ShardOutcome {
    const atMs = eventTimeMs(message);
    const profile = this.profiles.edit(profileId, atMs);
    const { attributions, ...effects } = applyEvent(profile, message, { currency });
    const region = regionKey(message.context.geo);
    const session = effects.viewed
      ? { key: sessionKey(profileId, profile.session.id), productId: effects.viewed.product.productId, products: [...profile.session.views] }
      : undefined;
    const learn: LearnEffects | undefined =
      effects.viewed || effects.added || effects.ordered || effects.repurchased?.length
        ? { effects, atMs, ...(region ? { region } : {}), ...(session ? { session } : {}) }
        : undefined;
    return { ...(attributions?.length ? { attributions } : {}), ...(learn ? { learn } : {}) };
  }

  /** The profile's row exists (documents are written by UPDATE) and names its customer. */
  private ensureProfile(profileId: string, userId: string | undefined, nowMs: number): void {
    const row = first<{ user_id: string | null }>(this.sql, 'SELECT user_id FROM profiles WHERE profile_id = ?', profileId);
    if (!row) {
      if (userId) this.sql.exec('UPDATE profiles SET user_id = NULL WHERE user_id = ?', userId);
      this.sql.exec('INSERT INTO profiles (profile_id, user_id, created_at, updated_at) VALUES (?, ?, ?, ?)', profileId, userId ?? null, nowMs, nowMs);
    } else if (userId && row.user_id !== userId) {
      this.sql.exec('UPDATE profiles SET user_id = NULL WHERE user_id = ?', userId);
      this.sql.exec('UPDATE profiles SET user_id = ? WHERE profile_id = ?', userId, profileId);
    }
  }

  private recorded(messageIds: readonly string[]): Map<string, { profileId: string; outcome: ShardOutcome }> {
    const found = new Map<string, { profileId: string; outcome: ShardOutcome }>();
    if (messageIds.length === 0) return found;
    for (const row of this.sql.exec<{ message_id: string; profile_id: string; outcome: string | null }>(
      'SELECT message_id, profile_id, outcome FROM applied WHERE message_id IN (SELECT value FROM json_each(?))',
      JSON.stringify(messageIds),
    )) {
      found.set(row.message_id, { profileId: row.profile_id, outcome: row.outcome ? (JSON.parse(row.outcome) as ShardOutcome) : {} });
    }
    return found;
  }

  /**
   * The source side of a merge: hands out `from`'s document (null if it has
   * none) and keeps it as a tombstone; the profile row goes. Asked again
   * for the same merge id, hands out the same; `done` once acknowledged.
   */
  mergeOut(mergeId: string, from: string, into: string, nowMs: number): { doc: Profile | null; done: boolean; repeat?: boolean; campaigns?: TableRows } {
    const seen = first<{ doc: string | null; campaigns: string | null; acked: number }>(
      this.sql,
      'SELECT doc, campaigns, acked FROM merges_out WHERE merge_id = ?',
      mergeId,
    );
    if (seen) {
      return {
        doc: seen.doc ? (JSON.parse(seen.doc) as Profile) : null,
        done: seen.acked === 1,
        repeat: true,
        ...(seen.campaigns ? { campaigns: JSON.parse(seen.campaigns) as TableRows } : {}),
      };
    }
    const doc = this.profiles.find(from) ?? null;
    this.sql.exec(
      'INSERT INTO merges_out (merge_id, from_profile, into_profile, doc, at) VALUES (?, ?, ?, ?, ?)',
      mergeId,
      from,
      into,
      doc ? JSON.stringify(doc) : null,
      nowMs,
    );
    this.sql.exec('INSERT OR REPLACE INTO moved (profile_id, into_profile) VALUES (?, ?)', from, into);
    this.sql.exec('UPDATE moved SET into_profile = ? WHERE into_profile = ?', into, from);
    this.sql.exec('DELETE FROM profiles WHERE profile_id = ?', from);
    return { doc, done: false };
  }

  /** The campaign rows a merge hands out, kept with its tombstone. */
  keepCampaignRows(mergeId: string, rows: TableRows): void {
    if (Object.keys(rows).length > 0) this.sql.exec('UPDATE merges_out SET campaigns = ? WHERE merge_id = ?', JSON.stringify(rows), mergeId);
  }

  /** The target side: joins `doc` into `into`, once per merge id (as ShopModel.mergeDocuments); false when it had been. */
  mergeIn(mergeId: string, into: string, doc: Profile | null, userId: string | undefined, currency: string, nowMs: number): boolean {
    if (first(this.sql, 'SELECT 1 AS x FROM merges_in WHERE merge_id = ?', mergeId)) return false;
    this.sql.exec('INSERT INTO merges_in (merge_id, at) VALUES (?, ?)', mergeId, nowMs);
    if (!doc) return true;
    this.profiles.begin();
    this.ensureProfile(into, userId, nowMs);
    const target = this.profiles.find(into);
    this.profiles.replace(target ? mergeProfiles(target, doc, currency) : { ...doc, profileId: into });
    this.profiles.flush();
    return true;
  }

  /** The target has the document: the tombstone's copy goes (the merge id stays, so a retry knows). */
  mergeAcked(mergeId: string): void {
    this.sql.exec('UPDATE merges_out SET doc = NULL, campaigns = NULL, acked = 1 WHERE merge_id = ?', mergeId);
  }

  find(profileId: string): Profile | undefined {
    return this.profiles.find(profileId);
  }

  /**
   * Erasure: the documents go, and any tombstone of them; each is remembered
   * as erased ('' in `moved`), so a message a drain resolved just before the
   * erasure does not bring the profile back.
   */
  forget(profileIds: readonly string[]): void {
    for (const profileId of profileIds) {
      this.sql.exec('DELETE FROM profiles WHERE profile_id = ?', profileId);
      this.sql.exec('UPDATE merges_out SET doc = NULL, campaigns = NULL WHERE from_profile = ? OR into_profile = ?', profileId, profileId);
      this.sql.exec("INSERT OR REPLACE INTO moved (profile_id, into_profile) VALUES (?, '')", profileId);
    }
  }

  prune(nowMs: number): void {
    this.sql.exec('DELETE FROM applied WHERE applied_at < ?', nowMs - RETENTION_MS);
    this.sql.exec('DELETE FROM merges_in WHERE at < ?', nowMs - RETENTION_MS);
    this.sql.exec('DELETE FROM merges_out WHERE acked = 1 AND at < ?', nowMs - RETENTION_MS);
  }
}
