/**
 * The schema steps of the aggregate outbox module that ShopState hosts
 * (aggregates/aggregate-outbox.ts; migrateModule 'aggregate-outbox'), as shipped: step N is applied
 * once to every object that has run fewer than N of them (lib/migrate.ts).
 * They are counted under the module's name, so that name never changes.
 * Frozen like the D1 migrations: append a step, never edit one.
 */
export const AGGREGATE_OUTBOX_MIGRATIONS: readonly string[] = [
  // Step 1
  `
CREATE TABLE IF NOT EXISTS aggregate_layout (
  id     INTEGER PRIMARY KEY CHECK (id = 1),
  shards INTEGER NOT NULL          -- 0: the aggregates are in this object's own tables
);
CREATE TABLE IF NOT EXISTS aggregate_outbox (
  unit_id INTEGER PRIMARY KEY AUTOINCREMENT,
  shard   INTEGER NOT NULL,
  rows    TEXT NOT NULL            -- AggregateRows, JSON
);
CREATE INDEX IF NOT EXISTS aggregate_outbox_by_shard ON aggregate_outbox (shard, unit_id);
`,
];
