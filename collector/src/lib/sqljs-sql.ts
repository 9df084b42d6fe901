/**
 * The Durable Object SQL interface (sql.ts) over sql.js, an
 * in-process SQLite, so the shop's state modules run offline exactly as they
 * run in ShopState.
 */
import initSqlJs, { type Database, type Statement } from 'sql.js';
import type { Sql, SqlCursor, SqlValue } from './sql';

/** Rows handed back by queries and rows changed by statements since the database was opened (what a Durable Object bills). */
export interface SqlCounters {
  rowsRead: number;
  rowsWritten: number;
}

export async function openSqlJs(data?: Uint8Array): Promise<{ sql: Sql; db: Database; counters: SqlCounters; transaction<T>(fn: () => T): T }> {
  const SQL = await initSqlJs();
  const db = new SQL.Database(data);
  // An offline, throwaway database: no journal file to write on every transaction.
  db.exec('PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF; PRAGMA temp_store = MEMORY;');
  const statements = new Map<string, Statement>();
  const counters: SqlCounters = { rowsRead: 0, rowsWritten: 0 };

  const exec = <T extends Record<string, SqlValue>>(query: string, ...bindings: unknown[]): SqlCursor<T> => {
    // Multi-statement scripts (schemas) run at once; single statements are prepared once and reused.
    if (
      bindings.length === 0 &&
      query.includes(';') &&
      query
        .trim()
        .split(';')
        .filter((s) => s.trim()).length > 1
    ) {
      db.exec(query);
      return cursor<T>([]);
    }
    let statement = statements.get(query);
    if (!statement) {
      statement = db.prepare(query);
      statements.set(query, statement);
    }
    statement.bind(bindings.map((b) => (b === undefined ? null : typeof b === 'boolean' ? Number(b) : b)) as never);
    const rows: T[] = [];
    while (statement.step()) rows.push(statement.getAsObject() as T);
    statement.reset();
    counters.rowsRead += rows.length;
    if (rows.length === 0 && !/^\s*SELECT/i.test(query)) counters.rowsWritten += db.getRowsModified();
    return cursor(rows);
  };

  return {
    sql: { exec },
    db,
    counters,
    transaction<T>(fn: () => T): T {
      db.exec('BEGIN');
      try {
        const result = fn();
        db.exec('COMMIT');
        return result;
      } catch (err) {
        db.exec('ROLLBACK');
        throw err;
      }
    },
  };
}

function cursor<T>(rows: T[]): SqlCursor<T> {
  return {
    toArray: () => rows,
    one: () => {
      if (rows.length !== 1) throw new Error(`expected one row, got ${rows.length}`);
      return rows[0]!;
    },
    [Symbol.iterator]: () => rows[Symbol.iterator](),
  };
}
