/**
 * The identity graph's statements that follow merges backwards (who was
 * merged into this profile) must use an index on both objects that keep the
 * graph: a site merges a profile at every first login, and a scan per merge
 * grows with every merge the site ever had.
 */
import { describe, expect, it } from 'vitest';
import { migrate } from '../lib/migrate';
import { openSqlJs } from '../lib/sqljs-sql';
import { DIRECTORY_MIGRATIONS } from '../schema-steps/identity-directory';
import { SHOP_MIGRATIONS } from '../schema-steps/shop-state';
import { SqliteIdentityStore } from './sqlite-identity-store';

const BY_TARGET = [
  ['a merge', 'UPDATE merged_profiles SET to_profile = ? WHERE to_profile = ?'],
  ["a person's former profile ids", 'SELECT from_profile FROM merged_profiles WHERE to_profile = ?'],
  ['erasure', 'DELETE FROM merged_profiles WHERE from_profile = ? OR to_profile = ?'],
] as const;

describe.each([
  ['ShopState', SHOP_MIGRATIONS],
  ['IdentityDirectory', DIRECTORY_MIGRATIONS],
])('merged profiles in %s', (_, steps) => {
  it.each(BY_TARGET)('%s searches by index, never scans', async (_what, statement) => {
    const { db, sql } = await openSqlJs();
    migrate(sql, steps);
    const plan = db.exec(`EXPLAIN QUERY PLAN ${statement}`)[0]!.values.map((row) => String(row.at(-1)));
    expect(plan.join('\n')).toContain('merged_profiles_by_target');
    expect(plan.filter((detail) => /^SCAN merged_profiles\b/.test(detail))).toEqual([]);
  });

  it('a chain of merges ends at the last profile, and its former ids are found', async () => {
    const { sql } = await openSqlJs();
    migrate(sql, steps);
    const store = new SqliteIdentityStore(sql);
    for (const id of ['a', 'b', 'c']) sql.exec('INSERT INTO profiles (profile_id, created_at, updated_at) VALUES (?, 0, 0)', id);
    store.merge('a', 'b');
    store.merge('b', 'c');
    expect(store.current('a')).toBe('c');
    expect(store.linkedToProfile('a')?.profileIds.sort()).toEqual(['a', 'b', 'c']);
  });
});
