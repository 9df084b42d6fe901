import { describe, expect, it } from 'vitest';
import { migrate, migrateModule } from './migrate';
import type { Sql } from './sql';
import { openSqlJs } from './sqljs-sql';

const tables = (sql: Sql) =>
  sql
    .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' ORDER BY name")
    .toArray()
    .map((r) => r.name);
const versions = (sql: Sql) =>
  sql
    .exec<{ version: number }>('SELECT version FROM _schema_version')
    .toArray()
    .map((r) => r.version);
// Each step fails if it runs twice, so a re-run shows as an error.
const STEPS = ['CREATE TABLE a (x INTEGER)', 'CREATE TABLE b (y TEXT)', 'ALTER TABLE a ADD COLUMN z TEXT'];

describe('numbered schema steps of an object', () => {
  it('applies every step on a fresh database and records how far it got', async () => {
    const { sql } = await openSqlJs();
    migrate(sql, STEPS);
    expect(tables(sql)).toEqual(['a', 'b']);
    expect(
      sql
        .exec<{ name: string }>('SELECT name FROM pragma_table_info(?)', 'a')
        .toArray()
        .map((c) => c.name),
    ).toEqual(['x', 'z']);
    expect(versions(sql)).toEqual([3]);
  });

  it('runs nothing again on the next start, and only the appended steps after a release adds some', async () => {
    const { sql } = await openSqlJs();
    migrate(sql, STEPS.slice(0, 1));
    migrate(sql, STEPS.slice(0, 1));
    expect(versions(sql)).toEqual([1]);
    migrate(sql, STEPS);
    migrate(sql, STEPS);
    expect(tables(sql)).toEqual(['a', 'b']);
    expect(versions(sql)).toEqual([3]);
  });

  it('leaves a database ahead of the code as it is (an older build starting on a newer schema)', async () => {
    const { sql } = await openSqlJs();
    migrate(sql, STEPS);
    migrate(sql, STEPS.slice(0, 2));
    expect(versions(sql)).toEqual([3]);
  });

  it('keeps one version row when an object first starts with no steps and later gets some', async () => {
    const { sql } = await openSqlJs();
    migrate(sql, []);
    expect(versions(sql)).toEqual([0]);
    migrate(sql, STEPS.slice(0, 1));
    migrate(sql, STEPS.slice(0, 1));
    expect(versions(sql)).toEqual([1]);
  });

  it('throws on a failing step and records no version past the last one that ran before it', async () => {
    const { sql } = await openSqlJs();
    migrate(sql, STEPS.slice(0, 1));
    expect(() => migrate(sql, [...STEPS.slice(0, 1), 'CREATE TABLE b (', 'CREATE TABLE c (x)'])).toThrow();
    expect(versions(sql)).toEqual([1]);
    expect(tables(sql)).toEqual(['a']);
    // Inside a transaction, as the objects run it, nothing of a failed start stays.
    const fresh = await openSqlJs();
    expect(() => fresh.transaction(() => migrate(fresh.sql, ['CREATE TABLE a (x)', 'NOT SQL']))).toThrow();
    expect(tables(fresh.sql)).toEqual([]);
  });
});

describe('numbered schema steps of a module hosted in an object', () => {
  it('counts each module apart from the object and from the other modules', async () => {
    const { sql } = await openSqlJs();
    migrate(sql, ['CREATE TABLE own (x)']);
    migrateModule(sql, 'audiences', ['CREATE TABLE aud (x)', 'CREATE TABLE aud2 (x)']);
    migrateModule(sql, 'outbox', ['CREATE TABLE outbox (x)']);
    migrateModule(sql, 'audiences', ['CREATE TABLE aud (x)', 'CREATE TABLE aud2 (x)']);
    migrateModule(sql, 'outbox', ['CREATE TABLE outbox (x)', 'CREATE TABLE outbox2 (x)']);
    expect(tables(sql)).toEqual(['aud', 'aud2', 'outbox', 'outbox2', 'own']);
    expect(sql.exec('SELECT module, version FROM _module_schema ORDER BY module').toArray()).toEqual([
      { module: 'audiences', version: 2 },
      { module: 'outbox', version: 2 },
    ]);
    expect(versions(sql)).toEqual([1]);
  });

  it('records nothing for a module with no steps yet, then applies its first step once', async () => {
    const { sql } = await openSqlJs();
    migrateModule(sql, 'm', []);
    expect(sql.exec('SELECT * FROM _module_schema').toArray()).toEqual([]);
    migrateModule(sql, 'm', ['CREATE TABLE t (x)']);
    migrateModule(sql, 'm', ['CREATE TABLE t (x)']);
    expect(sql.exec('SELECT module, version FROM _module_schema').toArray()).toEqual([{ module: 'm', version: 1 }]);
  });
});
