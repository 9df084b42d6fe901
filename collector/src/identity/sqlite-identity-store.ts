/**
 * The identity graph in a Durable Object's SQLite (ShopState). Its tables
 * (profiles, identities, merged_profiles) are the object's own schema steps
 * (schema-steps/).
 */
import { BoundedMap } from '../lib/bounded-map';
import type { Sql } from '../lib/sql';
import { profileIdFor, type IdKind, type IdentityStore } from './resolve-profile';

/** Id look-ups kept for reads between batches (a few MB). */
export const IDENTITY_READ_CACHE = 50_000;

export class SqliteIdentityStore implements IdentityStore {
  constructor(
    private readonly sql: Sql,
    /** Called inside the merge so the profile's own state (history, interests…) joins too. */
    private readonly onMerge: (from: string, into: string) => void = () => {},
    /** Called when profiles are removed (erasure), for what is kept of them elsewhere. */
    private readonly onForget: (profileIds: readonly string[]) => void = () => {},
  ) {}

  /**
   * Look-ups for reads (lookUp), kept between requests (null: no link).
   * Exact: link() forgets its key; merge() and forget(), which move or drop
   * many links at once, forget them all.
   */
  private readonly reads = new BoundedMap<string, string | null>(IDENTITY_READ_CACHE);

  /**
   * While a batch is applied: the ids looked up so far, kept up to date by
   * link() and dropped by merge() (a browser's every message asks again).
   */
  private batch: Map<string, string | undefined> | undefined;

  /** Starts remembering look-ups for one batch (inside its transaction). */
  begin(): void {
    this.batch = new Map();
  }

  /** Ends the batch (also after a failed one, whose transaction rolled back). */
  end(): void {
    this.batch = undefined;
  }

  profileOf(kind: IdKind, id: string): string | undefined {
    const key = `${kind}:${id}`;
    if (this.batch?.has(key)) return this.batch.get(key);
    const profileId = this.sql
      .exec<{ profile_id: string }>('SELECT profile_id FROM identities WHERE id_kind = ? AND id = ?', kind, id)
      .toArray()[0]?.profile_id;
    this.batch?.set(key, profileId);
    return profileId;
  }

  userOf(profileId: string): string | undefined {
    return this.sql.exec<{ user_id: string | null }>('SELECT user_id FROM profiles WHERE profile_id = ?', profileId).toArray()[0]?.user_id ?? undefined;
  }

  createProfile(seed: string): string {
    const profileId = profileIdFor(seed);
    const now = Date.now();
    this.sql.exec('INSERT OR IGNORE INTO profiles (profile_id, created_at, updated_at) VALUES (?, ?, ?)', profileId, now, now);
    return profileId;
  }

  /**
   * profileOf for the recommendation path, between batches: kept in memory
   * (a shopper's every request asks again). Inside a batch, profileOf.
   */
  lookUp(kind: IdKind, id: string): string | undefined {
    if (this.batch) return this.profileOf(kind, id);
    const key = `${kind}:${id}`;
    const kept = this.reads.get(key);
    if (kept !== undefined) return kept ?? undefined;
    const profileId = this.profileOf(kind, id);
    this.reads.set(key, profileId ?? null);
    return profileId;
  }

  link(kind: IdKind, id: string, profileId: string): void {
    this.batch?.set(`${kind}:${id}`, profileId);
    this.reads.delete(`${kind}:${id}`);
    this.sql.exec(
      'INSERT INTO identities (id_kind, id, profile_id) VALUES (?, ?, ?) ON CONFLICT (id_kind, id) DO UPDATE SET profile_id = excluded.profile_id',
      kind,
      id,
      profileId,
    );
  }

  setUser(profileId: string, userId: string): void {
    this.sql.exec('UPDATE profiles SET user_id = ?, updated_at = ? WHERE profile_id = ?', userId, Date.now(), profileId);
  }

  merge(from: string, into: string): void {
    if (this.batch) this.batch.clear();
    this.reads.clear();
    this.onMerge(from, into);
    this.sql.exec('UPDATE identities SET profile_id = ? WHERE profile_id = ?', into, from);
    this.sql.exec('UPDATE merged_profiles SET to_profile = ? WHERE to_profile = ?', into, from);
    this.sql.exec('INSERT OR REPLACE INTO merged_profiles (from_profile, to_profile) VALUES (?, ?)', from, into);
    this.sql.exec('DELETE FROM profiles WHERE profile_id = ?', from);
  }

  /** Does the profile exist (not erased, not merged away)? */
  exists(profileId: string): boolean {
    return this.sql.exec<{ x: number }>('SELECT 1 AS x FROM profiles WHERE profile_id = ?', profileId).toArray().length > 0;
  }

  /** A profile id as it is now, following merges. */
  current(profileId: string): string {
    return (
      this.sql.exec<{ to_profile: string }>('SELECT to_profile FROM merged_profiles WHERE from_profile = ?', profileId).toArray()[0]?.to_profile ?? profileId
    );
  }

  /**
   * Every id linked to the person `id` names (as a userId first, then as an
   * anonymousId, unless `kind` says which), and every profile id they ever had.
   */
  linkedTo(id: string, kind?: IdKind): { profileId: string; anonymousIds: string[]; userIds: string[]; profileIds: string[] } | undefined {
    const profileId = kind ? this.profileOf(kind, id) : (this.profileOf('user', id) ?? this.profileOf('anonymous', id));
    if (!profileId) return undefined;
    return this.linked(profileId);
  }

  /**
   * The same for a profile id (as people lists and audience exports name a
   * person), followed through merges to the profile it is now.
   */
  linkedToProfile(profileId: string): { profileId: string; anonymousIds: string[]; userIds: string[]; profileIds: string[] } | undefined {
    const current = this.current(profileId);
    return this.exists(current) ? this.linked(current) : undefined;
  }

  private linked(profileId: string): { profileId: string; anonymousIds: string[]; userIds: string[]; profileIds: string[] } {
    const ids = this.sql.exec<{ id_kind: IdKind; id: string }>('SELECT id_kind, id FROM identities WHERE profile_id = ?', profileId).toArray();
    const former = this.sql.exec<{ from_profile: string }>('SELECT from_profile FROM merged_profiles WHERE to_profile = ?', profileId).toArray();
    return {
      profileId,
      anonymousIds: ids.filter((row) => row.id_kind === 'anonymous').map((row) => row.id),
      userIds: ids.filter((row) => row.id_kind === 'user').map((row) => row.id),
      profileIds: [profileId, ...former.map((row) => row.from_profile)],
    };
  }

  /** Removes a person's profile and every id pointing at it. */
  forget(profileIds: readonly string[]): void {
    this.batch?.clear();
    this.reads.clear();
    this.onForget(profileIds);
    for (const profileId of profileIds) {
      this.sql.exec('DELETE FROM identities WHERE profile_id = ?', profileId);
      this.sql.exec('DELETE FROM profiles WHERE profile_id = ?', profileId);
      this.sql.exec('DELETE FROM merged_profiles WHERE from_profile = ? OR to_profile = ?', profileId, profileId);
    }
  }
}
