/**
 * Erasure reaches everything: the D1 log, rejected messages, ShopState, the
 * shards' dead letters and buffers, and the R2 archive; and suppressed means
 * stored nowhere, for late retries and replays too. A string that is one
 * person's userId and another's anonymousId erases only the one named.
 */
import { SELF, env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { idHash } from '../src/lib/hash';
import type { DeadLetter, IngestShard } from '../src/storage/ingest-shard';
import { archiveErasureOf, beginArchiveErasure, continueArchiveErasures, tombstoneKey } from '../src/storage/archive-erasure';
import { ingestShards } from '../src/storage/ingest-shard-choice';
import { archived, archivedLines } from './support/archive';
import { ADMIN, BASE, createSite, drainAll, exportEvents, post, rejected, track, uniqueId } from './support/collector';
import { profileOf } from './support/shop';

async function erase(writeKey: string, id: string, query = '') {
  const res = await SELF.fetch(`${BASE}/v1/admin/users/${encodeURIComponent(id)}?writeKey=${writeKey}${query}`, { method: 'DELETE', headers: ADMIN });
  expect(res.status).toBe(200);
  return ((await res.json()) as { erased: Record<string, any>[] }).erased[0]!;
}

const deadLetters = async (writeKey: string) => (await Promise.all(ingestShards(env, writeKey).map((s) => s.deadLetters()))).flat() as DeadLetter[];

/** A suppression in D1 alone, as an erasure in progress leaves it (or as one made before kinds were kept: '*'). */
async function suppressInLog(writeKey: string, id: string, kind: 'user' | 'anonymous' | '*') {
  await env.DB.prepare('INSERT INTO suppressed_ids (write_key, id_hash, id_kind, suppressed_at) VALUES (?, ?, ?, ?)')
    .bind(writeKey, await idHash(writeKey, id), kind, new Date().toISOString())
    .run();
}

async function injectEverywhere(writeKey: string, faults: Parameters<IngestShard['injectFaults']>[0]) {
  for (const stub of ingestShards(env, writeKey)) await runInDurableObject(stub, (shard: IngestShard) => shard.injectFaults(faults));
}

async function sendAndDrain(writeKey: string, batch: unknown[]) {
  const res = await post('/v1/batch', { writeKey, batch });
  expect(res.status).toBe(200);
  await drainAll(writeKey);
  return (await res.json()) as { accepted: number; rejected: { index: number; reason: string }[] };
}

describe('erasure in the R2 archive', () => {
  it('rewrites the archived objects without the person, leaves everyone else, and writes a tombstone for warehouse copies', async () => {
    const writeKey = await createSite();
    const victim = uniqueId('victim');
    // The person browses anonymously, logs in (their browser merges in), and shares objects with a bystander.
    await sendAndDrain(writeKey, [track({ anonymousId: 'v-laptop' }), track({ anonymousId: 'bystander' }), track({ anonymousId: 'v-phone', userId: victim })]);
    await sendAndDrain(writeKey, [
      { type: 'identify', anonymousId: 'v-laptop', userId: victim, messageId: uniqueId('m') },
      track({ anonymousId: 'v-laptop', userId: victim }),
    ]);
    await sendAndDrain(writeKey, [track({ anonymousId: 'bystander' })]);
    const before = await archivedLines(writeKey);
    expect(before.filter((l) => l.anonymousId !== 'bystander')).toHaveLength(4);
    const { body: profile } = await profileOf(writeKey, victim);

    const result = await erase(writeKey, victim);
    expect(result.archive).toMatchObject({ done: true, eventsRemoved: 4 });
    const after = await archivedLines(writeKey);
    expect(after.map((l) => l.anonymousId)).toEqual(['bystander', 'bystander']);
    expect((await exportEvents(writeKey)).map((e) => e.anonymousId)).toEqual(['bystander', 'bystander']);
    // Every object left is readable and counted: a rewritten one keeps the bystander's line.
    for (const object of await archived(writeKey)) expect(Number(object.metadata.events)).toBe(object.lines.length);

    // The tombstone names the person only by digests a warehouse can compute from its own copy.
    const tombstones = await env.ARCHIVE.list({ prefix: `erasures/write_key=${encodeURIComponent(writeKey)}/` });
    expect(tombstones.objects).toHaveLength(1);
    const tombstone = (await (await env.ARCHIVE.get(tombstones.objects[0]!.key))!.json()) as Record<string, any>;
    expect(tombstone.userIdHashes).toEqual([await idHash(writeKey, victim)]);
    expect(tombstone.profileIdHashes).toContain(await idHash(writeKey, profile.profileId));
    expect(tombstone.profileIdHashes).toHaveLength(2); // their own and the laptop's merged profile
    expect(JSON.stringify(tombstone)).not.toContain(victim);
  });

  it('reads only the objects that may hold the person, and goes on where it stopped until the walk is done', async () => {
    const writeKey = await createSite();
    const victim = uniqueId('walk');
    for (let i = 0; i < 6; i++)
      await sendAndDrain(writeKey, [track({ anonymousId: `other-${i}` }), ...(i % 3 === 0 ? [track({ anonymousId: 'w', userId: victim })] : [])]);
    expect(await archived(writeKey)).toHaveLength(6);
    const erasure = await archiveErasureOf(writeKey, { profileIds: [], userIds: [victim] }, new Date().toISOString());
    await beginArchiveErasure(env, writeKey, erasure);
    expect(await env.ARCHIVE.head(tombstoneKey(writeKey, erasure))).not.toBeNull();

    // One object a time, as if each cron trigger had only that much time.
    const steps = [];
    for (let i = 0; i < 10; i++) {
      const [step] = await continueArchiveErasures(env, { writeKey, maxObjects: 1 });
      if (!step) break;
      steps.push(step.result);
    }
    expect(steps.at(-1)!.done).toBe(true);
    expect(steps.reduce((n, s) => n + s.listed, 0)).toBe(6);
    expect(steps.reduce((n, s) => n + s.eventsRemoved, 0)).toBe(2);
    // The people filter spares reading the objects the person is not in.
    expect(steps.reduce((n, s) => n + s.read, 0)).toBeLessThan(6);
    expect((await archivedLines(writeKey)).filter((l) => l.userId === victim)).toEqual([]);
    expect(await archivedLines(writeKey)).toHaveLength(6);
    const left = await env.DB.prepare('SELECT COUNT(*) AS n FROM archive_erasures WHERE write_key = ?').bind(writeKey).first<{ n: number }>();
    expect(left!.n).toBe(0);
  });

  it('takes out of the archive what a drain wrote while the person was being erased', async () => {
    const writeKey = await createSite();
    const victim = uniqueId('race');
    // ShopState has not suppressed them yet (its erase came after it applied the batch), but D1 has.
    await suppressInLog(writeKey, victim, 'user');
    await sendAndDrain(writeKey, [track({ anonymousId: 'race-a', userId: victim }), track({ anonymousId: 'race-b' })]);
    expect((await archivedLines(writeKey)).map((l) => l.anonymousId)).toEqual(['race-b']);
  });
});

describe('suppressed means stored nowhere', () => {
  it('stores a late retry of an erased person’s message nowhere: not the log, the archive, the profiles or the rejected', async () => {
    const writeKey = await createSite();
    const victim = uniqueId('late');
    const message = track({ anonymousId: 'late-browser', userId: victim, event: 'Product Viewed', properties: { product_id: 'p1', category: 'Tents' } });
    await sendAndDrain(writeKey, [message]);
    await erase(writeKey, victim);

    // The same message again (a client that never saw the 200), and a new one.
    await sendAndDrain(writeKey, [message, track({ anonymousId: 'late-browser' }), { type: 'track', userId: victim, messageId: uniqueId('bad') }]);
    expect(await exportEvents(writeKey)).toEqual([]);
    expect(await archivedLines(writeKey)).toEqual([]);
    expect(await rejected(writeKey)).toEqual([]);
    expect((await profileOf(writeKey, victim)).status).toBe(404);
    expect((await profileOf(writeKey, 'late-browser')).status).toBe(404);
  });

  it('erases dead letters and buffered messages of the person, so a replay stores nothing of them', async () => {
    const writeKey = await createSite();
    const victim = uniqueId('dead');
    const poison = track({ anonymousId: 'dl-browser', userId: victim });
    const bystanderPoison = track({ anonymousId: 'dl-bystander' });
    await injectEverywhere(writeKey, { poison: [poison.messageId as string, bystanderPoison.messageId as string] });
    await sendAndDrain(writeKey, [poison, bystanderPoison]);
    expect(await deadLetters(writeKey)).toHaveLength(2);
    // One more of theirs waits in a buffer while storage is down.
    await injectEverywhere(writeKey, { failDrains: 1000 });
    await post('/v1/batch', { writeKey, batch: [track({ anonymousId: 'dl-browser', userId: victim })] });

    const holding = ingestShards(env, writeKey);
    expect((await Promise.all(holding.map((s) => s.pendingEvents({ userId: victim })))).flat()).toHaveLength(1);

    const result = await erase(writeKey, victim);
    expect(result).toMatchObject({ deadLetters: 1, pending: 1 });
    // Nor do recommendations see their not-yet-drained events any more.
    expect((await Promise.all(holding.map((s) => s.pendingEvents({ userId: victim })))).flat()).toEqual([]);
    const letters = await deadLetters(writeKey);
    expect(letters.map((l) => (l.item.kind === 'event' ? l.item.message.messageId : null))).toEqual([bystanderPoison.messageId]);

    await injectEverywhere(writeKey, { failDrains: 0, poison: [] });
    for (const stub of ingestShards(env, writeKey)) await stub.replayDeadLetters();
    await drainAll(writeKey);
    expect((await exportEvents(writeKey)).map((e) => e.messageId)).toEqual([bystanderPoison.messageId]);
    expect((await archivedLines(writeKey)).map((l) => l.messageId)).toEqual([bystanderPoison.messageId]);
  });

  it('drops a suppressed message that fails on its own instead of dead-lettering it', async () => {
    const writeKey = await createSite();
    const victim = uniqueId('dying');
    await sendAndDrain(writeKey, [track({ anonymousId: 'dying-browser', userId: victim })]);
    await erase(writeKey, victim);
    const poison = track({ anonymousId: 'dying-browser', userId: victim });
    await injectEverywhere(writeKey, { poison: [poison.messageId as string] });
    await sendAndDrain(writeKey, [poison]);
    expect(await deadLetters(writeKey)).toEqual([]);
    expect((await Promise.all(ingestShards(env, writeKey).map((s) => s.pendingCount()))).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('erases rejected messages whose ids were untrimmed or numbers, and keeps none of them afterwards', async () => {
    const writeKey = await createSite();
    const answer = await sendAndDrain(writeKey, [
      track({ anonymousId: 'num-browser', userId: '12345' }),
      { type: 'track', userId: ' 12345 ', messageId: uniqueId('bad') }, // no event: rejected
      { type: 'track', userId: 12345, messageId: uniqueId('bad') },
      { type: 'track', anonymousId: ' num-browser ', messageId: uniqueId('bad') },
      { type: 'track', userId: 'someone-else', messageId: uniqueId('bad') },
    ]);
    expect(answer.rejected).toHaveLength(4);
    expect((await rejected(writeKey)).length).toBe(4);

    const result = await erase(writeKey, ' 12345 ');
    expect(result).toMatchObject({ events: 1, rejected: 3 });
    expect((await rejected(writeKey)).map((r) => JSON.parse(r.body).userId)).toEqual(['someone-else']);

    await sendAndDrain(writeKey, [
      { type: 'track', userId: 12345, messageId: uniqueId('bad') },
      { type: 'track', anonymousId: '  num-browser', messageId: uniqueId('bad') },
    ]);
    expect(await rejected(writeKey)).toHaveLength(1);
  });
});

describe('one string, two people', () => {
  it('erasing the customer whose userId is another visitor’s anonymousId leaves the visitor alone', async () => {
    const writeKey = await createSite();
    const shared = uniqueId('shared-string');
    await sendAndDrain(writeKey, [
      track({ anonymousId: 'customer-browser', userId: shared }),
      track({ anonymousId: shared }), // a visitor whose anonymousId happens to be the same string
      { type: 'track', anonymousId: shared, messageId: uniqueId('bad') }, // rejected, the visitor's
    ]);

    const result = await erase(writeKey, shared);
    expect(result).toMatchObject({ events: 1, rejected: 0 });
    expect((await exportEvents(writeKey)).map((e) => [e.anonymousId, e.userId ?? null])).toEqual([[shared, null]]);
    expect(await rejected(writeKey)).toHaveLength(1);
    expect((await profileOf(writeKey, shared)).status).toBe(200); // the visitor's profile

    // The visitor goes on being stored; the customer does not.
    await sendAndDrain(writeKey, [
      track({ anonymousId: shared }),
      track({ anonymousId: 'customer-browser', userId: shared }),
      track({ anonymousId: 'customer-browser' }),
    ]);
    expect((await exportEvents(writeKey)).map((e) => e.anonymousId)).toEqual([shared, shared]);
    expect((await archivedLines(writeKey)).map((l) => l.anonymousId)).toEqual([shared, shared]);
  });

  it('keeps an id suppressed before kinds were kept out of the log as either kind', async () => {
    const writeKey = await createSite();
    const old = uniqueId('erased-long-ago');
    await suppressInLog(writeKey, old, '*');
    await sendAndDrain(writeKey, [track({ anonymousId: old }), track({ anonymousId: 'b', userId: old }), track({ anonymousId: 'someone' })]);
    expect((await exportEvents(writeKey)).map((e) => e.anonymousId)).toEqual(['someone']);
  });

  it('erases the visitor instead when asked for the anonymousId', async () => {
    const writeKey = await createSite();
    const shared = uniqueId('shared-string');
    await sendAndDrain(writeKey, [track({ anonymousId: 'customer-browser', userId: shared }), track({ anonymousId: shared })]);
    const result = await erase(writeKey, shared, '&kind=anonymous');
    expect(result).toMatchObject({ events: 1 });
    expect((await exportEvents(writeKey)).map((e) => e.userId)).toEqual([shared]);
    const bad = await SELF.fetch(`${BASE}/v1/admin/users/x?writeKey=${writeKey}&kind=email`, { method: 'DELETE', headers: ADMIN });
    expect(bad.status).toBe(400);
  });
});
