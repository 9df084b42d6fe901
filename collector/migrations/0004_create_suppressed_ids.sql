-- Ids of erased people (SHA-256 of write key and id). Events carrying them
-- are acknowledged but never stored again.
CREATE TABLE suppressed_ids (
  write_key     TEXT NOT NULL,
  id_hash       TEXT NOT NULL,
  suppressed_at TEXT NOT NULL,
  PRIMARY KEY (write_key, id_hash)
);
