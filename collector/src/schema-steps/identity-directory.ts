/**
 * The schema steps of an IdentityDirectory (identity/identity-directory.ts), as shipped: step N is
 * applied once to every object that has run fewer than N (lib/migrate.ts).
 * Frozen like the D1 migrations: append a step, never edit one.
 */
export const DIRECTORY_MIGRATIONS: readonly string[] = [
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
  profile_id TEXT,              -- null: suppressed
  applied_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS applied_by_time ON applied (applied_at);
CREATE TABLE IF NOT EXISTS suppressed_ids (id_hash TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS directory_layout (
  id     INTEGER PRIMARY KEY CHECK (id = 1),
  state  TEXT NOT NULL          -- 'ready' once a shop moved from one object has all its ids here
);`,
  // Step 2
  `
-- JSON: { attributions?, merged? }; null when the message earned nothing else.
ALTER TABLE applied ADD COLUMN outcome TEXT;
`,
  // Step 3
  `
CREATE TABLE IF NOT EXISTS suppressed (
  id_hash TEXT NOT NULL,
  id_kind TEXT NOT NULL,
  PRIMARY KEY (id_hash, id_kind)
) WITHOUT ROWID;
INSERT OR IGNORE INTO suppressed (id_hash, id_kind) SELECT id_hash, '*' FROM suppressed_ids;
DROP TABLE suppressed_ids;
`,
  // Step 4
  `
CREATE TABLE IF NOT EXISTS seen_orders (
  order_id   TEXT PRIMARY KEY,   -- properties.order_id of the first Order Completed counted (shop/seen-orders.ts)
  profile_id TEXT NOT NULL       -- the profile it went to: erasing it forgets the order id
);
CREATE INDEX IF NOT EXISTS seen_orders_by_profile ON seen_orders (profile_id);
`,
  // Step 5
  `
-- Order ids claimed per person, not per site (shop/seen-orders.ts): a copy
-- of a guessed order id from someone else no longer takes a shopper's order.
-- A claim is kept with the profile as it is now (a merge moves it along), so
-- each claim made so far goes to where its profile was merged.
CREATE TABLE IF NOT EXISTS order_claims (
  order_id   TEXT NOT NULL,      -- properties.order_id of an Order Completed counted
  profile_id TEXT NOT NULL,      -- the person it counted for: erasing them forgets it
  PRIMARY KEY (order_id, profile_id)
);
CREATE INDEX IF NOT EXISTS order_claims_by_profile ON order_claims (profile_id);
INSERT OR IGNORE INTO order_claims (order_id, profile_id)
SELECT s.order_id, COALESCE(m.to_profile, s.profile_id) FROM seen_orders s LEFT JOIN merged_profiles m ON m.from_profile = s.profile_id;
DROP TABLE seen_orders;
`,
  // Step 6
  `
-- A merge repoints every profile merged into the one going away
-- (UPDATE merged_profiles ... WHERE to_profile = ?), and a person's former
-- profile ids and erasure look them up the same way: without this index each
-- of those scanned every merge the site ever had.
CREATE INDEX IF NOT EXISTS merged_profiles_by_target ON merged_profiles (to_profile);
`,
];
