/**
 * The schema steps of the profile layout module that ShopState hosts
 * (shop/profile-layout.ts; migrateModule 'profile-layout'), as shipped: step N is applied
 * once to every object that has run fewer than N of them (lib/migrate.ts).
 * They are counted under the module's name, so that name never changes.
 * Frozen like the D1 migrations: append a step, never edit one.
 */
export const PROFILE_LAYOUT_MIGRATIONS: readonly string[] = [
  // Step 1
  `
CREATE TABLE IF NOT EXISTS profile_layout (
  id             INTEGER PRIMARY KEY CHECK (id = 1),
  shards         INTEGER NOT NULL,          -- 0: the profiles are in this object's own tables
  moving_to      INTEGER NOT NULL DEFAULT 0, -- a move under way, to this many shards
  applied_cursor INTEGER NOT NULL DEFAULT 0  -- rowid of the last resolution copied
);`,
];
