-- Suppressed ids keep their kind: one string can be one person's userId and
-- another person's anonymousId, and erasing the first must not silence the
-- second. A suppressed id matches only ids of its own kind ('anonymous' or
-- 'user'); ids suppressed before kinds were kept match either ('*').
ALTER TABLE suppressed_ids RENAME TO suppressed_ids_without_kind;

CREATE TABLE suppressed_ids (
  write_key     TEXT NOT NULL,
  id_hash       TEXT NOT NULL,       -- SHA-256 of the write key and the id
  id_kind       TEXT NOT NULL,       -- 'anonymous', 'user', or '*' (either)
  suppressed_at TEXT NOT NULL,
  PRIMARY KEY (write_key, id_hash, id_kind)
);

INSERT INTO suppressed_ids (write_key, id_hash, id_kind, suppressed_at)
SELECT write_key, id_hash, '*', suppressed_at FROM suppressed_ids_without_kind;

DROP TABLE suppressed_ids_without_kind;
