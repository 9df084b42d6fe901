/**
 * Audience changes reaching destinations, inside the Workers runtime: the
 * profile payload of contract section 7 signed per Standard Webhooks, the
 * segment kind's trait, each transition delivered once across drain retries
 * and a hand-off that crashed after enqueuing, erasure (out of every audience,
 * every pending delivery about every profile id the person had cancelled),
 * consent and GPC, and traits never on a public endpoint.
 */
import { SELF, env, runInDurableObject } from 'cloudflare:test';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import type { AudienceHost } from '../src/audiences/audience-host';
import type { ShopState } from '../src/shop/shop-state';
import { ingestShards } from '../src/storage/ingest-shard-choice';
import { ADMIN, BASE, createSite, drainAll, exportEvents, post, uniqueId } from './support/collector';
import { defineAudience, event, memberIds, profileOf, send, setClock, settle, runAlarm, audience } from './support/audiences';
import { admin, createWebhookDestination, deliverDue, FakeClock, putDestination, script, type Received } from './support/destinations';

const tent = { product_id: 'tent-1', category: 'Outdoor > Tents', price: 120 };
const VIEWED_TENTS = { fact: 'viewedCategory', category: 'Outdoor > Tents', withinMinutes: 30, op: 'gte', value: 1 };
const ok = () => new Response('ok');
const payloads = (received: Received[]) => received.map((r) => JSON.parse(r.body) as { type: string; timestamp: string; data: Record<string, any> });

/** Lets the profile host hand its transitions to the outboxes (its alarm), then runs the destination's due deliveries. */
async function deliver(writeKey: string, destinationId: string): Promise<void> {
  await settle(writeKey);
  await deliverDue(destinationId);
}

describe('deliveries of audience changes', () => {
  it('a webhook gets audience.entered and audience.exited with the profile, signed', async () => {
    const writeKey = await createSite();
    const { id, secret } = await createWebhookDestination(writeKey, ['tents']);
    const received = await script(id, ok, new FakeClock());
    await defineAudience(writeKey, 'tents', VIEWED_TENTS);
    const shopper = uniqueId('s');
    await send(writeKey, [
      { type: 'identify', messageId: uniqueId('m'), anonymousId: shopper, userId: 'c-1', traits: { email: 'ana@example.com', plan: 'pro' } },
      event(shopper, 'Product Viewed', tent),
    ]);
    await deliver(writeKey, id);
    const { profileId } = await profileOf(writeKey, shopper);
    expect(received).toHaveLength(1);
    const [entered] = received;
    expect(new Webhook(secret).verify(entered!.body, Object.fromEntries(entered!.request.headers))).toBeTruthy();
    expect(payloads(received)[0]).toEqual({
      type: 'audience.entered',
      timestamp: expect.any(String),
      data: {
        audience: { id: 'tents', name: 'tents' },
        profile: {
          profileId,
          userId: 'c-1',
          anonymousIds: [shopper],
          traits: { email: 'ana@example.com', plan: 'pro' },
          region: { country: 'DE', region: 'Bavaria', city: 'Munich' },
          lifecycle: 'new',
        },
      },
    });

    // Half an hour later the view is old: the shopper leaves, with no event.
    await setClock(writeKey, Date.now() + 31 * 60_000);
    await runAlarm(writeKey);
    await deliver(writeKey, id);
    expect(payloads(received).map((p) => [p.type, p.data.profile.profileId])).toEqual([
      ['audience.entered', profileId],
      ['audience.exited', profileId],
    ]);
  });

  it('the segment kind sends the audience as a trait, true then false', async () => {
    const writeKey = await createSite();
    const id = uniqueId('seg');
    const put = await putDestination(
      id,
      { url: 'http://localhost:9', audiences: ['big-cart'], kind: 'segment', writeKey: 'receiving-key' },
      `?writeKey=${writeKey}`,
    );
    expect(put.status).toBe(200);
    const received = await script(id, ok, new FakeClock());
    await defineAudience(writeKey, 'big-cart', { fact: 'cartValue', op: 'gte', value: 100 });
    const shopper = uniqueId('s');
    await send(writeKey, [event(shopper, 'Product Added', tent)]);
    await deliver(writeKey, id);
    await send(writeKey, [event(shopper, 'Product Removed', tent)]);
    await deliver(writeKey, id);
    const calls = received.map((r) => ({ url: r.request.url, body: JSON.parse(r.body) }));
    expect(calls.map((c) => [c.url, c.body.type, c.body.anonymousId, c.body.traits])).toEqual([
      ['http://localhost:9/v1/identify', 'identify', shopper, { 'big-cart': true }],
      ['http://localhost:9/v1/identify', 'identify', shopper, { 'big-cart': false }],
    ]);
  });
  it('describes and hands over only the changes a destination takes; the rest are acknowledged', async () => {
    const writeKey = await createSite();
    const { id } = await createWebhookDestination(writeKey, ['tents']);
    const received = await script(id, ok, new FakeClock());
    await defineAudience(writeKey, 'tents', VIEWED_TENTS);
    await defineAudience(writeKey, 'carts', { fact: 'cartItems', op: 'gte', value: 1 });
    const described: string[][] = [];
    await runInDurableObject(env.SHOP_STATE.getByName(writeKey), (instance: ShopState) => {
      const people = (instance as unknown as { audiences: { options: ConstructorParameters<typeof AudienceHost>[0] } }).audiences.options.people;
      const describe = people.describe.bind(people);
      people.describe = (ids) => (described.push([...ids]), describe(ids));
    });
    const shoppers = [uniqueId('a'), uniqueId('b')];
    // The first views a tent and fills a cart; the second only fills a cart (nobody takes "carts").
    await send(writeKey, [event(shoppers[0]!, 'Product Viewed', tent), event(shoppers[0]!, 'Product Added', tent), event(shoppers[1]!, 'Product Added', tent)]);
    await deliver(writeKey, id);
    // Read before the admin API below describes people too.
    const describedIds = described.flat();
    expect(payloads(received).map((p) => [p.type, p.data.audience.id])).toEqual([['audience.entered', 'tents']]);
    expect(describedIds).toEqual([(await profileOf(writeKey, shoppers[0]!)).profileId]);
    const pending = await runInDurableObject(env.SHOP_STATE.getByName(writeKey), (instance: ShopState) =>
      (instance as unknown as { audiences: AudienceHost }).audiences.store.hasPendingTransitions(),
    );
    expect(pending).toBe(false);
    expect(await memberIds(writeKey, 'carts')).toHaveLength(2);
  });
});

