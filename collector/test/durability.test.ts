/** Nothing acknowledged is lost: failed writes are retried, a restart between accept and store loses nothing. */
import { SELF, abortAllDurableObjects, env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { DeadLetter, IngestShard } from '../src/storage/ingest-shard';
import { toChunks } from '../src/storage/pending-rows';
import { ingestShards } from '../src/storage/ingest-shard-choice';
import { createApp } from '../src/app';
import { ADMIN, BASE, createSite, drainAll, exportEvents, post, track, uniqueId } from './support/collector';
import { added, event, product, profileOf, send, sendAndStore } from './support/shop';

async function injectEverywhere(writeKey: string, faults: Parameters<IngestShard['injectFaults']>[0]) {
  for (const stub of ingestShards(env, writeKey)) await runInDurableObject(stub, (shard: IngestShard) => shard.injectFaults(faults));
}

const pendingEverywhere = async (writeKey: string) =>
  (await Promise.all(ingestShards(env, writeKey).map((stub) => stub.pendingCount()))).reduce((a, b) => a + b, 0);

describe('durability', () => {
  it('keeps acknowledged messages through failing storage writes and stores them once when it recovers', async () => {
    const writeKey = await createSite();
    await injectEverywhere(writeKey, { failDrains: 3 });
    const messages = [track(), track(), track()];
    expect((await post('/v1/batch', { writeKey, batch: messages })).status).toBe(200);

    for (const stub of ingestShards(env, writeKey)) {
      const first = await stub.drain();
      if (first.pending > 0) expect(first.failed).toBeGreaterThan(0);
    }
    expect(await pendingEverywhere(writeKey)).toBe(3);
    expect(await exportEvents(writeKey)).toHaveLength(0);

    await drainAll(writeKey);
    expect(await pendingEverywhere(writeKey)).toBe(0);
    expect((await exportEvents(writeKey)).map((e) => e.messageId).sort()).toEqual(messages.map((m) => m.messageId as string).sort());
  });

  it('applies a message once when a drain fails between the profile update and the event log', async () => {
    const writeKey = await createSite();
    await injectEverywhere(writeKey, { failAfterProfiles: 1 });
    await post('/v1/batch', {
      writeKey,
      batch: [track({ anonymousId: 'once' }), { type: 'identify', anonymousId: 'once', userId: 'u-once', messageId: 'id-once' }],
    });
    await drainAll(writeKey);
    const events = await exportEvents(writeKey);
    expect(events).toHaveLength(2);
    expect(new Set(events.map((e) => e.profileId)).size).toBe(1);
  });

  it('gives a drain retried after the profiles were updated exactly what the first attempt would have stored', async () => {
    const writeKey = await createSite();
    const customer = uniqueId('retry-customer');
    const laptop = uniqueId('laptop');
    // The customer is known from another device: the laptop's anonymous profile will merge into theirs.
    await sendAndStore(writeKey, [{ type: 'identify', anonymousId: uniqueId('phone'), userId: customer, messageId: uniqueId('m') }]);
    const { body: before } = await profileOf(writeKey, customer);
    // The laptop browses anonymously first: stored under its own profile.
    const browsing = [event(laptop, 'Product Viewed', product('tent')), event(laptop, 'Product Viewed', product('lamp'))];
    await sendAndStore(writeKey, browsing);

    // The drain fails after ShopState applied the batch and before the event log stored it (the dev-only endpoint).
    const faults = await SELF.fetch(`${BASE}/v1/admin/faults?writeKey=${writeKey}`, {
      method: 'POST',
      headers: ADMIN,
      body: JSON.stringify({ failAfterProfiles: 1 }),
    });
    expect(faults.status).toBe(200);
    const click = { rec_id: 'rec-retry', slot: 'home', variant: 'treatment' };
    const batch = [
      event(laptop, 'Recommendation Viewed', { ...click, product_ids: ['tent', 'lamp'] }),
      event(laptop, 'Recommendation Clicked', { ...click, product_id: 'tent', position: 0 }),
      added(laptop, 'tent'),
      { type: 'identify', anonymousId: laptop, userId: customer, messageId: uniqueId('m') },
      event(
        laptop,
        'Order Completed',
        { order_id: uniqueId('o'), products: [product('tent', { price: 120, quantity: 1 }), product('lamp', { price: 30, quantity: 2 })] },
        { userId: customer },
      ),
    ];
    await send(writeKey, batch);
    await drainAll(writeKey); // the first drain fails after the profiles; the next is the retry
    const left = await Promise.all(
      ingestShards(env, writeKey).map((stub) =>
        runInDurableObject(stub, (shard: IngestShard) => (shard as unknown as { faults: { failAfterProfiles: number } }).faults.failAfterProfiles),
      ),
    );
    expect(left.filter((n) => n === 0)).toHaveLength(1); // the shard with the batch failed once

    const stored = (await exportEvents(writeKey)).filter((e) => e.anonymousId === laptop);
    expect(stored.map((e) => e.messageId).sort()).toEqual([...browsing, ...batch].map((m) => m.messageId).sort());
    // The merge of the laptop into the customer: every one of its events, those stored before too, reports the customer's profile.
    expect(new Set(stored.map((e) => e.profileId))).toEqual(new Set([before.profileId]));
    // The credit of the add and the order to the clicked recommendation.
    const credit = { recId: 'rec-retry', slot: 'home', variant: 'treatment', productId: 'tent' };
    expect(stored.find((e) => e.event === 'Product Added')!.context.attribution).toEqual([credit]);
    expect(stored.find((e) => e.event === 'Order Completed')!.context.attribution).toEqual([credit]);

    // The slot statistics equal counts over the export.
    const hour = (ms: number) => new Date(Math.floor(ms / 3600_000) * 3600_000).toISOString();
    const figures = (await (
      await SELF.fetch(`${BASE}/v1/admin/stats?writeKey=${writeKey}&from=${hour(Date.now() - 3600_000)}&to=${hour(Date.now() + 7200_000)}`, { headers: ADMIN })
    ).json()) as Record<string, any>;
    const home = figures.slots.find((s: { slot: string }) => s.slot === 'home').treatment;
    const credited = (name: string) => stored.filter((e) => e.event === name && e.context.attribution?.some((a: { slot: string }) => a.slot === 'home'));
    const creditedRevenue = credited('Order Completed')
      .flatMap((e) =>
        e.properties.products.filter((p: { product_id: string }) => e.context.attribution.some((a: { productId: string }) => a.productId === p.product_id)),
      )
      .reduce((sum: number, p: { price: number; quantity: number }) => sum + p.price * p.quantity, 0);
    expect({ impressions: home.impressions, clicks: home.clicks, adds: home.creditedAdds, orders: home.creditedOrders, sales: home.creditedSales }).toEqual({
      impressions: stored.filter((e) => e.event === 'Recommendation Viewed').length,
      clicks: stored.filter((e) => e.event === 'Recommendation Clicked').length,
      adds: credited('Product Added').length,
      orders: credited('Order Completed').length,
      sales: [{ currency: 'USD', amount: creditedRevenue }],
    });
    expect(home).toMatchObject({ creditedAdds: 1, creditedOrders: 1, creditedSales: [{ currency: 'USD', amount: 120 }] });
  });

  it('loses nothing when the objects restart between accept and the final store', async () => {
    const writeKey = await createSite();
    const messages = Array.from({ length: 10 }, (_, i) => track({ anonymousId: `restart-${i}` }));
    expect((await post('/v1/batch', { writeKey, batch: messages })).status).toBe(200);
    await abortAllDurableObjects(); // in-memory state gone; storage and alarms remain

    let ran = false;
    for (const stub of ingestShards(env, writeKey)) ran = (await runDurableObjectAlarm(stub)) || ran;
    expect(ran).toBe(true);
    await drainAll(writeKey);
    expect(await exportEvents(writeKey)).toHaveLength(10);
  });

  it('isolates a poison message in the dead-letter table while the rest is stored, and replays it', async () => {
    const writeKey = await createSite();
    const poison = track({ anonymousId: 'same-shard' });
    const healthy = [track({ anonymousId: 'same-shard' }), track({ anonymousId: 'same-shard' })];
    await injectEverywhere(writeKey, { poison: [poison.messageId as string] });
    await post('/v1/batch', { writeKey, batch: [poison, ...healthy] });
    await drainAll(writeKey);

    expect((await exportEvents(writeKey)).map((e) => e.messageId).sort()).toEqual(healthy.map((m) => m.messageId as string).sort());
    const letters = (await Promise.all(ingestShards(env, writeKey).map((s) => s.deadLetters()))).flat() as DeadLetter[];
    expect(letters).toHaveLength(1);
    expect(letters[0]!.error).toContain('poison');

    await injectEverywhere(writeKey, { poison: [] });
    for (const stub of ingestShards(env, writeKey)) await stub.replayDeadLetters();
    await drainAll(writeKey);
    expect(await exportEvents(writeKey)).toHaveLength(3);
  });

  it('stamps each dead letter with its own error, not the last error of the drain', async () => {
    const writeKey = await createSite();
    const poisons = [track({ anonymousId: 'two-poisons' }), track({ anonymousId: 'two-poisons' })];
    const healthy = track({ anonymousId: 'two-poisons' });
    await injectEverywhere(writeKey, { poison: poisons.map((m) => m.messageId as string) });
    await post('/v1/batch', { writeKey, batch: [poisons[0], healthy, poisons[1]] });
    await drainAll(writeKey);

    expect((await exportEvents(writeKey)).map((e) => e.messageId)).toEqual([healthy.messageId]);
    const letters = (await Promise.all(ingestShards(env, writeKey).map((s) => s.deadLetters()))).flat() as DeadLetter[];
    expect(letters.map((l) => (l.item.kind === 'event' ? [l.item.message.messageId, l.error] : [])).sort()).toEqual(
      poisons.map((m) => [m.messageId, `injected poison message ${m.messageId}`]).sort(),
    );
  });

  it('runs one drain at a time, so drains that overlap (the alarm and a direct call) dead-letter a message once', async () => {
    const writeKey = await createSite();
    const poison = track({ anonymousId: 'overlap' });
    await injectEverywhere(writeKey, { poison: [poison.messageId as string] });
    await post('/v1/batch', { writeKey, batch: [poison, track({ anonymousId: 'overlap' })] });
    for (let i = 0; i < 6; i++) await Promise.all(ingestShards(env, writeKey).flatMap((stub) => [stub.drain(), stub.drain(), stub.drain()]));
    expect(await pendingEverywhere(writeKey)).toBe(0);
    expect((await Promise.all(ingestShards(env, writeKey).map((s) => s.deadLetters()))).flat()).toHaveLength(1);
    expect(await exportEvents(writeKey)).toHaveLength(1);
  });

  it('dead-letters nothing while storage is down for everyone', async () => {
    const writeKey = await createSite();
    await injectEverywhere(writeKey, { failDrains: 30 });
    await post('/v1/batch', { writeKey, batch: [track({ anonymousId: 'x' }), track({ anonymousId: 'x' })] });
    for (let i = 0; i < 12; i++) for (const stub of ingestShards(env, writeKey)) await stub.drain();
    expect((await Promise.all(ingestShards(env, writeKey).map((s) => s.deadLetters()))).flat()).toEqual([]);
    await injectEverywhere(writeKey, { failDrains: 0 });
    await drainAll(writeKey);
    expect(await exportEvents(writeKey)).toHaveLength(2);
  });
});

describe('fault injection endpoint', () => {
  it('exists only in local development', async () => {
    const writeKey = await createSite();
    const res = await SELF.fetch(`${BASE}/v1/admin/faults?writeKey=${writeKey}`, {
      method: 'POST',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify({ failDrains: 2 }),
    });
    expect(res.status).toBe(200);
    await post('/v1/batch', { writeKey, batch: [track()] });
    for (const stub of ingestShards(env, writeKey)) await stub.drain();
    expect(await pendingEverywhere(writeKey)).toBe(1);
    await drainAll(writeKey);
    expect(await exportEvents(writeKey)).toHaveLength(1);

    const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
    // Both kinds of storage failure, and nothing else.
    const both = await SELF.fetch(`${BASE}/v1/admin/faults?writeKey=${writeKey}`, {
      method: 'POST',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify({ failDrains: 0, failAfterProfiles: 1 }),
    });
    expect(await both.json()).toMatchObject({ ok: true, failDrains: 0, failAfterProfiles: 1 });
    const faults = await runInDurableObject(ingestShards(env, writeKey)[0]!, (shard: IngestShard) => ({ ...(shard as unknown as { faults: object }).faults }));
    expect(faults).toMatchObject({ failDrains: 0, failAfterProfiles: 1 });
    for (const body of ['{}', '{"failDrains":-1}', '{"failAfterProfiles":1.5}', '{"poison":["x"]}', '{"failDrains":"2"}']) {
      const bad = await SELF.fetch(`${BASE}/v1/admin/faults?writeKey=${writeKey}`, { method: 'POST', headers: ADMIN, body });
      expect(bad.status, body).toBe(400);
    }
    await SELF.fetch(`${BASE}/v1/admin/faults?writeKey=${writeKey}`, { method: 'POST', headers: ADMIN, body: '{"failAfterProfiles":0}' });

    const production = await createApp('').fetch(
      new Request(`${BASE}/v1/admin/faults?writeKey=${writeKey}`, { method: 'POST', headers: ADMIN, body: '{"failDrains":1}' }),
      { ...env, DEV_MODE: 'false' },
      ctx,
    );
    expect(production.status).toBe(404);
  });
});

describe('accept buffer', () => {
  const pendingRows = (stub: DurableObjectStub<IngestShard>) =>
    runInDurableObject(stub, (_shard: IngestShard, state) => state.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM pending').one().n);

  it('commits requests that arrive together as one write, and acknowledges each only once it is durable', async () => {
    const writeKey = await createSite();
    const [stub] = ingestShards(env, writeKey);
    const requests = Array.from({ length: 40 }, (_, i) => [
      {
        kind: 'event',
        message: {
          ...track({ anonymousId: `group-${i}` }),
          receivedAt: new Date().toISOString(),
          context: { geo: {}, device: { type: 'desktop' }, bot: false },
        },
      },
    ]);
    await Promise.all(requests.map((items) => stub!.accept(writeKey, toChunks(items))));
    expect(await stub!.pendingCount()).toBe(40);
    // Fewer rows than requests: all that arrived while the first commit was made durable went in one.
    expect(await pendingRows(stub!)).toBeLessThan(40);
    await drainAll(writeKey);
    expect((await exportEvents(writeKey)).map((e) => e.anonymousId).sort()).toEqual(requests.map((_, i) => `group-${i}`).sort());
  });

  it('bounds every pending row and every drain, however much arrives together', async () => {
    const writeKey = await createSite();
    // Eight requests of ~420 KB each for one shopper (one shard), sent at once: 3.4 MB arrive together,
    // where Durable Object SQLite takes at most 2 MB in a row.
    const pad = 'x'.repeat(1000);
    const requests = Array.from({ length: 8 }, (_, r) =>
      Array.from({ length: 400 }, (_, i) => track({ anonymousId: 'big-group', messageId: `big-${r}-${i}`, properties: { product_id: `p${i}`, pad } })),
    );
    const answers = await Promise.all(requests.map((batch) => post('/v1/batch', { writeKey, batch })));
    expect(answers.map((res) => res.status)).toEqual(requests.map(() => 200));

    const stub = (await Promise.all(ingestShards(env, writeKey).map(async (s) => [s, await s.pendingCount()] as const))).find(([, n]) => n > 0)![0];
    expect(await stub.pendingCount()).toBe(3200);
    const rows = await runInDurableObject(stub, (_shard: IngestShard, state) =>
      state.storage.sql.exec<{ bytes: number; n: number }>('SELECT length(CAST(items AS BLOB)) AS bytes, item_count AS n FROM pending').toArray(),
    );
    for (const row of rows) {
      expect(row.bytes).toBeLessThanOrEqual(2_000_000);
      expect(row.n).toBeLessThanOrEqual(1000);
    }
    // Each drain takes at most a thousand messages, whatever the rows hold.
    for (let i = 0; i < 20 && (await stub.pendingCount()) > 0; i++) {
      const { drained, failed } = await stub.drain();
      expect(drained + failed).toBeLessThanOrEqual(1000);
    }
    const stored = await exportEvents(writeKey);
    expect(stored).toHaveLength(3200);
    expect(new Set(stored.map((e) => e.messageId)).size).toBe(3200);
  });

  it('holds the drain back while a burst lasts, and stores it all once the burst eases or has gone on too long', async () => {
    const writeKey = await createSite();
    const burst = (tag: string) => Array.from({ length: 300 }, (_, i) => track({ anonymousId: 'burst-shopper', messageId: `${tag}-${i}` }));
    expect((await post('/v1/batch', { writeKey, batch: burst('a') })).status).toBe(200);
    const stub = (await Promise.all(ingestShards(env, writeKey).map(async (s) => [s, await s.pendingCount()] as const))).find(([, n]) => n > 0)![0];

    // 300 messages within the first moments: a burst, so the alarm leaves them for later. The moment
    // they arrived is pinned to now, so a slow machine between the request and the alarm does not
    // spread them over a longer time than the shard saw them arrive in.
    await runInDurableObject(stub, (shard: IngestShard) => {
      (shard as unknown as { firstAcceptSinceCheck: number }).firstAcceptSinceCheck = Date.now();
    });
    await runDurableObjectAlarm(stub);
    expect(await stub.pendingCount()).toBe(300);
    // Nothing new arrived since: the burst has eased, and the next alarm drains.
    await runDurableObjectAlarm(stub);
    expect(await stub.pendingCount()).toBe(0);

    // A burst that has lasted longer than the drain may wait is drained even while it goes on.
    expect((await post('/v1/batch', { writeKey, batch: burst('b') })).status).toBe(200);
    await runInDurableObject(stub, (shard: IngestShard) => {
      (shard as unknown as { burstSince: number }).burstSince = Date.now() - 60_000;
    });
    await runDurableObjectAlarm(stub);
    expect(await stub.pendingCount()).toBe(0);
    expect(await exportEvents(writeKey)).toHaveLength(600);
  });
});
