/**
 * Rows copied between objects' SQLite tables (a shop moving from one object
 * to the sharded layout): each table's rows as arrays in its listed column
 * order, written in one statement per table; a row already there is replaced,
 * so a chunk copied twice (a move retried) changes nothing.
 */
import type { Sql, SqlValue } from './sql';

export type TableRows = Record<string, SqlValue[][]>;

/** Writes the rows of the allowed tables (and only those columns); returns how many rows. Call inside a transaction. */
export function copyRows(sql: Sql, allowed: Record<string, readonly string[]>, rows: TableRows): number {
  let n = 0;
  for (const [table, list] of Object.entries(rows)) {
    const columns = allowed[table];
    if (!columns) throw new Error(`no table ${table} to copy into`);
    if (list.length === 0) continue;
    sql.exec(
      `INSERT OR REPLACE INTO ${table} (${columns.join(', ')})
       SELECT ${columns.map((_, i) => `r.value ->> ${i}`).join(', ')} FROM json_each(?) AS r`,
      JSON.stringify(list),
    );
    n += list.length;
  }
  return n;
}

/** Reads up to `limit` rows of a table after a rowid cursor, in its listed column order. */
export function readRows(sql: Sql, table: string, columns: readonly string[], afterRowid: number, limit: number): { rows: SqlValue[][]; last: number } {
  const found = sql
    .exec<Record<string, SqlValue>>(`SELECT rowid AS _rowid, ${columns.join(', ')} FROM ${table} WHERE rowid > ? ORDER BY rowid LIMIT ?`, afterRowid, limit)
    .toArray();
  return { rows: found.map((row) => columns.map((c) => row[c] ?? null)), last: found.length ? Number(found[found.length - 1]!._rowid) : afterRowid };
}
