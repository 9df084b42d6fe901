/**
 * The schema steps of an AggregateShard (aggregates/aggregate-shard.ts), as shipped: step N is
 * applied once to every object that has run fewer than N (lib/migrate.ts).
 * Frozen like the D1 migrations: append a step, never edit one.
 */
export const AGGREGATE_SHARD_MIGRATIONS: readonly string[] = [
  // Step 1
  `
CREATE TABLE IF NOT EXISTS popularity (
  scope      TEXT NOT NULL,
  product_id TEXT NOT NULL,
  score      REAL NOT NULL,
  PRIMARY KEY (scope, product_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS popularity_top ON popularity (scope, score DESC);
CREATE TABLE IF NOT EXISTS links (
  kind  TEXT NOT NULL,                 -- 'v' viewed in one session, 'b' bought together
  a     TEXT NOT NULL,
  b     TEXT NOT NULL,
  score REAL NOT NULL,
  PRIMARY KEY (kind, a, b)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS links_top ON links (kind, a, score DESC);
CREATE TABLE IF NOT EXISTS item_totals (
  product_id TEXT PRIMARY KEY,
  views      REAL NOT NULL DEFAULT 0,
  buys       REAL NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS repurchase (
  product_id  TEXT PRIMARY KEY,
  intervals   INTEGER NOT NULL,
  mean_ms     REAL NOT NULL
) WITHOUT ROWID;


CREATE TABLE IF NOT EXISTS applied_units (
  id        INTEGER PRIMARY KEY CHECK (id = 1),
  last_unit INTEGER NOT NULL
);`,
  // Step 2
  `
ALTER TABLE popularity ADD COLUMN shoppers INTEGER NOT NULL DEFAULT 0;
CREATE TABLE IF NOT EXISTS popularity_shoppers (
  scope      TEXT NOT NULL,
  product_id TEXT NOT NULL,
  shopper    INTEGER NOT NULL,     -- hash53(profile id, scope, product)
  PRIMARY KEY (scope, product_id, shopper)
) WITHOUT ROWID;
`,
  // Step 3
  `
ALTER TABLE popularity_shoppers ADD COLUMN hour INTEGER NOT NULL DEFAULT 0;
`,
];
