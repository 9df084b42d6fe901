/**
 * The ProfileSource of a host that keeps profile documents in the identity
 * graph's `profiles` table (identity/sqlite-identity-store.ts), as ShopState
 * does: documents in `data`, the linked customer in `user_id`.
 */
import { first, type Sql } from '../lib/sql';
import type { Profile } from '../profiles/profile';
import type { PersonDirectory } from './audience-host';
import type { ProfileSource } from './audience-store';
import type { AudienceSubject } from './facts';

/** Bound parameters per statement, well under SQLite's limit. */
const CHUNK = 100;

type Row = { profile_id: string; user_id: string | null; data: string };

const subject = (row: Row): AudienceSubject => ({ profile: JSON.parse(row.data) as Profile, ...(row.user_id ? { userId: row.user_id } : {}) });

export function profilesTableSource(sql: Sql): ProfileSource {
  return {
    load(profileIds, documents) {
      const out: AudienceSubject[] = [];
      // Documents the caller holds are not parsed again: only their linked customer is read.
      const held = documents ? profileIds.filter((id) => documents.has(id)) : [];
      const rest = documents ? profileIds.filter((id) => !documents.has(id)) : profileIds;
      for (let i = 0; i < held.length; i += CHUNK) {
        const ids = held.slice(i, i + CHUNK);
        const rows = sql.exec<{ profile_id: string; user_id: string | null }>(
          `SELECT profile_id, user_id FROM profiles WHERE data IS NOT NULL AND profile_id IN (${ids.map(() => '?').join(', ')})`,
          ...ids,
        );
        for (const row of rows) out.push({ profile: documents!.get(row.profile_id)!, ...(row.user_id ? { userId: row.user_id } : {}) });
      }
      for (let i = 0; i < rest.length; i += CHUNK) {
        const ids = rest.slice(i, i + CHUNK);
        const rows = sql.exec<Row>(
          `SELECT profile_id, user_id, data FROM profiles WHERE data IS NOT NULL AND profile_id IN (${ids.map(() => '?').join(', ')})`,
          ...ids,
        );
        for (const row of rows) out.push(subject(row));
      }
      return out;
    },
    page(afterProfileId, limit) {
      return sql
        .exec<Row>(
          'SELECT profile_id, user_id, data FROM profiles WHERE data IS NOT NULL AND profile_id > ? ORDER BY profile_id LIMIT ?',
          afterProfileId,
          limit,
        )
        .toArray()
        .map(subject);
    },
  };
}

/**
 * The PersonDirectory of a host that keeps the identity graph itself, as
 * ShopState does: a profile merged away is followed to where it lives now,
 * its customer id and (some of) its browsers' anonymous ids are read there.
 */
export function identityTablesPeople(sql: Sql, anonymousIdsShown = 20): PersonDirectory {
  return {
    async describe(profileIds) {
      const out = new Map<string, { profileId: string; userId?: string; anonymousIds: string[] }>();
      for (const id of profileIds) {
        const current = first<{ to_profile: string }>(sql, 'SELECT to_profile FROM merged_profiles WHERE from_profile = ?', id)?.to_profile ?? id;
        const row = first<{ user_id: string | null }>(sql, 'SELECT user_id FROM profiles WHERE profile_id = ?', current);
        if (!row) continue;
        const anonymousIds = sql
          .exec<{ id: string }>("SELECT id FROM identities WHERE profile_id = ? AND id_kind = 'anonymous' ORDER BY id LIMIT ?", current, anonymousIdsShown)
          .toArray()
          .map((r) => r.id);
        out.set(id, { profileId: current, ...(row.user_id ? { userId: row.user_id } : {}), anonymousIds });
      }
      return out;
    },
  };
}
