-- The event log: every accepted message once, enriched. Idempotent on
-- (write_key, message_id); `seq` orders the export and serves as its cursor.
CREATE TABLE events (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  write_key    TEXT NOT NULL,
  message_id   TEXT NOT NULL,
  type         TEXT NOT NULL,
  event        TEXT,                 -- track: event name; page/screen: name
  anonymous_id TEXT,
  user_id      TEXT,
  profile_id   TEXT NOT NULL,        -- profile at store time; see profile_merges
  timestamp    TEXT NOT NULL,        -- clock-skew corrected
  received_at  TEXT NOT NULL,
  country      TEXT,
  region       TEXT,
  bot          INTEGER NOT NULL DEFAULT 0,
  body         TEXT NOT NULL,        -- the whole enriched message as JSON
  UNIQUE (write_key, message_id)
);
CREATE INDEX events_by_received ON events (write_key, received_at);
CREATE INDEX events_by_anonymous_id ON events (write_key, anonymous_id);
CREATE INDEX events_by_user_id ON events (write_key, user_id);
CREATE INDEX events_by_profile ON events (write_key, profile_id);

-- When an anonymous profile joins an identified one, events stored under the
-- old id are reported under the new one. Kept closed: `to_profile` is final.
CREATE TABLE profile_merges (
  write_key    TEXT NOT NULL,
  from_profile TEXT NOT NULL,
  to_profile   TEXT NOT NULL,
  merged_at    TEXT NOT NULL,
  PRIMARY KEY (write_key, from_profile)
);
CREATE INDEX profile_merges_by_target ON profile_merges (write_key, to_profile);
