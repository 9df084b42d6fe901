/**
 * How far the site's ingest shards have settled, as ShopState knows it: per
 * shard, the seq below which every pending row has left the shard (applied
 * here, or dead-lettered, or erased). A shard tells ShopState after each
 * drain that moved it (storage/ingest-shard.ts), so what is kept here is
 * never ahead of the shard: a row below it is in the stored state.
 *
 * A recommendation request with an ack token (recommend/ack-token.ts) whose
 * seq is below its shard's mark has nothing pending in the shard, and is
 * answered from the stored state alone. Kept in ShopState's SQLite (a
 * restarted object still knows) and in memory. Pure over Sql: tested beside.
 */
import type { Sql } from '../lib/sql';

/** The name each object counts this module's schema steps under (lib/migrate.ts migrateModule): never renamed. */
export const INGEST_SETTLED_MODULE = 'ingest-settled';
/** The module's schema steps, frozen as shipped (lib/migrate.ts migrateModule, module "ingest-settled"). */
export { INGEST_SETTLED_MIGRATIONS } from '../schema-steps/ingest-settled';

export class IngestSettled {
  private marks: Map<number, number> | undefined;

  constructor(private readonly sql: Sql) {}

  /** Shard `shard` has settled every row below `below`; a mark never moves back (a late, older report changes nothing). */
  record(shard: number, below: number): void {
    const marks = this.read();
    if (below <= (marks.get(shard) ?? 0)) return;
    this.sql.exec('INSERT INTO ingest_settled (shard, below) VALUES (?, ?) ON CONFLICT (shard) DO UPDATE SET below = MAX(below, excluded.below)', shard, below);
    marks.set(shard, below);
  }

  /** Has the row `seq` of shard `shard` settled? */
  covers(shard: number, seq: number): boolean {
    return seq < (this.read().get(shard) ?? 0);
  }

  private read(): Map<number, number> {
    if (!this.marks) {
      this.marks = new Map();
      for (const row of this.sql.exec<{ shard: number; below: number }>('SELECT shard, below FROM ingest_settled')) this.marks.set(row.shard, row.below);
    }
    return this.marks;
  }
}
