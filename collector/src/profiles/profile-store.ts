/**
 * Profile documents in ShopState's SQLite (the `data` column of the identity
 * graph's `profiles` table). A drain loads each profile it touches once,
 * applies all of its events, and writes it back once.
 */
import type { Sql } from '../lib/sql';
import { newProfile, type Profile } from './profile';

export class ProfileStore {
  private readonly loaded = new Map<string, Profile>();
  private readonly dirty = new Set<string>();

  constructor(private readonly sql: Sql) {}

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

  forget(profileId: string): void {
    this.loaded.delete(profileId);
    this.dirty.delete(profileId);
  }

  /** Writes every changed profile; call inside the batch's transaction. */
  flush(): void {
    for (const profileId of this.dirty) {
      const profile = this.loaded.get(profileId);
      if (profile) this.sql.exec('UPDATE profiles SET data = ?, updated_at = ? WHERE profile_id = ?', JSON.stringify(profile), Date.now(), profileId);
    }
    this.dirty.clear();
    this.loaded.clear();
  }
}
