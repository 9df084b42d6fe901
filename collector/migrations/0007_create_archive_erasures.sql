-- Erasures still being carried out in the R2 archive: the walk over a site's
-- archive objects, rewriting those that hold the person, can take longer than
-- one request; it goes on from `cursor` at the next cron trigger. The person
-- is kept only as digests (SHA-256 of the write key and the id) of their
-- userIds and profile ids, which is what the walk compares each line with.
-- The row goes when the walk is done; the tombstone in R2
-- (erasures/write_key=…/…json) stays for warehouse copies to apply.
CREATE TABLE archive_erasures (
  write_key      TEXT NOT NULL,
  erasure_id     TEXT NOT NULL,
  requested_at   TEXT NOT NULL,
  user_hashes    TEXT NOT NULL,  -- JSON array of digests
  profile_hashes TEXT NOT NULL,  -- JSON array of digests
  cursor         TEXT,           -- the archive listing's cursor where the walk stopped
  PRIMARY KEY (write_key, erasure_id)
);
