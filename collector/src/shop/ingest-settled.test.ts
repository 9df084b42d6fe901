import { describe, expect, it } from 'vitest';
import { migrateModule } from '../lib/migrate';
import { openSqlJs } from '../lib/sqljs-sql';
import { INGEST_SETTLED_MIGRATIONS, INGEST_SETTLED_MODULE, IngestSettled } from './ingest-settled';

async function open() {
  const { sql } = await openSqlJs();
  migrateModule(sql, INGEST_SETTLED_MODULE, INGEST_SETTLED_MIGRATIONS);
  return sql;
}

describe('IngestSettled', () => {
  it('covers the rows below each shard’s mark, and nothing of a shard it has not heard from', async () => {
    const settled = new IngestSettled(await open());
    expect(settled.covers(0, 0)).toBe(false);
    settled.record(0, 11);
    expect(settled.covers(0, 10)).toBe(true);
    expect(settled.covers(0, 11)).toBe(false);
    expect(settled.covers(1, 0)).toBe(false);
  });

  it('never moves a mark back: a late report of an older drain changes nothing', async () => {
    const settled = new IngestSettled(await open());
    settled.record(2, 50);
    settled.record(2, 20);
    expect(settled.covers(2, 40)).toBe(true);
  });

  it('keeps the marks in the database: a restarted object still knows them', async () => {
    const sql = await open();
    new IngestSettled(sql).record(3, 7);
    const again = new IngestSettled(sql);
    expect(again.covers(3, 6)).toBe(true);
    expect(again.covers(3, 7)).toBe(false);
  });
});
