/**
 * A merge seen by the destinations (a phone that browsed anonymously logs in
 * to a customer): the person moved, they did not leave. While the customer's
 * profile is in the audience after the merge, no exit of the merged-away
 * profile is delivered (it would carry the customer's userId and traits, and
 * an email tool would take the customer off its list); when the customer
 * enters by the merge, that entry is the only change delivered.
 */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ADMIN, BASE, createSite, uniqueId } from './support/collector';
import { audience, defineAudience, event, memberIds, profileOf, send, settle } from './support/audiences';
import { createWebhookDestination, deliverDue, FakeClock, putDestination, script, type Received } from './support/destinations';

const tent = { product_id: 'tent-1', category: 'Outdoor > Tents', price: 120 };
const BAVARIA = { fact: 'region', op: 'eq', value: 'Bavaria' };
const VIEWED_TENTS = { fact: 'viewedCategory', category: 'Outdoor > Tents', withinMinutes: 30, op: 'gte', value: 1 };
const ok = () => new Response('ok');

/** A webhook and a segment destination taking `audiences`, with what each receives. */
async function destinations(writeKey: string, audiences: string[]) {
  const webhook = (await createWebhookDestination(writeKey, audiences)).id;
  const webhookReceived = await script(webhook, ok, new FakeClock());
  const segment = uniqueId('seg');
  const put = await putDestination(segment, { url: 'http://localhost:9', audiences, kind: 'segment', writeKey: 'rk' }, `?writeKey=${writeKey}`);
  expect(put.status).toBe(200);
  const segmentReceived = await script(segment, ok, new FakeClock());
  return {
    /** Hands the profile host's transitions over, then delivers what is due at both. */
    async deliver() {
      await settle(writeKey);
      await deliverDue(webhook);
      await deliverDue(segment);
    },
    /** What each destination received from `from` on: [type, profileId, userId] and [audience trait, userId]. */
    since(from: { webhook: number; segment: number }) {
      return {
        webhook: webhookReceived.slice(from.webhook).map(webhookChange),
        segment: segmentReceived.slice(from.segment).map(segmentChange),
      };
    },
    count: () => ({ webhook: webhookReceived.length, segment: segmentReceived.length }),
  };
}

function webhookChange(r: Received): [string, string, string | null, string] {
  const p = JSON.parse(r.body) as { type: string; data: { audience: { id: string }; profile: { profileId: string; userId: string | null } } };
  return [p.type, p.data.audience.id, p.data.profile.userId, p.data.profile.profileId];
}

function segmentChange(r: Received): [Record<string, unknown>, string | null] {
  const p = JSON.parse(r.body) as { userId?: string; traits: Record<string, unknown> };
  const { email: _email, ...traits } = p.traits;
  return [traits, p.userId ?? null];
}

