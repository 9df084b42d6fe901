/**
 * The schema steps of an IngestShard (storage/ingest-shard.ts), as shipped: step N is
 * applied once to every object that has run fewer than N (lib/migrate.ts).
 * Frozen like the D1 migrations: append a step, never edit one.
 */
export const INGEST_SHARD_MIGRATIONS: readonly string[] = [
  // Step 1: the accept buffer, and the messages that kept failing on their own.
  `
CREATE TABLE IF NOT EXISTS pending (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  write_key  TEXT NOT NULL,
  items      TEXT NOT NULL,              -- JSON array of PendingItem
  item_count INTEGER NOT NULL,
  attempts   INTEGER NOT NULL DEFAULT 0  -- failed drains this row was part of
);
CREATE TABLE IF NOT EXISTS dead_letter (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  write_key  TEXT NOT NULL,
  item       TEXT NOT NULL,
  error      TEXT NOT NULL,
  failed_at  TEXT NOT NULL
);
`,
  // Step 2: messages acknowledged but dropped by the site's privacy settings, counted by reason.
  `
CREATE TABLE IF NOT EXISTS dropped (
  write_key TEXT NOT NULL,
  reason    TEXT NOT NULL,
  count     INTEGER NOT NULL,
  PRIMARY KEY (write_key, reason)
);
`,
  // Step 3: the sizes and attempts of the rows on their own. A row's items are
  // large (SQLite keeps them in overflow pages, and the columns after them at
  // the end of that chain), so reading a count from the table reads every
  // waiting message; from this index, a few bytes a row.
  `
CREATE INDEX IF NOT EXISTS pending_sizes ON pending (seq, item_count, attempts);
`,
];
