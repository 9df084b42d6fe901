-- A site is one shop: its public write key, the origins allowed to send from
-- the browser, and its settings (consent, holdout split, lifecycle thresholds…).
CREATE TABLE sites (
  write_key       TEXT PRIMARY KEY,
  name            TEXT NOT NULL,
  allowed_origins TEXT NOT NULL DEFAULT '[]', -- JSON array of origin patterns
  settings        TEXT NOT NULL DEFAULT '{}', -- JSON, see collector/src/sites/site.ts
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL
);
