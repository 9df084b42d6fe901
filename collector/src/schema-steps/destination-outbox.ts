/**
 * The schema steps of a DestinationOutbox (destinations/destination-outbox.ts), as shipped: step N is
 * applied once to every object that has run fewer than N (lib/migrate.ts).
 * Frozen like the D1 migrations: append a step, never edit one.
 */
export const OUTBOX_MIGRATIONS: readonly string[] = [
  // Step 1
  `
CREATE TABLE config (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  destination TEXT NOT NULL                 -- JSON StoredDestination, secrets included
);
CREATE TABLE outbox_state (
  name  TEXT PRIMARY KEY,
  value INTEGER
);
CREATE TABLE outbox (
  seq              INTEGER PRIMARY KEY AUTOINCREMENT,
  change_key       TEXT NOT NULL UNIQUE,
  webhook_id       TEXT NOT NULL,
  type             TEXT NOT NULL,
  profile_id       TEXT NOT NULL,
  ordering_key     TEXT NOT NULL,
  payload          TEXT,                    -- JSON WebhookPayload; NULL once delivered
  state            TEXT NOT NULL,           -- pending | delivered | dead
  attempts         INTEGER NOT NULL DEFAULT 0,
  enqueued_at      INTEGER NOT NULL,
  first_attempt_at INTEGER,
  next_at          INTEGER,                 -- NULL while an earlier change of the same ordering key is pending
  done_at          INTEGER
);
CREATE INDEX outbox_due ON outbox (state, next_at);
CREATE INDEX outbox_order ON outbox (ordering_key, seq);
CREATE INDEX outbox_profile ON outbox (profile_id);
CREATE TABLE attempt_log (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  webhook_id  TEXT NOT NULL,
  type        TEXT NOT NULL,
  attempt     INTEGER NOT NULL,
  at          INTEGER NOT NULL,
  status      INTEGER,
  duration_ms INTEGER NOT NULL,
  error       TEXT,
  response    TEXT,                         -- the start of a failed answer's body (may echo personal data)
  outcome     TEXT NOT NULL,
  next_at     INTEGER,
  profile_id  TEXT
);
CREATE INDEX attempt_log_profile ON attempt_log (profile_id);
CREATE INDEX attempt_log_at ON attempt_log (at);
`,
];