function request(method: string, path: string, body: unknown): Promise<Response> {
  return SELF.fetch(`${BASE}${path}`, { method, headers: { ...ADMIN, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** The customer on a laptop (identified, with an email), and an anonymous phone; returns both profile ids. */
async function customerAndPhone(writeKey: string, userId: string, laptopEvents: (laptop: string) => Record<string, unknown>[]) {
  const laptop = uniqueId('laptop');
  const phone = uniqueId('phone');
  await send(writeKey, [
    { type: 'identify', messageId: uniqueId('m'), anonymousId: laptop, userId, traits: { email: `${userId}@example.com` } },
    ...laptopEvents(laptop),
  ]);
  await send(writeKey, [event(phone, 'Product Viewed', tent)]);
  return {
    laptop,
    phone,
    customer: (await profileOf(writeKey, userId)).profileId as string,
    phoneProfile: (await profileOf(writeKey, phone)).profileId as string,
  };
}

async function logIn(writeKey: string, phone: string, userId: string): Promise<void> {
  await send(writeKey, [{ type: 'identify', messageId: uniqueId('m'), anonymousId: phone, userId, traits: {} }]);
}

describe('a merge is a move, not an exit', () => {
  it('both profiles in the audience: no exit is delivered for the customer who stays a member', async () => {
    const writeKey = await createSite();
    const to = await destinations(writeKey, ['bavaria']);
    await defineAudience(writeKey, 'bavaria', BAVARIA);
    const { phone, customer, phoneProfile } = await customerAndPhone(writeKey, 'u-both', (laptop) => [event(laptop, 'Product Viewed', tent)]);
    expect(await memberIds(writeKey, 'bavaria')).toEqual([customer, phoneProfile].sort());
    await to.deliver();
    const before = to.count();

    await logIn(writeKey, phone, 'u-both');
    await to.deliver();
    expect((await profileOf(writeKey, 'u-both')).mergedProfileIds).toEqual([phoneProfile]);
    expect(await memberIds(writeKey, 'bavaria')).toEqual([customer]);
    expect((await audience(writeKey, 'bavaria')).size).toBe(1);
    expect(to.since(before)).toEqual({ webhook: [], segment: [] });
  });

  it('only the phone in the audience: the customer enters by the merge, and that entry is the one change delivered', async () => {
    const writeKey = await createSite();
    const to = await destinations(writeKey, ['tents']);
    await defineAudience(writeKey, 'tents', VIEWED_TENTS);
    const { phone, customer, phoneProfile } = await customerAndPhone(writeKey, 'u-one', () => []);
    expect(await memberIds(writeKey, 'tents')).toEqual([phoneProfile]);
    await to.deliver();
    const before = to.count();

    await logIn(writeKey, phone, 'u-one');
    await to.deliver();
    expect(await memberIds(writeKey, 'tents')).toEqual([customer]);
    expect((await audience(writeKey, 'tents')).size).toBe(1);
    expect(to.since(before)).toEqual({
      webhook: [['audience.entered', 'tents', 'u-one', customer]],
      segment: [[{ tents: true }, 'u-one']],
    });
  });

  it('a static list: the place moves to the customer with one entry, or silently when the customer is listed already', async () => {
    const writeKey = await createSite();
    const to = await destinations(writeKey, ['phones', 'both']);
    const one = await customerAndPhone(writeKey, 'u-list-one', () => []);
    const both = await customerAndPhone(writeKey, 'u-list-both', () => []);
    expect((await request('PUT', `/v1/admin/audiences/phones?writeKey=${writeKey}`, { name: 'phones', profileIds: [one.phoneProfile] })).status).toBe(200);
    expect(
      (await request('PUT', `/v1/admin/audiences/both?writeKey=${writeKey}`, { name: 'both', profileIds: [both.phoneProfile, both.customer] })).status,
    ).toBe(200);
    await to.deliver();
    const before = to.count();

    await logIn(writeKey, one.phone, 'u-list-one');
    await logIn(writeKey, both.phone, 'u-list-both');
    await to.deliver();
    expect(await memberIds(writeKey, 'phones')).toEqual([one.customer]);
    expect(await memberIds(writeKey, 'both')).toEqual([both.customer]);
    expect((await audience(writeKey, 'both')).size).toBe(1);
    expect(to.since(before)).toEqual({
      webhook: [['audience.entered', 'phones', 'u-list-one', one.customer]],
      segment: [[{ phones: true }, 'u-list-one']],
    });
  });

  it('the customer not in the audience after the merge: the person left, and the exit says who', async () => {
    const writeKey = await createSite();
    const to = await destinations(writeKey, ['no-email']);
    const { phone, phoneProfile } = await customerAndPhone(writeKey, 'u-left', () => []);
    // Defined once both exist: the backfill evaluates them (a product view alone reads no trait).
    await defineAudience(writeKey, 'no-email', { fact: 'trait.email', op: 'exists', value: false });
    expect(await memberIds(writeKey, 'no-email')).toEqual([phoneProfile]);
    await to.deliver();
    const before = to.count();

    await logIn(writeKey, phone, 'u-left');
    await to.deliver();
    expect(await memberIds(writeKey, 'no-email')).toEqual([]);
    expect(to.since(before)).toEqual({
      webhook: [['audience.exited', 'no-email', 'u-left', phoneProfile]],
      segment: [[{ 'no-email': false }, 'u-left']],
    });
  });
});
