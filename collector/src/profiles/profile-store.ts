/**
 * Profile documents in ShopState's SQLite (the `data` column of the identity
 * graph's `profiles` table). A drain loads each profile it touches once,
 * applies all of its events, and writes it back once.
 */
import type { Sql } from '../lib/sql';
import { BoundedMap } from '../lib/bounded-map';
import { DAY_MS } from '../lib/decay';
import type { LifecycleStage, LifecycleThresholds } from '@trailmark/schema';
import { newProfile, type Profile } from './profile';

/**
 * Characters of JSON of the documents kept parsed for reads (parsed, they
 * take a few times as much heap): a busy shop's recent shoppers.
 */
export const PROFILE_READ_CACHE_CHARS = 8_000_000;

export class ProfileStore {
  private readonly loaded = new Map<string, Profile>();
  /**
   * Documents parsed for reads (null: none stored), kept between requests:
   * each recommendation reads its shopper's. Exact: every write of a
   * document goes through flush(), which forgets it, and so do forget() and
   * forgetReads() (merges, erasure). Shared: never changed by readers.
   */
  private readonly reads = new BoundedMap<string, Profile | null>(PROFILE_READ_CACHE_CHARS);
  private readonly dirty = new Set<string>();
  /** The documents the last flush wrote, until the next batch begins. */
  private flushed = new Map<string, Profile>();

  constructor(private readonly sql: Sql) {}

  /**
   * Starts a batch: forgets documents a batch that failed before flush() had
   * loaded and changed (its transaction rolled back; they must be read again).
   */
  begin(): void {
    this.loaded.clear();
    this.dirty.clear();
    this.flushed = new Map();
  }

  /**
   * The documents the batch's flush wrote, as written: for work later in the
   * same transaction (audience evaluation), which need not read them again.
   * Read it right after the batch; the next batch forgets it.
   */
  written(): ReadonlyMap<string, Profile> {
    return this.flushed;
  }

  /** The profile (as being edited, if it is), or undefined if it has no document yet. */
  find(profileId: string): Profile | undefined {
    return this.loaded.get(profileId) ?? this.stored(profileId).profile;
  }

  /** The document as stored, parsed, and the length of its JSON. */
  private stored(profileId: string): { profile?: Profile; chars: number } {
    const data = this.sql.exec<{ data: string | null }>('SELECT data FROM profiles WHERE profile_id = ?', profileId).toArray()[0]?.data;
    return data ? { profile: JSON.parse(data) as Profile, chars: data.length } : { chars: 0 };
  }

  /**
   * The profile for reading only (the recommendation path): as find(), but
   * kept parsed between requests. The document is shared: do not change it
   * (copy it first, as recommend/as-if-stored.ts does).
   */
  read(profileId: string): Profile | undefined {
    const editing = this.loaded.get(profileId);
    if (editing) return editing;
    const kept = this.reads.get(profileId);
    if (kept !== undefined) return kept ?? undefined;
    const { profile, chars } = this.stored(profileId);
    this.reads.set(profileId, profile ?? null, Math.max(1, chars));
    return profile;
  }

  /** Forgets the parsed copies of documents that were deleted (erasure). */
  forgetReads(profileIds: readonly string[]): void {
    for (const profileId of profileIds) this.reads.delete(profileId);
  }

  /** The profile for changing; created on first use. */
  edit(profileId: string, atMs: number): Profile {
    const profile = this.find(profileId) ?? newProfile(profileId, atMs);
    this.loaded.set(profileId, profile);
    this.dirty.add(profileId);
    return profile;
  }

  replace(profile: Profile): void {
    this.loaded.set(profile.profileId, profile);
    this.dirty.add(profile.profileId);
  }

  /** Shoppers by lifecycle stage (see lifecycleStage), counted over the index on last_seen. */
  lifecycleCounts(nowMs: number, t: LifecycleThresholds): Record<LifecycleStage, number> {
    const ago = (days: number) => nowMs - days * DAY_MS;
    const row = this.sql
      .exec<Record<LifecycleStage, number>>(
        `SELECT
           COUNT(*) FILTER (WHERE last_seen >= ?1 AND first_seen >= ?1 AND sessions <= 1) AS "new",
           COUNT(*) FILTER (WHERE last_seen >= ?1 AND NOT (first_seen >= ?1 AND sessions <= 1)) AS "active",
           COUNT(*) FILTER (WHERE last_seen < ?1 AND last_seen >= ?2) AS "at-risk",
           COUNT(*) FILTER (WHERE last_seen < ?2 AND last_seen >= ?3) AS "sleeping",
           COUNT(*) FILTER (WHERE last_seen < ?3) AS "lapsed"
         FROM profiles WHERE data IS NOT NULL`,
        ago(t.activeDays),
        ago(t.atRiskDays),
        ago(t.lapsedDays),
      )
      .one();
    return { new: row.new, active: row.active, 'at-risk': row['at-risk'], sleeping: row.sleeping, lapsed: row.lapsed };
  }

  forget(profileId: string): void {
    this.reads.delete(profileId);
    this.loaded.delete(profileId);
    this.dirty.delete(profileId);
  }

  /** Writes every changed profile; call inside the batch's transaction. */
  flush(): void {
    this.flushed = new Map();
    for (const profileId of this.dirty) {
      this.reads.delete(profileId);
      const profile = this.loaded.get(profileId);
      if (profile) {
        this.flushed.set(profileId, profile);
        this.sql.exec(
          'UPDATE profiles SET data = ?, updated_at = ?, first_seen = ?, last_seen = ?, sessions = ? WHERE profile_id = ?',
          JSON.stringify(profile),
          Date.now(),
          profile.firstSeen,
          profile.lastSeen,
          profile.sessionCount,
          profileId,
        );
      }
    }
    this.dirty.clear();
    this.loaded.clear();
  }
}
