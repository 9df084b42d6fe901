/**
 * The ack token (recommend/ack-token.ts): a browser whose last batch is
 * applied gets its answer from ShopState alone; one whose batch still waits
 * gets it with its pending events, as without a token; a token that does not
 * speak for the browser's shard now (another shard count, another shard), or
 * is not a token at all, is passed over.
 */
import { abortAllDurableObjects, env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ACK_HEADER } from '@trailmark/schema';
import { formatAck, parseAck } from '../src/recommend/ack-token';
import { IngestSettled } from '../src/shop/ingest-settled';
import type { IngestShard } from '../src/storage/ingest-shard';
import { ingestShardCount, ingestShardOf, ingestShards } from '../src/storage/ingest-shard-choice';
import { createSite, drainAll, post, uniqueId } from './support/collector';
import { recommend, recommendations, send, viewed } from './support/shop';

async function holdDrains(writeKey: string, held: boolean): Promise<void> {
  for (const stub of ingestShards(env, writeKey))
    await runInDurableObject(stub, (shard: IngestShard) => shard.injectFaults({ failDrains: held ? 1_000_000 : 0 }));
}

/** Sends a batch as the tag does and gives the answer's ack token. */
async function sendForAck(writeKey: string, batch: unknown[]): Promise<string> {
  const res = await post('/v1/batch', { writeKey, batch });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ ok: true, accepted: batch.length, rejected: [] });
  const ack = res.headers.get(ACK_HEADER);
  expect(ack).toEqual(expect.any(String));
  return ack!;
}

/** A shop where drills go with drill bits, tents with stoves, and hammers sell best. */
async function hardwareShop() {
  const writeKey = await createSite({ settings: { holdoutPercent: 0 } });
  for (let i = 0; i < 3; i++) await send(writeKey, [viewed(`s${i}`, 'drill'), viewed(`s${i}`, 'drill-bits')]);
  for (let i = 0; i < 3; i++) await send(writeKey, [viewed(`t${i}`, 'tent'), viewed(`t${i}`, 'stove')]);
  for (let i = 0; i < 5; i++) await send(writeKey, [viewed(`p${i}`, 'hammer'), viewed(`p${i}`, 'nails')]);
  await drainAll(writeKey);
  return writeKey;
}

const ids = (recs: { items: { productId: string }[] }) => recs.items.map((i) => i.productId);
const home = (writeKey: string, anonymousId: string, ack?: string) => recommendations(writeKey, { slot: 'home', anonymousId, ...(ack ? { ack } : {}) });

