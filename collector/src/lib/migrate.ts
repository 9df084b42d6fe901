/**
 * Numbered schema steps for a Durable Object's own SQLite, like D1's
 * numbered migrations: each object records how far it got and applies only
 * the steps after that, once, when it starts. Append steps; never edit one
 * that has shipped.
 */
import { first, type Sql } from './sql';

export function migrate(sql: Sql, steps: readonly string[]): void {
  sql.exec('CREATE TABLE IF NOT EXISTS _schema_version (version INTEGER NOT NULL)');
  const recorded = first<{ version: number }>(sql, 'SELECT version FROM _schema_version');
  const current = recorded?.version ?? 0;
  for (let version = current; version < steps.length; version++) sql.exec(steps[version]!);
  // Whether a row exists, not whether it says 0: an object started with no steps records 0.
  if (!recorded) sql.exec('INSERT INTO _schema_version (version) VALUES (?)', steps.length);
  else if (current < steps.length) sql.exec('UPDATE _schema_version SET version = ?', steps.length);
}

/**
 * The numbered steps of one module that an object hosts next to its own
 * (the audience host in ShopState today, in profile shards later), counted
 * apart from the object's list so the module moves between objects with
 * its schema and never competes with the object's numbering.
 */
export function migrateModule(sql: Sql, module: string, steps: readonly string[]): void {
  sql.exec('CREATE TABLE IF NOT EXISTS _module_schema (module TEXT PRIMARY KEY, version INTEGER NOT NULL)');
  const current = first<{ version: number }>(sql, 'SELECT version FROM _module_schema WHERE module = ?', module)?.version ?? 0;
  for (let version = current; version < steps.length; version++) sql.exec(steps[version]!);
  if (current < steps.length) {
    sql.exec('INSERT INTO _module_schema (module, version) VALUES (?, ?) ON CONFLICT (module) DO UPDATE SET version = excluded.version', module, steps.length);
  }
}
