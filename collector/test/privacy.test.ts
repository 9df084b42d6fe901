import { env, runInDurableObject, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { ShopState } from '../src/shop/shop-state';
import { ADMIN, BASE, createSite, drainAll, exportEvents, post, rejected, track, uniqueId } from './support/collector';
import { send, viewed } from './support/shop';

describe('erasure', () => {
  it('erases every event, rejected message and id linked to a person, and keeps them out afterwards', async () => {
    const writeKey = await createSite();
    const userId = uniqueId('erase-me');
    const lateRetry = track({ anonymousId: 'phone', userId });
    await post('/v1/batch', {
      writeKey,
      batch: [
        track({ anonymousId: 'laptop' }),
        { type: 'identify', anonymousId: 'laptop', userId, messageId: uniqueId('m') },
        track({ anonymousId: 'phone' }),
        { type: 'identify', anonymousId: 'phone', userId, messageId: uniqueId('m') },
        { type: 'track', anonymousId: 'laptop', messageId: 'bad-one' }, // rejected: no event
        track({ anonymousId: 'bystander' }),
      ],
    });
    await drainAll(writeKey);
    expect(await exportEvents(writeKey)).toHaveLength(5);
    expect(await rejected(writeKey)).toHaveLength(1);

    const res = await SELF.fetch(`${BASE}/v1/admin/users/${userId}?writeKey=${writeKey}`, { method: 'DELETE', headers: ADMIN });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { erased: { events: number; rejected: number }[] };
    expect(body.erased[0]).toMatchObject({ events: 4, rejected: 1 });
    expect((await exportEvents(writeKey)).map((e) => e.anonymousId)).toEqual(['bystander']);
    expect(await rejected(writeKey)).toEqual([]);

    // A late retry and new events from their browsers are acknowledged, but never stored.
    const again = await post('/v1/batch', {
      writeKey,
      batch: [lateRetry, track({ anonymousId: 'laptop' }), { type: 'track', anonymousId: 'phone', messageId: 'bad-two' }],
    });
    expect(again.status).toBe(200);
    await drainAll(writeKey);
    expect((await exportEvents(writeKey)).map((e) => e.anonymousId)).toEqual(['bystander']);
    expect(await rejected(writeKey)).toEqual([]);
  });
});

describe('erasure of browsing kept for recommendations', () => {
  it('removes the person’s recent sessions and their traces in the products’ session lists', async () => {
    const writeKey = await createSite();
    const person = uniqueId('erase-views');
    const bystander = uniqueId('stays');
    await send(writeKey, [viewed(person, 'a'), viewed(person, 'b'), viewed(bystander, 'a')]);
    await drainAll(writeKey);
    const kept = () =>
      runInDurableObject(env.SHOP_STATE.getByName(writeKey), (_shop: ShopState, state) => {
        const sql = state.storage.sql;
        const ring = (id: string) =>
          (JSON.parse(sql.exec<{ sessions: string }>('SELECT sessions FROM product_sessions WHERE product_id = ?', id).one().sessions) as string[]).length;
        return { sessions: sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM recent_sessions').one().n, a: ring('a'), b: ring('b') };
      });
    expect(await kept()).toEqual({ sessions: 2, a: 2, b: 1 });
    const res = await SELF.fetch(`${BASE}/v1/admin/users/${person}?writeKey=${writeKey}`, { method: 'DELETE', headers: ADMIN });
    expect(res.status).toBe(200);
    expect(await kept()).toEqual({ sessions: 1, a: 1, b: 0 });
  });
});

describe('consent and Global Privacy Control', () => {
  it('honours Sec-GPC: 1 when the site says so: acknowledged, not stored', async () => {
    const honours = await createSite({ settings: { honorGpc: true } });
    const ignores = await createSite();
    for (const writeKey of [honours, ignores]) {
      const res = await post('/v1/batch', { writeKey, batch: [track()] }, { headers: { 'sec-gpc': '1' } });
      expect(res.status).toBe(200);
      await drainAll(writeKey);
    }
    expect(await exportEvents(honours)).toHaveLength(0);
    expect(await exportEvents(ignores)).toHaveLength(1);
  });

  it('stores only messages that carry granted consent when the site requires it', async () => {
    const writeKey = await createSite({ settings: { requireConsent: true } });
    const granted = track({ context: { consent: { status: 'granted' } } });
    const segmentStyle = track({ context: { consent: { categoryPreferences: { Analytics: true, Advertising: false } } } });
    const res = await post('/v1/batch', {
      writeKey,
      batch: [granted, segmentStyle, track(), track({ context: { consent: { status: 'denied' } } })],
    });
    expect(await res.json()).toMatchObject({ accepted: 2, dropped: 2 });
    await drainAll(writeKey);
    expect((await exportEvents(writeKey)).map((e) => e.messageId).sort()).toEqual([granted.messageId, segmentStyle.messageId].sort());
  });
});
