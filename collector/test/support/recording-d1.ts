import { env } from 'cloudflare:test';

/** The real D1, which also keeps each statement bound through it with its values (for EXPLAIN QUERY PLAN). */
export function recordingD1(statements: { sql: string; values: unknown[] }[]): D1Database {
  const db = env.DB;
  return new Proxy(db, {
    get(target, name) {
      if (name !== 'prepare') return Reflect.get(target, name);
      return (sql: string) => {
        const prepared = target.prepare(sql);
        return new Proxy(prepared, {
          get(p, n) {
            if (n !== 'bind') return Reflect.get(p, n);
            return (...values: unknown[]) => {
              statements.push({ sql, values });
              return p.bind(...values);
            };
          },
        });
      };
    },
  });
}
