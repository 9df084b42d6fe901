import { SELF, env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { identityDirectoryStub } from '../src/identity/identity-directory';
import { profileShardStub } from '../src/profiles/profile-shard';
import type { DrainStage } from '../src/profiles/profile-drain';
import { ingestShards } from '../src/storage/ingest-shard-choice';
import { ADMIN, BASE, createSite, drainAll, exportEvents, uniqueId } from './support/collector';
import { added, event, ordered, profileOf, recommendations, send, viewed, type Geo } from './support/shop';
import { adminGet, audience, memberIds, putAudience } from './support/audiences';

/** Live audiences every site defines before its shoppers come: each profile's memberships are compared too. */
const AUDIENCES = {
  buyers: { fact: 'orders', op: 'gte', value: 1 },
  'tent-browsers': { fact: 'viewedCategory', category: 'Outdoor > Tents', withinMinutes: 60, op: 'gte', value: 1 },
};

/** Waits until every host of the site has evaluated every profile for the audiences (their alarms run on their own). */
async function audiencesReady(writeKey: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const views = await Promise.all(Object.keys(AUDIENCES).map((id) => audience(writeKey, id)));
    if (views.every((view) => view.status === 'ready')) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the audiences never became ready');
}

async function defineAudiences(writeKeys: string[]): Promise<void> {
  for (const writeKey of writeKeys) {
    for (const [id, definition] of Object.entries(AUDIENCES)) expect((await putAudience(writeKey, id, definition)).status).toBe(200);
  }
}

const BAVARIA: Geo = { country: 'DE', region: 'Bavaria' };

const identify = (anonymousId: string, userId: string) => ({
  type: 'identify',
  messageId: uniqueId('m'),
  anonymousId,
  userId,
  timestamp: new Date().toISOString(),
  traits: { plan: 'gold' },
});
const alias = (previousId: string, userId: string) => ({
  type: 'alias',
  messageId: uniqueId('m'),
  anonymousId: previousId,
  previousId,
  userId,
  timestamp: new Date().toISOString(),
});

/**
 * Shoppers who browse on two devices and log in on both (the second login
 * merges the second device's profile into the customer's), with events
 * before and after each merge in the same batch, an alias, and orders.
 * Every site gets the same messages (same messageIds and times).
 */
function journeys(round: number): unknown[][] {
  const batches: unknown[][] = [];
  for (let i = 0; i < 3; i++) {
    const user = `r${round}-u${i}`;
    const laptop = `r${round}-laptop${i}`;
    const phone = `r${round}-phone${i}`;
    batches.push([viewed(laptop, 'tent'), viewed(laptop, `mat-${i % 3}`), identify(laptop, user), added(laptop, 'tent')]);
    batches.push([viewed(phone, 'stove'), added(phone, 'stove'), identify(phone, user), viewed(phone, 'lamp'), ordered(phone, ['stove', 'lamp'])]);
    if (i % 2 === 0)
      batches.push([viewed(`r${round}-tablet${i}`, 'tent'), alias(`r${round}-tablet${i}`, user), event(`r${round}-tablet${i}`, 'Cart Viewed', {})]);
  }
  return batches;
}

/** Batch after batch, each stored before the next is sent: links depend on the order in which logins are stored. */
async function shop(writeKeys: string[], round: number): Promise<void> {
  for (const batch of journeys(round)) {
    for (const writeKey of writeKeys) await send(writeKey, structuredClone(batch), BAVARIA);
    for (const writeKey of writeKeys) await drainAll(writeKey);
  }
}

/** What a site stored: each customer's profile, the log (profile of each message, credits), the slots. */
async function stateOf(writeKey: string, rounds: number[]) {
  const profiles: unknown[] = [];
  for (const round of rounds) {
    for (let i = 0; i < 3; i++) {
      for (const id of [`r${round}-u${i}`, `r${round}-phone${i}`]) {
        const { status, body } = await profileOf(writeKey, id);
        // When a profile entered an audience is the evaluating host's clock, which differs between sites.
        const { writeKey: _site, audiences, ...view } = body;
        profiles.push(status === 200 ? { ...view, audiences: (audiences as { enteredAt?: string }[]).map(({ enteredAt: _at, ...m }) => m) } : status);
      }
    }
  }
  const log = (await exportEvents(writeKey))
    .map((e) => [e.messageId, e.profileId, JSON.stringify(e.context?.attribution ?? null)])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  const slots = [];
  const asks: Record<string, string>[] = [
    { slot: 'home', anonymousId: 'r0-laptop1' },
    { slot: 'product', productId: 'tent', anonymousId: 'r0-phone2' },
    { slot: 'cart', anonymousId: 'r0-phone0' },
  ];
  for (const ask of asks) {
    const recs = await recommendations(writeKey, ask, BAVARIA);
    slots.push({ strategy: recs.strategy, items: recs.items.map((item) => [item.productId, item.reason, Math.round(item.score * 1e6)]) });
  }
  // The members of the audiences, on a site that defined them.
  const audiences = [];
  const defined = (await adminGet(`/v1/admin/audiences?writeKey=${writeKey}`).then((res) => res.json())) as { audiences: unknown[] };
  if (defined.audiences.length > 0) for (const id of Object.keys(AUDIENCES)) audiences.push(await memberIds(writeKey, id));
  return { profiles, log, slots, audiences };
}

async function putSettings(writeKey: string, settings: Record<string, unknown>): Promise<Response> {
  return SELF.fetch(`${BASE}/v1/admin/sites/${writeKey}`, {
    method: 'PUT',
    headers: { ...ADMIN, 'content-type': 'application/json' },
    body: JSON.stringify({ settings }),
  });
}

async function documentsPerShard(writeKey: string, shards: number, profileIds: string[]): Promise<number[]> {
  const ids = [...new Set(profileIds)];
  return Promise.all(Array.from({ length: shards }, async (_, i) => (await profileShardStub(env, writeKey, i).profiles(ids)).length));
}

const personal = { holdoutPercent: 0 };

describe('profiles in shards of their own (profileShards)', () => {
  it('stores exactly what one object does: profiles, merges across shards, the log, the slots', { timeout: 120_000 }, async () => {
    const single = await createSite({ settings: personal });
    const sharded = await createSite({ settings: { ...personal, profileShards: 3 } });
    await defineAudiences([single, sharded]);
    await shop([single, sharded], 0);
    const expected = await stateOf(single, [0]);
    expect(expected.audiences.map((ids) => ids.length)).toEqual([3, 3]);
    expect((expected.profiles[0] as { userIds: string[] }).userIds).toEqual(['r0-u0']);
    // The phone's profile was merged into the customer's.
    expect((expected.profiles[0] as { mergedProfileIds: string[] }).mergedProfileIds.length).toBeGreaterThan(0);
    expect(await stateOf(sharded, [0])).toEqual(expected);
    expect(await env.SHOP_STATE.getByName(sharded).profileShards()).toBe(3);
    // The documents are spread over the shards, none left in ShopState.
    const ids = (expected.profiles as { profileId?: string }[]).flatMap((p) => (p.profileId ? [p.profileId] : []));
    const perShard = await documentsPerShard(sharded, 3, ids);
    expect(perShard.filter((n) => n > 0).length).toBeGreaterThan(1);
    expect(perShard.reduce((a, b) => a + b, 0)).toBe(new Set(ids).size);
  });

  it('one shard works', { timeout: 120_000 }, async () => {
    const single = await createSite({ settings: personal });
    const one = await createSite({ settings: { ...personal, profileShards: 1 } });
    await shop([single, one], 0);
    expect(await stateOf(one, [0])).toEqual(await stateOf(single, [0]));
  });

  it.each<DrainStage>(['resolve', 'merge-out', 'profiles'])(
    'a drain retried after the %s stage stores exactly what an uninterrupted one does',
    { timeout: 120_000 },
    async (stage) => {
      const single = await createSite({ settings: personal });
      const sharded = await createSite({ settings: { ...personal, profileShards: 3 } });
      for (const stub of ingestShards(env, sharded)) await stub.injectFaults({ failAtStage: { stage, times: 3 } });
      await shop([single, sharded], 0);
      for (const stub of ingestShards(env, sharded)) expect(await stub.deadLetters()).toEqual([]);
      expect(await stateOf(sharded, [0])).toEqual(await stateOf(single, [0]));
    },
  );

  it('counts a drain retried after the event log failed once', { timeout: 120_000 }, async () => {
    const single = await createSite({ settings: personal });
    const sharded = await createSite({ settings: { ...personal, profileShards: 2 } });
    for (const stub of ingestShards(env, sharded)) await stub.injectFaults({ failAfterProfiles: 2 });
    await shop([single, sharded], 0);
    expect(await stateOf(sharded, [0])).toEqual(await stateOf(single, [0]));
  });

  it('erases a person from the directory and their shards; their late messages are stored nowhere', { timeout: 120_000 }, async () => {
    const writeKey = await createSite({ settings: { ...personal, profileShards: 3 } });
    await shop([writeKey], 0);
    const before = await profileOf(writeKey, 'r0-u1');
    expect(before.status).toBe(200);
    const profileIds = [before.body.profileId as string, ...(before.body.mergedProfileIds as string[])];
    const res = await SELF.fetch(`${BASE}/v1/admin/users/r0-u1?writeKey=${writeKey}`, { method: 'DELETE', headers: ADMIN });
    expect(res.status).toBe(200);
    expect((await profileOf(writeKey, 'r0-u1')).status).toBe(404);
    expect((await profileOf(writeKey, 'r0-phone1')).status).toBe(404);
    expect(await documentsPerShard(writeKey, 3, profileIds)).toEqual([0, 0, 0]);
    // A late retry and a new event of theirs: suppressed, stored nowhere.
    await send(writeKey, [viewed('r0-phone1', 'tent'), identify('r0-laptop1', 'r0-u1')], BAVARIA);
    await drainAll(writeKey);
    expect((await profileOf(writeKey, 'r0-u1')).status).toBe(404);
    const log = await exportEvents(writeKey);
    expect(log.filter((e) => e.userId === 'r0-u1' || ['r0-phone1', 'r0-laptop1'].includes(e.anonymousId))).toEqual([]);
    expect(await documentsPerShard(writeKey, 3, profileIds)).toEqual([0, 0, 0]);
    // Everyone else is still there.
    expect((await profileOf(writeKey, 'r0-u2')).status).toBe(200);
  });

  it('moves a shop kept in one object to shards without losing a profile, id, merge or slot, and keeps it there', async () => {
    const reference = await createSite({ settings: personal });
    const moving = await createSite({ settings: personal });
    await defineAudiences([reference, moving]);
    await shop([reference, moving], 0);
    expect(await stateOf(moving, [0])).toEqual(await stateOf(reference, [0]));

    expect((await putSettings(moving, { profileShards: 3 })).status).toBe(200);
    expect(await env.SHOP_STATE.getByName(moving).moveProfilesToShards(3)).toMatchObject({ moved: expect.any(Number) });
    expect(await env.SHOP_STATE.getByName(moving).profileShards()).toBe(3);
    await audiencesReady(moving);
    // Ids and merges are the directory's now.
    expect(await identityDirectoryStub(env, moving).profileIdOf({ anonymousId: 'r0-phone1' })).toBe((await profileOf(reference, 'r0-u1')).body.profileId);
    expect(await stateOf(moving, [0])).toEqual(await stateOf(reference, [0]));

    // A retried drain of a batch applied before the move counts nothing twice.
    await shop([reference, moving], 1);
    expect(await stateOf(moving, [0, 1])).toEqual(await stateOf(reference, [0, 1]));

    const change = await putSettings(moving, { profileShards: 2 });
    expect(change.status).toBe(409);
    expect(((await change.json()) as { message: string }).message).toMatch(/profileShards is 3/);
  }, 120_000);

  it('moves on the first batch after the setting changed', async () => {
    const reference = await createSite({ settings: personal });
    const moving = await createSite({ settings: personal });
    await shop([reference, moving], 0);
    expect((await putSettings(moving, { profileShards: 2 })).status).toBe(200);
    await shop([reference, moving], 1);
    expect(await env.SHOP_STATE.getByName(moving).profileShards()).toBe(2);
    expect(await stateOf(moving, [0, 1])).toEqual(await stateOf(reference, [0, 1]));
  }, 120_000);

  it('refuses a shard count that is not a whole number from 0 to 64', async () => {
    const writeKey = await createSite();
    for (const bad of [-1, 65, 1.5, 'two']) {
      const res = await putSettings(writeKey, { profileShards: bad });
      expect(res.status, String(bad)).toBe(400);
      expect(await res.text()).toMatch(/profileShards/);
    }
  });
});
