-- Audience definitions (contract section 7), per site. The directory the admin
-- API lists and the source every profile host's replica is made from; the
-- memberships themselves live with the profiles (Durable Object SQLite).
CREATE TABLE IF NOT EXISTS audiences (
  site        TEXT NOT NULL,   -- write key
  id          TEXT NOT NULL,
  name        TEXT NOT NULL,
  definition  TEXT NOT NULL,   -- JSON, validated (schema/src/audience-schema.ts)
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  PRIMARY KEY (site, id)
);
CREATE INDEX IF NOT EXISTS audiences_by_id ON audiences (id);
