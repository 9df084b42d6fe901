-- Messages that failed validation, with the reason: never silently dropped.
-- `rejection_id` is a digest of the message, so a retried bad message is kept once.
CREATE TABLE rejected (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  write_key    TEXT NOT NULL,
  rejection_id TEXT NOT NULL,
  message_id   TEXT,
  anonymous_id TEXT,
  user_id      TEXT,
  reason       TEXT NOT NULL,
  received_at  TEXT NOT NULL,
  body         TEXT NOT NULL,        -- the message as received, cut at 8 KB
  UNIQUE (write_key, rejection_id)
);
CREATE INDEX rejected_by_received ON rejected (write_key, received_at);
