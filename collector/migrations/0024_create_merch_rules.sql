-- Merchandising rules (pin, boost, bury, exclude) per site. Every isolate
-- that serves recommendations reads a site's rules at most once a second
-- (collector/src/merchandising/rule-store.ts), so a change takes effect
-- everywhere within that second.
CREATE TABLE merch_rules (
  write_key  TEXT NOT NULL,
  id         TEXT NOT NULL,
  rule       TEXT NOT NULL,            -- JSON: the PUT body (schema/src/merchandising.ts)
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (write_key, id)
);