describe('ack token', () => {
  it('names the browser’s shard, out of the shard count, in the batch answer', async () => {
    const writeKey = await createSite();
    const shopper = uniqueId('shopper');
    const token = parseAck(await sendForAck(writeKey, [viewed(shopper, 'tent')]));
    expect(token).toEqual({ shard: ingestShardOf(shopper, ingestShardCount(env)), shards: ingestShardCount(env), seq: expect.any(Number) });
    // The next batch of the browser is written after it.
    const next = parseAck(await sendForAck(writeKey, [viewed(shopper, 'stove')]));
    expect(next!.seq).toBeGreaterThan(token!.seq);
    await drainAll(writeKey);
  });

  it('applied: answers from the stored state alone, as the request without a token does', async () => {
    const writeKey = await hardwareShop();
    const shopper = uniqueId('applied');
    const ack = await sendForAck(writeKey, [viewed(shopper, 'drill')]);
    await drainAll(writeKey);
    const withToken = await home(writeKey, shopper, ack);
    const without = await home(writeKey, shopper);
    expect(ids(withToken)).toEqual(ids(without));
    expect(withToken.variant).toBe(without.variant);
    expect(ids(withToken).slice(0, 2).sort()).toEqual(['drill', 'drill-bits']);

    // The shard is not asked: an event sent after the token (by a sender that kept the old token, which
    // the tag never does) is left out of this browser's answer only, and the request without a token sees it.
    await holdDrains(writeKey, true);
    await send(writeKey, [viewed(shopper, 'tent')]);
    expect(
      ids(await home(writeKey, shopper, ack))
        .slice(0, 2)
        .sort(),
    ).toEqual(['drill', 'drill-bits']);
    expect(
      ids(await home(writeKey, shopper))
        .slice(0, 2)
        .sort(),
    ).toEqual(['stove', 'tent']);
    // ShopState keeps how far each shard settled: after a restart the token is still applied. Read from the
    // restarted object's storage, not through a request: the restart also drops the shard's injected fault (kept
    // in memory), so its next alarm may store the later view before a request could tell the two apart.
    await abortAllDurableObjects();
    const token = parseAck(ack)!;
    const coveredAfterRestart = await runInDurableObject(env.SHOP_STATE.getByName(writeKey), (_shop, state) =>
      new IngestSettled(state.storage.sql).covers(token.shard, token.seq),
    );
    expect(coveredAfterRestart).toBe(true);
    await holdDrains(writeKey, false);
    await drainAll(writeKey);
  });

  it('not applied yet: the browser’s pending events count, read by ShopState from the shard', async () => {
    const writeKey = await hardwareShop();
    const shopper = uniqueId('pending');
    await holdDrains(writeKey, true);
    const first = await sendForAck(writeKey, [viewed(shopper, 'drill')]);
    expect(
      ids(await home(writeKey, shopper, first))
        .slice(0, 2)
        .sort(),
    ).toEqual(['drill', 'drill-bits']);
    const second = await sendForAck(writeKey, [viewed(shopper, 'tent')]);
    const pending = await home(writeKey, shopper, second);
    expect(ids(pending).slice(0, 2).sort()).toEqual(['stove', 'tent']);
    expect(ids(pending)).toEqual(ids(await home(writeKey, shopper)));

    await holdDrains(writeKey, false);
    await drainAll(writeKey);
    const settled = await home(writeKey, shopper, second);
    expect(ids(settled).sort()).toEqual(ids(pending).sort());
    expect(ids(settled).slice(0, 2).sort()).toEqual(['stove', 'tent']);
  });

  it('absent: the shard is asked, as before', async () => {
    const writeKey = await hardwareShop();
    const shopper = uniqueId('absent');
    await sendForAck(writeKey, [viewed(shopper, 'drill')]);
    await drainAll(writeKey);
    await holdDrains(writeKey, true);
    await send(writeKey, [viewed(shopper, 'tent')]);
    expect(
      ids(await home(writeKey, shopper))
        .slice(0, 2)
        .sort(),
    ).toEqual(['stove', 'tent']);
    await holdDrains(writeKey, false);
    await drainAll(writeKey);
  });

  it('passed over when the shard count changed since it was given, or it names another shard: the shard is asked', async () => {
    const writeKey = await hardwareShop();
    const shopper = uniqueId('resharded');
    const ack = parseAck(await sendForAck(writeKey, [viewed(shopper, 'drill')]))!;
    await drainAll(writeKey);
    await holdDrains(writeKey, true);
    await send(writeKey, [viewed(shopper, 'tent')]);
    // Given when the deployment had another INGEST_SHARDS: the browser's events may wait elsewhere now.
    const otherCount = formatAck({ ...ack, shards: ack.shards + 1 });
    expect(
      ids(await home(writeKey, shopper, otherCount))
        .slice(0, 2)
        .sort(),
    ).toEqual(['stove', 'tent']);
    // Another browser's token.
    const otherShard = formatAck({ ...ack, shard: (ack.shard + 1) % ack.shards });
    expect(
      ids(await home(writeKey, shopper, otherShard))
        .slice(0, 2)
        .sort(),
    ).toEqual(['stove', 'tent']);
    await holdDrains(writeKey, false);
    await drainAll(writeKey);
  });

  it('malformed (the browser’s stored token damaged): passed over, the shard is asked, as without a token', async () => {
    const writeKey = await hardwareShop();
    const shopper = uniqueId('malformed');
    await sendForAck(writeKey, [viewed(shopper, 'drill')]);
    await drainAll(writeKey);
    await holdDrains(writeKey, true);
    await send(writeKey, [viewed(shopper, 'tent')]);
    for (const ack of ['nonsense', '1.2', '5.2.1', '1.2.3.4', 'A.2.1', 'false', '~1767225600000']) {
      const res = await recommend(writeKey, { slot: 'home', anonymousId: shopper, ack });
      expect(res.status, ack).toBe(200);
      expect(
        ids((await res.json()) as { items: { productId: string }[] })
          .slice(0, 2)
          .sort(),
        ack,
      ).toEqual(['stove', 'tent']);
    }
    await holdDrains(writeKey, false);
    await drainAll(writeKey);
  });
});
