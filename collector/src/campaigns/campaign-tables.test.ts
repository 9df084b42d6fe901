import { describe, expect, it } from 'vitest';
import { migrate } from '../lib/migrate';
import { openSqlJs } from '../lib/sqljs-sql';
import { migrateProfileHosting } from '../profiles/profile-hosting';
import { PROFILE_SHARD_MIGRATIONS } from '../schema-steps/profile-shard';
import { CAMPAIGN_TABLES } from './campaign-tables';

describe('CAMPAIGN_TABLES', () => {
  it('lists every column of the campaign tables a profile takes along (all but the outbox sequence)', async () => {
    const { sql } = await openSqlJs();
    migrate(sql, PROFILE_SHARD_MIGRATIONS);
    migrateProfileHosting(sql);
    for (const [table, columns] of Object.entries(CAMPAIGN_TABLES)) {
      const schema = sql
        .exec<{ name: string }>(`SELECT name FROM pragma_table_info('${table}')`)
        .toArray()
        .map((c) => c.name)
        // The outbox's sequence is the receiving object's own.
        .filter((name) => !(table === 'campaign_outbox' && name === 'seq'));
      expect([...columns].sort(), table).toEqual(schema.sort());
    }
  });
});
