/**
 * The part of a Durable Object's SqlStorage the state modules use. Keeping to
 * it lets the same modules run offline over another SQLite (the
 * recommendation benchmark replays real sessions through them).
 */
/** A value SQLite hands back (the same as the Workers runtime's SqlStorageValue). */
export type SqlValue = ArrayBuffer | string | number | null;

export interface SqlCursor<T> extends Iterable<T> {
  toArray(): T[];
  one(): T;
}

export interface Sql {
  exec<T extends Record<string, SqlValue>>(query: string, ...bindings: unknown[]): SqlCursor<T>;
}

/** First row or undefined. */
export function first<T extends Record<string, SqlValue>>(sql: Sql, query: string, ...bindings: unknown[]): T | undefined {
  for (const row of sql.exec<T>(query, ...bindings)) return row;
  return undefined;
}
