/**
 * The schema steps of the ingest-settled module that ShopState hosts
 * (shop/ingest-settled.ts; migrateModule 'ingest-settled'), as shipped: step N is applied
 * once to every object that has run fewer than N of them (lib/migrate.ts).
 * They are counted under the module's name, so that name never changes.
 * Frozen like the D1 migrations: append a step, never edit one.
 */
export const INGEST_SETTLED_MIGRATIONS: readonly string[] = [
  // Step 1
  `CREATE TABLE IF NOT EXISTS ingest_settled (
  shard INTEGER PRIMARY KEY,  -- the ingest shard's index
  below INTEGER NOT NULL      -- every pending row with a smaller seq has settled
);`,
];
