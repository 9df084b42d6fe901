/**
 * The schema steps of the audience module of a profile host (ShopState or a ProfileShard; migrateModule 'audiences'), as shipped: step N is
 * applied once to every object that has run fewer than N (lib/migrate.ts).
 * Frozen like the D1 migrations: append a step, never edit one.
 */
export const AUDIENCE_HOST_MIGRATIONS: readonly string[] = [
  // Step 1
  `
CREATE TABLE IF NOT EXISTS audience_definitions (
  audience_id    TEXT PRIMARY KEY,
  definition     TEXT NOT NULL,              -- JSON, validated
  backfill_after TEXT,                       -- profiles after this id still to evaluate; NULL: none
  deleting       INTEGER NOT NULL DEFAULT 0, -- members still being removed
  updated_at     INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS audience_members (
  audience_id TEXT NOT NULL,
  profile_id  TEXT NOT NULL,
  entered_at  INTEGER NOT NULL,
  PRIMARY KEY (audience_id, profile_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS audience_members_by_profile ON audience_members (profile_id);
CREATE TABLE IF NOT EXISTS audience_due (
  profile_id TEXT PRIMARY KEY,
  due_at     INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS audience_due_by_time ON audience_due (due_at);
CREATE TABLE IF NOT EXISTS audience_transitions (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  transition_id TEXT NOT NULL,
  audience_id   TEXT NOT NULL,
  profile_id    TEXT NOT NULL,
  kind          TEXT NOT NULL,               -- entered | exited
  at            INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS audience_transitions_by_profile ON audience_transitions (profile_id);
CREATE TABLE IF NOT EXISTS audience_sizes (
  audience_id TEXT PRIMARY KEY,
  members     INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS audience_size_days (
  audience_id TEXT NOT NULL,
  day         TEXT NOT NULL,                 -- YYYY-MM-DD (UTC); members at the end of that day on this host
  members     INTEGER NOT NULL,
  PRIMARY KEY (audience_id, day)
) WITHOUT ROWID;
`,
  // Step 2
  `
ALTER TABLE audience_definitions ADD COLUMN name TEXT NOT NULL DEFAULT '';
`,
  // Step 3
  `

CREATE TABLE IF NOT EXISTS audience_rfm (
  profile_id    TEXT PRIMARY KEY,
  orders        INTEGER NOT NULL,
  revenue       REAL NOT NULL,
  last_order_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS audience_rfm_by_orders ON audience_rfm (orders);
CREATE INDEX IF NOT EXISTS audience_rfm_by_revenue ON audience_rfm (revenue);
CREATE INDEX IF NOT EXISTS audience_rfm_by_last_order ON audience_rfm (last_order_at);
CREATE TABLE IF NOT EXISTS audience_rfm_bins (
  metric TEXT NOT NULL,      -- frequency, monetary: sketch bin (ZERO_BIN for values <= 0); recency: hour of the latest order
  bin    INTEGER NOT NULL,
  n      INTEGER NOT NULL,
  PRIMARY KEY (metric, bin)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS audience_host_state (
  key   TEXT PRIMARY KEY,   -- lifecycle (thresholds last applied), rfm (boundaries), rfm_backfill_after (profile id; 'done' when complete)
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audience_reevaluate (
  profile_id TEXT PRIMARY KEY,
  groups     INTEGER NOT NULL
) WITHOUT ROWID;
`,
  // Step 4
  `
ALTER TABLE audience_definitions ADD COLUMN kind TEXT NOT NULL DEFAULT 'live';
`,
];
