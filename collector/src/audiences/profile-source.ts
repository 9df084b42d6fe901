/**
 * The ProfileSource of a host that keeps profile documents in the identity
 * graph's `profiles` table (identity/sqlite-identity-store.ts), as ShopState
 * does: documents in `data`, the linked customer in `user_id`.
 */
import type { Sql } from '../lib/sql';
import type { Profile } from '../profiles/profile';
import type { ProfileSource } from './audience-store';
import type { AudienceSubject } from './facts';

/** Bound parameters per statement, well under SQLite's limit. */
const CHUNK = 100;

type Row = { profile_id: string; user_id: string | null; data: string };

const subject = (row: Row): AudienceSubject => ({ profile: JSON.parse(row.data) as Profile, ...(row.user_id ? { userId: row.user_id } : {}) });

export function profilesTableSource(sql: Sql): ProfileSource {
  return {
    load(profileIds) {
      const out: AudienceSubject[] = [];
      for (let i = 0; i < profileIds.length; i += CHUNK) {
        const ids = profileIds.slice(i, i + CHUNK);
        const rows = sql.exec<Row>(`SELECT profile_id, user_id, data FROM profiles WHERE data IS NOT NULL AND profile_id IN (${ids.map(() => '?').join(', ')})`, ...ids);
        for (const row of rows) out.push(subject(row));
      }
      return out;
    },
    page(afterProfileId, limit) {
      return sql
        .exec<Row>('SELECT profile_id, user_id, data FROM profiles WHERE data IS NOT NULL AND profile_id > ? ORDER BY profile_id LIMIT ?', afterProfileId, limit)
        .toArray()
        .map(subject);
    },
  };
}
