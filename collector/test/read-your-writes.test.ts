/**
 * Read-your-writes: a recommendation request that follows an acknowledged
 * event already reflects it, whatever the drain is doing — held back by
 * failing storage, paced by a burst, or the shard restarted in between.
 */
import { SELF, abortAllDurableObjects, env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { IngestShard } from '../src/storage/ingest-shard';
import { ingestShards } from '../src/storage/ingest-shard-choice';
import { ADMIN, BASE, createSite, drainAll, post, track, uniqueId } from './support/collector';
import { added, product, recommendations, send, sendAndStore, viewed } from './support/shop';

const personal = { settings: { holdoutPercent: 0 } };

async function holdDrains(writeKey: string, held: boolean): Promise<void> {
  for (const stub of ingestShards(env, writeKey))
    await runInDurableObject(stub, (shard: IngestShard) => shard.injectFaults({ failDrains: held ? 1_000_000 : 0 }));
}

const pendingEverywhere = async (writeKey: string) =>
  (await Promise.all(ingestShards(env, writeKey).map((stub) => stub.pendingCount()))).reduce((a, b) => a + b, 0);

/** A shop where drills go with drill bits, tents with stoves, and hammers sell best. */
async function hardwareShop() {
  const writeKey = await createSite(personal);
  for (let i = 0; i < 3; i++) await send(writeKey, [viewed(`s${i}`, 'drill'), viewed(`s${i}`, 'drill-bits')]);
  for (let i = 0; i < 3; i++) await send(writeKey, [viewed(`t${i}`, 'tent'), viewed(`t${i}`, 'stove')]);
  for (let i = 0; i < 5; i++) await send(writeKey, [viewed(`p${i}`, 'hammer'), viewed(`p${i}`, 'nails')]);
  await drainAll(writeKey);
  return writeKey;
}

const ids = (recs: { items: { productId: string }[] }) => recs.items.map((i) => i.productId);

describe('read-your-writes', () => {
  it('reflects the last acknowledged view while drains are held back, and the drain then settles on the same answer', async () => {
    const writeKey = await hardwareShop();
    const shopper = uniqueId('fresh');
    const cold = await recommendations(writeKey, { slot: 'home', anonymousId: shopper });
    expect(ids(cold).slice(0, 2).sort()).toEqual(['hammer', 'nails']);

    await holdDrains(writeKey, true);
    await send(writeKey, [viewed(shopper, 'drill')]);
    const first = await recommendations(writeKey, { slot: 'home', anonymousId: shopper });
    expect(first.items.slice(0, 2)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ productId: 'drill-bits', reason: 'because-you-viewed' }),
        expect.objectContaining({ productId: 'drill', reason: 'recently-viewed' }),
      ]),
    );
    // The next view moves the picks again, still with nothing drained.
    await send(writeKey, [viewed(shopper, 'tent')]);
    const second = await recommendations(writeKey, { slot: 'home', anonymousId: shopper });
    expect(ids(second).slice(0, 2).sort()).toEqual(['stove', 'tent']);
    expect(await pendingEverywhere(writeKey)).toBe(2);
    // The product slot sees the session too ("you were also looking at").
    const onTent = await recommendations(writeKey, { slot: 'product', productId: 'tent', anonymousId: shopper });
    expect(ids(onTent)).toContain('drill');

    await holdDrains(writeKey, false);
    await drainAll(writeKey);
    const settled = await recommendations(writeKey, { slot: 'home', anonymousId: shopper });
    // The same picks. Their order may differ a little: the drain also adds the shopper's views to what
    // everyone sees (co-views, popularity), which only the drain changes.
    expect(ids(settled).sort()).toEqual(ids(second).sort());
    expect(ids(settled).slice(0, 2).sort()).toEqual(['stove', 'tent']);
    expect(settled.variant).toBe(second.variant);
  });

  it('reflects a pending cart and a pending login that joins the browser to a known customer', async () => {
    const writeKey = await hardwareShop();
    for (let i = 0; i < 4; i++)
      await send(writeKey, [{ ...added(`c${i}`, 'drill'), properties: { ...product('drill'), quantity: 1 } }, added(`c${i}`, 'drill-bits')]);
    const customer = uniqueId('ada');
    const phone = uniqueId('phone');
    await sendAndStore(writeKey, [{ type: 'identify', anonymousId: phone, userId: customer, messageId: uniqueId('m') }, viewed(phone, 'tent')]);

    await holdDrains(writeKey, true);
    const laptop = uniqueId('laptop');
    await send(writeKey, [added(laptop, 'drill')]);
    const cart = await recommendations(writeKey, { slot: 'cart', anonymousId: laptop });
    expect(cart.items[0]).toMatchObject({ productId: 'drill-bits', reason: 'bought-together' });
    expect(ids(cart)).not.toContain('drill');

    // Logging in on the laptop: once drained, the laptop's cart and the phone's tent are one profile. Asked at once, too.
    await send(writeKey, [{ type: 'identify', anonymousId: laptop, userId: customer, messageId: uniqueId('m') }]);
    const home = await recommendations(writeKey, { slot: 'home', anonymousId: laptop, userId: customer });
    expect(ids(home)).toContain('stove'); // from the phone's stored tent view
    expect(ids(home)).not.toContain('drill'); // in the laptop's pending cart

    await holdDrains(writeKey, false);
    await drainAll(writeKey);
    const settled = await recommendations(writeKey, { slot: 'home', anonymousId: laptop, userId: customer });
    expect(ids(settled).sort()).toEqual(ids(home).sort());
    expect(settled.variant).toBe(home.variant);
  });

  it('reflects pending events after the shard restarts (the view is rebuilt from its pending rows)', async () => {
    const writeKey = await hardwareShop();
    const shopper = uniqueId('restart');
    await holdDrains(writeKey, true);
    await send(writeKey, [viewed(shopper, 'drill')]);
    // Faults live in memory and go with the restart: the next alarm is put off instead, so nothing drains meanwhile.
    for (const stub of ingestShards(env, writeKey)) await runInDurableObject(stub, (_shard: IngestShard, state) => state.storage.setAlarm(Date.now() + 60_000));
    await abortAllDurableObjects();
    expect(await pendingEverywhere(writeKey)).toBe(1);
    const recs = await recommendations(writeKey, { slot: 'home', anonymousId: shopper });
    expect(ids(recs).slice(0, 2).sort()).toEqual(['drill', 'drill-bits']);
    await drainAll(writeKey);
  });

  it('reflects the last view during a burst, while the paced drain waits', async () => {
    const writeKey = await hardwareShop();
    const shopper = uniqueId('burst-shopper');
    // 600 messages from one busy browser within a moment: its shard defers draining (README, "How the drain is paced").
    const burst = Array.from({ length: 600 }, (_, i) =>
      track({ anonymousId: shopper, messageId: uniqueId(`burst-${i}`), event: 'Page Scrolled', properties: {} }),
    );
    expect((await post('/v1/batch', { writeKey, batch: burst })).status).toBe(200);
    await send(writeKey, [viewed(shopper, 'tent')]);
    const recs = await recommendations(writeKey, { slot: 'home', anonymousId: shopper });
    expect(await pendingEverywhere(writeKey)).toBeGreaterThan(0);
    expect(ids(recs).slice(0, 2).sort()).toEqual(['stove', 'tent']);
    await drainAll(writeKey);
  });

  it('shows a customer’s pending events only to a request that proves the userId', async () => {
    const writeKey = await hardwareShop();
    const customer = uniqueId('customer');
    await holdDrains(writeKey, true);
    // Server-side events carry only the userId; they wait in the shard of that userId.
    await send(writeKey, [{ ...viewed('x', 'drill'), anonymousId: undefined, userId: customer }]);
    const stranger = await recommendations(writeKey, { slot: 'home', userId: customer });
    expect(ids(stranger).slice(0, 2).sort()).toEqual(['hammer', 'nails']);
    await holdDrains(writeKey, false);
    await drainAll(writeKey);
  });

  it('leaves out the pending events of an erased person, as the drain will', async () => {
    const writeKey = await hardwareShop();
    const shopper = uniqueId('erased');
    await sendAndStore(writeKey, [viewed(shopper, 'tent')]);
    const erased = await SELF.fetch(`${BASE}/v1/admin/users/${shopper}?writeKey=${writeKey}`, { method: 'DELETE', headers: ADMIN });
    expect(erased.status).toBe(200);
    await holdDrains(writeKey, true);
    await send(writeKey, [viewed(shopper, 'drill')]);
    const recs = await recommendations(writeKey, { slot: 'home', anonymousId: shopper });
    expect(ids(recs).slice(0, 2).sort()).toEqual(['hammer', 'nails']);
    await holdDrains(writeKey, false);
    await drainAll(writeKey);
  });
});
