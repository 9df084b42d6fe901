import { describe, expect, it } from 'vitest';
import { migrate } from '../lib/migrate';
import { openSqlJs } from '../lib/sqljs-sql';
import { SHOP_MIGRATIONS } from '../shop/shop-model';
import { ProfileStore } from './profile-store';

describe('ProfileStore', () => {
  it('forgets what a batch that failed before flush() changed: the retry reads the stored document', async () => {
    const { sql, transaction } = await openSqlJs();
    migrate(sql, SHOP_MIGRATIONS);
    const profiles = new ProfileStore(sql);
    sql.exec("INSERT INTO profiles (profile_id, created_at, updated_at) VALUES ('p', 0, 0)");
    transaction(() => {
      profiles.begin();
      profiles.edit('p', 1000).counts.events = 1;
      profiles.flush();
    });
    expect(() =>
      transaction(() => {
        profiles.begin();
        const profile = profiles.edit('p', 2000);
        profile.counts.events = 99;
        profile.counted = [{ day: 1, keys: ['v:x'] }];
        throw new Error('the batch failed halfway');
      }),
    ).toThrow('halfway');
    profiles.begin();
    expect(profiles.find('p')!.counts.events).toBe(1);
    expect(profiles.find('p')!.counted).toEqual([]);
  });
});
