/**
 * The schema steps of a ProfileShard (profiles/profile-shard.ts), as shipped: step N is
 * applied once to every object that has run fewer than N (lib/migrate.ts).
 * Frozen like the D1 migrations: append a step, never edit one.
 */
export const PROFILE_SHARD_MIGRATIONS: readonly string[] = [
  // Step 1
  `
CREATE TABLE IF NOT EXISTS profiles (
  profile_id TEXT PRIMARY KEY,
  user_id    TEXT UNIQUE,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  data       TEXT,               -- the profile document (profiles/profile.ts), JSON
  first_seen INTEGER,            -- copied from the document, for lifecycle counts
  last_seen  INTEGER,
  sessions   INTEGER
);
CREATE INDEX IF NOT EXISTS profiles_by_last_seen ON profiles (last_seen);
CREATE TABLE IF NOT EXISTS identities (
  id_kind    TEXT NOT NULL,
  id         TEXT NOT NULL,
  profile_id TEXT NOT NULL,
  PRIMARY KEY (id_kind, id)
);
CREATE INDEX IF NOT EXISTS identities_by_profile ON identities (profile_id);
CREATE TABLE IF NOT EXISTS merged_profiles (
  from_profile TEXT PRIMARY KEY,
  to_profile   TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS applied (
  message_id TEXT PRIMARY KEY,
  profile_id TEXT,
  applied_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS applied_by_time ON applied (applied_at);`,
  // Step 2
  `
-- JSON: { attributions?, merged? }; null when the message earned nothing else.
ALTER TABLE applied ADD COLUMN outcome TEXT;
`,
  // Step 3
  `
CREATE TABLE IF NOT EXISTS merges_out (
  merge_id     TEXT PRIMARY KEY,
  from_profile TEXT NOT NULL,
  into_profile TEXT NOT NULL,
  doc          TEXT,             -- the document handed out, until the target acknowledged (then null)
  campaigns    TEXT,             -- its campaign rows (lib/copy-rows.ts TableRows), likewise
  acked        INTEGER NOT NULL DEFAULT 0,
  at           INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS merges_in (
  merge_id TEXT PRIMARY KEY,
  at       INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS moved (
  profile_id TEXT PRIMARY KEY,
  into_profile TEXT NOT NULL
);`,
];