describe('each transition once', () => {
  it('when the drain fails after the profiles were applied and is retried', async () => {
    const writeKey = await createSite();
    const { id } = await createWebhookDestination(writeKey, ['tents']);
    const received = await script(id, ok, new FakeClock());
    await defineAudience(writeKey, 'tents', VIEWED_TENTS);
    await Promise.all(ingestShards(env, writeKey).map((shard) => shard.injectFaults({ failAfterProfiles: 1 })));
    const shopper = uniqueId('s');
    const res = await post('/v1/batch', { writeKey, batch: [event(shopper, 'Product Viewed', tent)] }, { cf: { country: 'DE', region: 'Bavaria' } });
    expect(res.status).toBe(200);
    await drainAll(writeKey);
    await deliver(writeKey, id);
    expect(payloads(received).map((p) => p.type)).toEqual(['audience.entered']);
    expect(await memberIds(writeKey, 'tents')).toHaveLength(1);
    expect(await exportEvents(writeKey)).toHaveLength(1);
    expect((await audience(writeKey, 'tents')).size).toBe(1);
  });

  it('when the hand-off to the outbox crashed after enqueuing, before it was acknowledged', async () => {
    const writeKey = await createSite();
    const { id } = await createWebhookDestination(writeKey, ['tents']);
    const received = await script(id, ok, new FakeClock());
    await defineAudience(writeKey, 'tents', VIEWED_TENTS);
    let crashes = 0;
    await runInDurableObject(env.SHOP_STATE.getByName(writeKey), (instance: ShopState) => {
      const options = (instance as unknown as { audiences: { options: ConstructorParameters<typeof AudienceHost>[0] } }).audiences.options;
      const handOver = options.deliver;
      options.deliver = async (changes) => {
        await handOver(changes);
        if (crashes++ === 0) throw new Error('crashed after enqueuing');
      };
    });
    await send(writeKey, [event(uniqueId('s'), 'Product Viewed', tent)]);
    await settle(writeKey);
    // The hand-off is tried again a second later, with the same change keys.
    await setClock(writeKey, Date.now() + 2000);
    await runAlarm(writeKey);
    await deliver(writeKey, id);
    expect(crashes).toBe(2);
    expect(payloads(received).map((p) => p.type)).toEqual(['audience.entered']);
  });
});

