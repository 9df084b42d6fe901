/**
 * Profile documents in ShopState's SQLite (the `data` column of the identity
 * graph's `profiles` table). A drain loads each profile it touches once,
 * applies all of its events, and writes it back once.
 */
import type { Sql } from '../lib/sql';
import { DAY_MS } from '../lib/decay';
import type { LifecycleStage, LifecycleThresholds } from '@trailmark/schema';
import { newProfile, type Profile } from './profile';

export class ProfileStore {
  private readonly loaded = new Map<string, Profile>();
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
    const cached = this.loaded.get(profileId);
    if (cached) return cached;
    const row = this.sql.exec<{ data: string | null }>('SELECT data FROM profiles WHERE profile_id = ?', profileId).toArray()[0];
    return row?.data ? (JSON.parse(row.data) as Profile) : undefined;
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
    this.loaded.delete(profileId);
    this.dirty.delete(profileId);
  }

  /** Writes every changed profile; call inside the batch's transaction. */
  flush(): void {
    this.flushed = new Map();
    for (const profileId of this.dirty) {
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
