-- Destinations: where audience and campaign changes are delivered. This is
-- the directory (listing, and which destinations of a site take an
-- audience); each destination's secrets, outbox and delivery log live in its
-- own DestinationOutbox Durable Object, never here.
CREATE TABLE destinations (
  id         TEXT PRIMARY KEY,
  site       TEXT NOT NULL,            -- write key of the site whose changes it receives
  kind       TEXT NOT NULL,            -- webhook | segment
  url        TEXT NOT NULL,
  audiences  TEXT NOT NULL,            -- JSON array of audience ids
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX destinations_site ON destinations (site);