describe('privacy', () => {
  it('erasure takes the person out of every audience and cancels what was still to be delivered, for every profile id they had', async () => {
    const writeKey = await createSite();
    const { id } = await createWebhookDestination(writeKey, ['tents', 'carts']);
    // The receiver is down: deliveries wait in the outbox.
    await script(id, () => new Response('down', { status: 503 }), new FakeClock());
    await defineAudience(writeKey, 'tents', VIEWED_TENTS);
    await defineAudience(writeKey, 'carts', { fact: 'cartItems', op: 'gte', value: 1 });
    // The customer on a laptop, then on a phone that browses anonymously before logging in (a merge).
    const laptop = uniqueId('laptop');
    const phone = uniqueId('phone');
    await send(writeKey, [
      { type: 'identify', messageId: uniqueId('m'), anonymousId: laptop, userId: 'erase-me', traits: { email: 'gone@example.com' } },
      event(laptop, 'Product Added', tent),
    ]);
    await send(writeKey, [event(phone, 'Product Viewed', tent)]);
    const phoneProfile = (await profileOf(writeKey, phone)).profileId;
    await settle(writeKey);
    await send(writeKey, [{ type: 'identify', messageId: uniqueId('m'), anonymousId: phone, userId: 'erase-me', traits: {} }]);
    await settle(writeKey);
    const person = await profileOf(writeKey, 'erase-me');
    expect(person.mergedProfileIds).toEqual([phoneProfile]);
    expect(person.audiences.map((a: any) => a.id)).toEqual(['carts', 'tents']);
    const bystander = uniqueId('other');
    await send(writeKey, [event(bystander, 'Product Viewed', tent)]);
    await settle(writeKey);
    const pendingBefore = ((await (await admin(`/v1/admin/destinations/${id}`)).json()) as { destination: { status: { pending: number } } }).destination.status
      .pending;
    // entered ×2 for the laptop's profile, entered for the phone's (no exit when merged away: the laptop's profile is in tents), entered for the bystander.
    expect(pendingBefore).toBe(4);

    const erased = await SELF.fetch(`${BASE}/v1/admin/users/erase-me?writeKey=${writeKey}`, { method: 'DELETE', headers: ADMIN });
    expect(erased.status).toBe(200);
    const [result] = ((await erased.json()) as { erased: Record<string, any>[] }).erased;
    expect(result!.profileIds.sort()).toEqual([person.profileId, phoneProfile].sort());
    expect(result!.deliveriesCancelled).toBe(3);
    expect(await memberIds(writeKey, 'tents')).toEqual([(await profileOf(writeKey, bystander)).profileId]);
    expect(await memberIds(writeKey, 'carts')).toEqual([]);
    expect((await audience(writeKey, 'carts')).size).toBe(0);
    const status = ((await (await admin(`/v1/admin/destinations/${id}`)).json()) as { destination: { status: { pending: number } } }).destination.status;
    expect(status.pending).toBe(1);
  });

  it('events dropped for consent or GPC change no fact and no membership', async () => {
    const writeKey = await createSite({ settings: { requireConsent: true, honorGpc: true } });
    await defineAudience(writeKey, 'tents', VIEWED_TENTS);
    const granted = { context: { consent: { status: 'granted' } } };
    const withoutConsent = uniqueId('no-consent');
    const withGpc = uniqueId('gpc');
    const consenting = uniqueId('yes');
    const sent = await post('/v1/batch', { writeKey, batch: [event(withoutConsent, 'Product Viewed', tent)] });
    expect(await sent.json()).toMatchObject({ dropped: 1 });
    await post('/v1/batch', { writeKey, batch: [event(withGpc, 'Product Viewed', tent, granted)] }, { headers: { 'sec-gpc': '1' } });
    await send(writeKey, [event(consenting, 'Product Viewed', tent, granted)]);
    await drainAll(writeKey);
    expect(await memberIds(writeKey, 'tents')).toEqual([(await profileOf(writeKey, consenting)).profileId]);
    for (const id of [withoutConsent, withGpc]) {
      expect((await SELF.fetch(`${BASE}/v1/admin/profiles/${id}?writeKey=${writeKey}`, { headers: ADMIN })).status).toBe(404);
    }
  });

  it('traits reach the admin API and destinations, never a public endpoint', async () => {
    const writeKey = await createSite({ allowedOrigins: ['https://shop.example'] });
    await defineAudience(writeKey, 'tents', VIEWED_TENTS);
    const shopper = uniqueId('s');
    await send(writeKey, [
      { type: 'identify', messageId: uniqueId('m'), anonymousId: shopper, userId: 'c-secret', traits: { email: 'private@example.com', phone: '+49 170 000' } },
      event(shopper, 'Product Viewed', tent),
    ]);
    expect(JSON.stringify(await profileOf(writeKey, shopper))).toContain('private@example.com');
    const origin = { origin: 'https://shop.example' };
    for (const path of [
      `/v1/recommendations?writeKey=${writeKey}&slot=home&anonymousId=${shopper}`,
      `/v1/recommendations?writeKey=${writeKey}&slot=cart&anonymousId=${shopper}&userId=c-secret`,
      `/v1/tag-settings/${writeKey}`,
      `/v1/projects/${writeKey}/settings`,
    ]) {
      const res = await SELF.fetch(`${BASE}${path}`, { headers: origin });
      const text = await res.text();
      expect(res.status, path).toBeLessThan(500);
      expect(text, path).not.toContain('private@example.com');
      expect(text, path).not.toContain('+49 170');
    }
  });
});
