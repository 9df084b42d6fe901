/**
 * The audience store on a Durable Object's own SQLite (the unit tests run it
 * on sql.js): its schema, RETURNING, WITHOUT ROWID tables and a rolled-back
 * transaction behave the same in the Workers runtime. It uses a fresh
 * ShopState's storage, whose constructor ran the audience module's steps.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { AudienceStore, profilesTableSource } from '../src/audiences';
import type { Sql } from '../src/lib/sql';
import { newProfile } from '../src/profiles/profile';
import { uniqueId } from './support/collector';

const MIN = 60_000;
const NOW = Date.UTC(2026, 2, 1, 12);

describe('AudienceStore in a Durable Object', () => {
  it('records an idle cart on time and each transition once, across a rollback', async () => {
    const stub = env.SHOP_STATE.get(env.SHOP_STATE.idFromName(uniqueId('audiences')));
    await runInDurableObject(stub, (_instance, state) => {
      const sql = state.storage.sql as unknown as Sql;
      const store = new AudienceStore(sql, {
        profiles: profilesTableSource(sql),
        site: () => ({ lifecycle: { activeDays: 14, atRiskDays: 30, lapsedDays: 90 } }),
      });
      store.putAudience('idle', { fact: 'cartIdleMinutes', op: 'gte', value: 30 }, NOW);
      const profile = { ...newProfile('p1', NOW), cart: { tent: { quantity: 1, price: 20, at: NOW } }, cartChangedAt: NOW };
      sql.exec('INSERT INTO profiles (profile_id, created_at, updated_at, data) VALUES (?, 0, 0, ?)', 'p1', JSON.stringify(profile));

      state.storage.transactionSync(() => store.applyProfileChange({ profile }, NOW));
      expect(store.nextAlarm()).toBe(NOW + 30 * MIN);
      expect(() =>
        state.storage.transactionSync(() => {
          store.wake(NOW + 30 * MIN, 10);
          throw new Error('crash before commit');
        }),
      ).toThrow('crash');
      expect(store.pendingTransitions(0, 10)).toEqual([]);
      const woken = state.storage.transactionSync(() => store.wake(NOW + 30 * MIN, 10));
      expect(woken.transitions.map((t) => `${t.kind} ${t.audienceId} ${t.profileId}`)).toEqual(['entered idle p1']);
      expect(store.pendingTransitions(0, 10).map((t) => t.id)).toEqual([woken.transitions[0]!.id]);
      expect(store.members('idle', null, 10).members).toEqual([{ profileId: 'p1', enteredAt: NOW + 30 * MIN }]);
      expect(store.nextAlarm()).toBeUndefined();
    });
  });
});
