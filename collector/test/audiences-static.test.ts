/**
 * Static audiences (a list of profile ids) inside the Workers runtime: made
 * from a people list's profile ids, exported like a live audience, entries
 * and exits delivered to destinations, a merged-away profile's place
 * following the person, erasure taking them out, the profile API answering a
 * profile id, and a clear 4xx with JSON paths for every bad input.
 */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ADMIN, BASE, createSite, uniqueId } from './support/collector';
import { adminGet, audience, event, memberIds, members, profileOf, putAudience, send, settle } from './support/audiences';
import { createWebhookDestination, deliverDue, FakeClock, script, type Received } from './support/destinations';

const tent = { product_id: 'tent-1', category: 'Outdoor > Tents', price: 120 };

async function request(method: string, path: string, body?: unknown): Promise<Response> {
  return SELF.fetch(`${BASE}${path}`, {
    method,
    headers: { ...ADMIN, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}

function putList(writeKey: string, id: string, body: Record<string, unknown>): Promise<Response> {
  return request('PUT', `/v1/admin/audiences/${id}?writeKey=${writeKey}`, { name: id, ...body });
}

function changeList(writeKey: string, id: string, body: Record<string, unknown>): Promise<Response> {
  return request('POST', `/v1/admin/audiences/${id}/members?writeKey=${writeKey}`, body);
}

async function json(res: Response): Promise<Record<string, any>> {
  return { status: res.status, ...((await res.json()) as Record<string, any>) };
}

/** Shoppers who each viewed a tent, with their profile ids. */
async function shoppers(writeKey: string, n: number): Promise<{ anonymousId: string; profileId: string }[]> {
  const ids = Array.from({ length: n }, () => uniqueId('shopper'));
  await send(
    writeKey,
    ids.map((id) => event(id, 'Product Viewed', tent)),
  );
  return Promise.all(ids.map(async (anonymousId) => ({ anonymousId, profileId: (await profileOf(writeKey, anonymousId)).profileId as string })));
}

describe('a static audience', () => {
  it('takes the people listed, ready at once, exported as NDJSON and CSV like a live one', async () => {
    const writeKey = await createSite();
    const [a, b, c] = await shoppers(writeKey, 3);
    const res = await putList(writeKey, 'dropped-at-cart', {
      name: 'Dropped after adding to cart',
      profileIds: [a!.profileId, b!.profileId, 'no-such-profile', a!.profileId],
      description: 'Funnel step 2, 1–7 Dec',
    });
    expect(await json(res)).toEqual({
      status: 200,
      ok: true,
      created: true,
      audience: {
        id: 'dropped-at-cart',
        writeKey,
        name: 'Dropped after adding to cart',
        kind: 'static',
        definition: null,
        description: 'Funnel step 2, 1–7 Dec',
        size: 2,
        status: 'ready',
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      },
      list: { added: 2, removed: 0, unknown: 1, unknownIds: ['no-such-profile'] },
    });
    expect(await memberIds(writeKey, 'dropped-at-cart')).toEqual([a!.profileId, b!.profileId].sort());
    const [member] = await members(writeKey, 'dropped-at-cart', 1);
    expect(member).toMatchObject({ profileId: expect.any(String), anonymousIds: [expect.any(String)], lifecycle: 'new', enteredAt: expect.any(String) });
    const csv = await (await adminGet(`/v1/admin/audiences/dropped-at-cart/members?writeKey=${writeKey}&format=csv`)).text();
    expect(csv).toContain(a!.profileId);
    expect(csv).not.toContain(c!.profileId);

    const listed = (await (await adminGet(`/v1/admin/audiences?writeKey=${writeKey}`)).json()) as { audiences: Record<string, unknown>[] };
    expect(listed.audiences).toEqual([expect.objectContaining({ id: 'dropped-at-cart', kind: 'static', size: 2, status: 'ready' })]);
    // The person's profile lists it, and answers to the profile id a people list names.
    const person = await profileOf(writeKey, a!.profileId);
    expect(person).toMatchObject({ profileId: a!.profileId, anonymousIds: [a!.anonymousId] });
    expect(person.audiences).toEqual([{ id: 'dropped-at-cart', name: 'Dropped after adding to cart', enteredAt: expect.any(String) }]);
  });

  it('a PUT replaces the list; POST …/members adds and removes', async () => {
    const writeKey = await createSite();
    const [a, b, c, d] = await shoppers(writeKey, 4);
    await putList(writeKey, 'vip', { profileIds: [a!.profileId, b!.profileId] });
    const replaced = await json(await putList(writeKey, 'vip', { profileIds: [b!.profileId, c!.profileId] }));
    expect(replaced).toMatchObject({ status: 200, created: false, audience: { size: 2 }, list: { added: 1, removed: 1, unknown: 0 } });
    expect(await memberIds(writeKey, 'vip')).toEqual([b!.profileId, c!.profileId].sort());

    const changed = await json(await changeList(writeKey, 'vip', { add: [d!.profileId, c!.profileId], remove: [b!.profileId] }));
    expect(changed).toMatchObject({ status: 200, ok: true, audience: { id: 'vip', kind: 'static', size: 2 }, list: { added: 1, removed: 1, unknown: 0 } });
    expect(await memberIds(writeKey, 'vip')).toEqual([c!.profileId, d!.profileId].sort());
    // Events change nothing on a list.
    await send(writeKey, [event(a!.anonymousId, 'Order Completed', { order_id: uniqueId('o'), total: 10, products: [tent] })]);
    expect(await memberIds(writeKey, 'vip')).toEqual([c!.profileId, d!.profileId].sort());
  });

  it('destinations get an entry for each person listed, and an exit for each removed', async () => {
    const writeKey = await createSite();
    const { id } = await createWebhookDestination(writeKey, ['kept']);
    const received: Received[] = await script(id, () => new Response('ok'), new FakeClock());
    const [a, b] = await shoppers(writeKey, 2);
    await putList(writeKey, 'kept', { name: 'Kept from the funnel', profileIds: [a!.profileId, b!.profileId] });
    await settle(writeKey);
    await deliverDue(id);
    const seen = () =>
      received.map(
        (r) => JSON.parse(r.body) as { type: string; data: { audience: { id: string; name: string }; profile: { profileId: string; anonymousIds: string[] } } },
      );
    expect(
      seen()
        .map((p) => [p.type, p.data.profile.profileId])
        .sort(),
    ).toEqual(
      [
        ['audience.entered', a!.profileId],
        ['audience.entered', b!.profileId],
      ].sort(),
    );
    expect(seen()[0]!.data.audience).toEqual({ id: 'kept', name: 'Kept from the funnel' });

    await changeList(writeKey, 'kept', { remove: [a!.profileId] });
    await settle(writeKey);
    await deliverDue(id);
    expect(
      seen()
        .map((p) => [p.type, p.data.profile.profileId])
        .slice(2),
    ).toEqual([['audience.exited', a!.profileId]]);
  });

  it("a merged-away profile's place follows the person, and a merged-away id listed is the person now", async () => {
    const writeKey = await createSite();
    const laptop = uniqueId('laptop');
    const phone = uniqueId('phone');
    await send(writeKey, [{ type: 'identify', messageId: uniqueId('m'), anonymousId: laptop, userId: 'merge-me', traits: {} }]);
    await send(writeKey, [event(phone, 'Product Viewed', tent)]);
    const phoneProfile = (await profileOf(writeKey, phone)).profileId as string;
    await putList(writeKey, 'phone-browsers', { profileIds: [phoneProfile] });
    expect(await memberIds(writeKey, 'phone-browsers')).toEqual([phoneProfile]);

    // The phone logs in: its anonymous profile joins the customer's.
    await send(writeKey, [{ type: 'identify', messageId: uniqueId('m'), anonymousId: phone, userId: 'merge-me', traits: {} }]);
    await settle(writeKey);
    const person = await profileOf(writeKey, 'merge-me');
    expect(person.mergedProfileIds).toEqual([phoneProfile]);
    expect(await memberIds(writeKey, 'phone-browsers')).toEqual([person.profileId]);
    expect((await audience(writeKey, 'phone-browsers')).size).toBe(1);
    expect(person.audiences.map((a: { id: string }) => a.id)).toEqual(['phone-browsers']);

    // A list made later from an export that still names the old id finds the person.
    const later = await json(await putList(writeKey, 'from-old-export', { profileIds: [phoneProfile] }));
    expect(later.list).toMatchObject({ added: 1, unknown: 0 });
    expect(await memberIds(writeKey, 'from-old-export')).toEqual([person.profileId]);
    // And the profile API answers the old id with the person.
    expect((await profileOf(writeKey, phoneProfile)).profileId).toBe(person.profileId);
  });

  it('erasure takes the person off the list, and a list naming them again skips them', async () => {
    const writeKey = await createSite();
    const [a, b] = await shoppers(writeKey, 2);
    await putList(writeKey, 'to-erase', { profileIds: [a!.profileId, b!.profileId] });
    const erased = await SELF.fetch(`${BASE}/v1/admin/users/${a!.anonymousId}?writeKey=${writeKey}`, { method: 'DELETE', headers: ADMIN });
    expect(erased.status).toBe(200);
    expect(await memberIds(writeKey, 'to-erase')).toEqual([b!.profileId]);
    expect((await audience(writeKey, 'to-erase')).size).toBe(1);
    const again = await json(await putList(writeKey, 'to-erase', { profileIds: [a!.profileId, b!.profileId] }));
    expect(again.list).toEqual({ added: 0, removed: 0, unknown: 1, unknownIds: [a!.profileId] });
    expect((await adminGet(`/v1/admin/profiles/${a!.profileId}?writeKey=${writeKey}`)).status).toBe(404);
  });

  it('a deleted list can be made again, empty', async () => {
    const writeKey = await createSite();
    const [a, b] = await shoppers(writeKey, 2);
    await putList(writeKey, 'again', { profileIds: [a!.profileId] });
    expect((await request('DELETE', `/v1/admin/audiences/again?writeKey=${writeKey}`)).status).toBe(200);
    expect((await json(await putList(writeKey, 'again', { profileIds: [b!.profileId] }))).created).toBe(true);
    expect(await memberIds(writeKey, 'again')).toEqual([b!.profileId]);
  });
});

describe('bad input', () => {
  it('names the JSON path of each bad part', async () => {
    const writeKey = await createSite();
    const bad = await json(await putList(writeKey, 'bad', { profileIds: ['ok', 42, ''], extra: true }));
    expect(bad).toMatchObject({ status: 400, error: 'invalid_audience' });
    expect(bad.issues).toEqual(
      expect.arrayContaining([
        { path: 'profileIds[1]', message: expect.stringContaining('expected a profile id') },
        { path: 'profileIds[2]', message: expect.stringContaining('not an empty string') },
        { path: 'extra', message: expect.stringContaining('is not a field') },
      ]),
    );
    expect(bad.message).toContain('profileIds[1]');

    const both = await json(await putList(writeKey, 'both', { profileIds: [], definition: { fact: 'orders', op: 'gte', value: 1 } }));
    expect(both).toMatchObject({ status: 400, issues: [{ path: 'definition', message: expect.stringContaining('not profileIds') }] });

    const tooMany = await json(await putList(writeKey, 'many', { profileIds: Array.from({ length: 10_001 }, (_, i) => `p-${i}`) }));
    expect(tooMany).toMatchObject({ status: 400, issues: [{ path: 'profileIds', message: expect.stringContaining('POST /v1/admin/audiences/:id/members') }] });

    await putList(writeKey, 'fine', { profileIds: [] });
    const empty = await json(await changeList(writeKey, 'fine', {}));
    expect(empty).toMatchObject({ status: 400, error: 'invalid_members_change', issues: [{ message: expect.stringContaining('give "add" or "remove"') }] });
    const notList = await json(await changeList(writeKey, 'fine', { add: 'p-1' }));
    expect(notList).toMatchObject({ status: 400, issues: [{ path: 'add', message: '"add" takes a list of profile ids' }] });
    expect((await changeList(writeKey, 'nowhere', { add: ['x'] })).status).toBe(404);
  });

  it('an audience keeps its kind: a list and conditions are 409s naming the way out', async () => {
    const writeKey = await createSite();
    await putAudience(writeKey, 'live-one', { fact: 'orders', op: 'gte', value: 1 });
    const overLive = await json(await putList(writeKey, 'live-one', { profileIds: [] }));
    expect(overLive).toMatchObject({ status: 409, error: 'audience_kind_fixed', message: expect.stringContaining('DELETE it first') });
    const addToLive = await json(await changeList(writeKey, 'live-one', { add: ['x'] }));
    expect(addToLive).toMatchObject({ status: 409, error: 'live_audience' });
    await putList(writeKey, 'list-one', { profileIds: [] });
    const overList = await json(await putAudience(writeKey, 'list-one', { fact: 'orders', op: 'gte', value: 1 }));
    expect(overList).toMatchObject({ status: 409, error: 'audience_kind_fixed' });
  });
});
