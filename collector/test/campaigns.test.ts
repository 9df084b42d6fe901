/**
 * Campaigns inside the Workers runtime (contract section 8): the admin API
 * and its bad input, assignment of an audience's members (present at the
 * start and entering later) to treatment and control, the offer slot, the
 * `campaign.entered` deliveries to treatment only, the report's counts equal
 * to counts over the exported events, the site-wide holdout, and a group
 * kept across an identity merge, with the person's events and offer clicks
 * in it (also across profile shards).
 */
import { SELF, env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { campaignGroup } from '../src/campaigns/assignment';
import { profileShardOf } from '../src/profiles/profile-shard-model';
import type { ShopState } from '../src/shop/shop-state';
import { ADMIN, BASE, createSite, exportEvents, uniqueId } from './support/collector';
import { defineAudience, event, profileOf, send } from './support/audiences';
import { putCampaign, report, settle } from './support/campaigns';
import { createWebhookDestination, deliverDue, FakeClock, script } from './support/destinations';

const DATA_PACK = { product_id: 'esim-eu', category: 'Travel > Data packs', price: 12 };
const TENT = { product_id: 'tent-1', category: 'Outdoor > Tents', price: 120 };
const VIEWED_TENTS = { fact: 'viewedCategory', category: 'Outdoor > Tents', withinMinutes: 600, op: 'gte', value: 1 };

async function offer(writeKey: string, anonymousId: string): Promise<Record<string, any>> {
  const res = await SELF.fetch(`${BASE}/v1/recommendations?writeKey=${writeKey}&slot=offer&anonymousId=${anonymousId}`);
  expect(res.status).toBe(200);
  return res.json();
}

async function assignments(writeKey: string, id: string) {
  return runInDurableObject(env.SHOP_STATE.getByName(writeKey), (instance: ShopState) => instance.campaignAssignments(id));
}

const CAMPAIGN = {
  name: 'Tent owners: a data pack for the trip',
  audienceId: 'tents',
  goal: { event: 'Order Completed', category: 'Travel' },
  windowDays: 3,
  costPerContact: 0.5,
  offer: { title: '20% off a data pack', body: 'Stay online on the trail.', url: '/c/data-packs', coupon: 'TRAIL20' },
};

describe('campaigns admin API', () => {
  it('refuses bad campaigns with a 4xx that names the field', async () => {
    const writeKey = await createSite();
    await defineAudience(writeKey, 'tents', VIEWED_TENTS);
    const cases: [Record<string, unknown>, number, string][] = [
      [{ ...CAMPAIGN, audienceId: 'nobody' }, 400, 'audienceId'],
      [{ ...CAMPAIGN, holdoutPercent: 95 }, 400, 'holdoutPercent'],
      [{ ...CAMPAIGN, holdoutPercent: -1 }, 400, 'holdoutPercent'],
      [{ ...CAMPAIGN, windowDays: 0 }, 400, 'windowDays'],
      [{ ...CAMPAIGN, windowDays: 91 }, 400, 'windowDays'],
      [{ ...CAMPAIGN, startsAt: '2026-12-10T00:00:00Z', endsAt: '2026-12-01T00:00:00Z' }, 400, 'endsAt'],
      [{ ...CAMPAIGN, goal: {} }, 400, 'goal.event'],
      [{ ...CAMPAIGN, destinations: ['missing'] }, 400, 'destinations'],
      [{ ...CAMPAIGN, offer: { title: 'x', url: 'javascript:alert(1)' } }, 400, 'offer.url'],
      [{ ...CAMPAIGN, colour: 'red' }, 400, 'colour'],
    ];
    for (const [body, status, field] of cases) {
      const res = await putCampaign(writeKey, 'bad', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      const answer = (await res.json()) as { message: string; issues: { path: string; message: string }[] };
      expect(answer.message).toContain(field);
      expect(
        answer.issues.map((i) => i.path),
        JSON.stringify(body),
      ).toContain(field);
    }
    const notJson = await SELF.fetch(`${BASE}/v1/admin/campaigns/bad?writeKey=${writeKey}`, { method: 'PUT', headers: ADMIN, body: '{' });
    expect(notJson.status).toBe(400);
    expect((await SELF.fetch(`${BASE}/v1/admin/campaigns/nothing/report?writeKey=${writeKey}`, { headers: ADMIN })).status).toBe(404);
  });

  it('creates, lists, names overlapping campaigns, keeps what decides groups once started, deletes', async () => {
    const writeKey = await createSite();
    await defineAudience(writeKey, 'tents', VIEWED_TENTS);
    const first = await putCampaign(writeKey, 'a', CAMPAIGN);
    expect(first.status).toBe(200);
    const created = (await first.json()) as Record<string, any>;
    expect(created).toMatchObject({
      ok: true,
      created: true,
      overlapping: [],
      campaign: { id: 'a', status: 'running', holdoutPercent: 50, windowDays: 3, writeKey },
    });
    const second = (await (await putCampaign(writeKey, 'b', { ...CAMPAIGN, holdoutPercent: 20 })).json()) as Record<string, any>;
    expect(second.overlapping).toEqual(['a']);
    expect(second.note).toContain('independently');
    expect(created.warnings).toBeUndefined();
    const changed = await putCampaign(writeKey, 'a', { ...CAMPAIGN, holdoutPercent: 30 });
    expect(changed.status).toBe(409);
    expect(((await changed.json()) as { message: string }).message).toContain('holdoutPercent');
    expect((await putCampaign(writeKey, 'a', { ...CAMPAIGN, name: 'Renamed', endsAt: '2099-01-01T00:00:00Z' })).status).toBe(200);
    const list = (await (await SELF.fetch(`${BASE}/v1/admin/campaigns?writeKey=${writeKey}`, { headers: ADMIN })).json()) as {
      campaigns: Record<string, any>[];
    };
    expect(list.campaigns.map((c) => [c.id, c.name])).toEqual([
      ['a', 'Renamed'],
      ['b', CAMPAIGN.name],
    ]);
    expect((await SELF.fetch(`${BASE}/v1/admin/campaigns/b?writeKey=${writeKey}`, { method: 'DELETE', headers: ADMIN })).status).toBe(200);
    expect((await SELF.fetch(`${BASE}/v1/admin/campaigns/b?writeKey=${writeKey}`, { headers: ADMIN })).status).toBe(404);
  });

  it('keeps the currency of a started campaign when the site changes its own', async () => {
    const writeKey = await createSite({ settings: { currency: 'EUR' } });
    await defineAudience(writeKey, 'tents', VIEWED_TENTS);
    const saved = (await (await putCampaign(writeKey, 'euros', CAMPAIGN)).json()) as Record<string, any>;
    expect(saved.campaign.currency).toBe('EUR');
    const later = (await (await putCampaign(writeKey, 'later', { ...CAMPAIGN, startsAt: '2099-01-01T00:00:00Z' })).json()) as Record<string, any>;
    const settings = await SELF.fetch(`${BASE}/v1/admin/sites/${writeKey}`, {
      method: 'PUT',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify({ name: writeKey, allowedOrigins: ['https://shop.example'], settings: { currency: 'GBP' } }),
    });
    expect(settings.status).toBe(200);
    // Started: the units stay; scheduled: it takes the site's new currency when saved again.
    const renamed = (await (await putCampaign(writeKey, 'euros', { ...CAMPAIGN, name: 'Renamed' })).json()) as Record<string, any>;
    expect(renamed.campaign.currency).toBe('EUR');
    expect(later.campaign.currency).toBe('EUR');
    const rescheduled = (await (await putCampaign(writeKey, 'later', { ...CAMPAIGN, startsAt: '2099-01-01T00:00:00Z' })).json()) as Record<string, any>;
    expect(rescheduled.campaign.currency).toBe('GBP');
    const r = await report(writeKey, 'euros');
    expect(r).toMatchObject({ currency: 'EUR', otherCurrencyOrders: { treatment: 0, control: 0 } });
  });

  it('saves a campaign with no control group but warns that it can never be measured', async () => {
    const writeKey = await createSite();
    await defineAudience(writeKey, 'tents', VIEWED_TENTS);
    const res = await putCampaign(writeKey, 'everyone', { ...CAMPAIGN, holdoutPercent: 0 });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { campaign: { holdoutPercent: number }; warnings: { path: string; message: string }[] };
    expect(answer.campaign.holdoutPercent).toBe(0);
    expect(answer.warnings).toEqual([{ path: 'holdoutPercent', message: expect.stringContaining('never be measured') }]);
  });
});

describe('a running campaign', () => {
  it('assigns members, contacts treatment only, and reports counts equal to the exported events', async () => {
    const writeKey = await createSite();
    const { id: destination } = await createWebhookDestination(writeKey, []);
    const received = await script(destination, () => new Response('ok'), new FakeClock());
    await defineAudience(writeKey, 'tents', VIEWED_TENTS);

    // Present at the start: 16 shoppers who viewed a tent.
    const before = Array.from({ length: 16 }, () => uniqueId('s'));
    await send(
      writeKey,
      before.map((s) => event(s, 'Product Viewed', TENT)),
    );
    const res = await putCampaign(writeKey, 'trail', { ...CAMPAIGN, destinations: [destination] });
    expect(res.status).toBe(200);
    await settle(writeKey);
    // Entering while it runs: 8 more.
    const later = Array.from({ length: 8 }, () => uniqueId('s'));
    await send(
      writeKey,
      later.map((s) => event(s, 'Product Viewed', TENT)),
    );
    await settle(writeKey);
    // Not in the audience: never assigned, never offered anything.
    const outsider = uniqueId('s');
    await send(writeKey, [event(outsider, 'Product Viewed', DATA_PACK)]);
    expect(await assignments(writeKey, outsider)).toEqual([]);
    expect(await offer(writeKey, outsider)).toEqual({ slot: 'offer', items: [], offer: null });

    const shoppers = [...before, ...later];
    const groups = new Map<string, string>();
    for (const shopper of shoppers) {
      const { profileId } = await profileOf(writeKey, shopper);
      const [assignment] = await assignments(writeKey, shopper);
      expect(assignment?.group).toBe(campaignGroup('trail', profileId, 50));
      groups.set(shopper, assignment!.group);
      const answer = await offer(writeKey, shopper);
      if (assignment!.group === 'treatment') expect(answer.offer).toEqual({ campaignId: 'trail', ...CAMPAIGN.offer });
      else expect(answer.offer).toBeNull();
    }
    const treated = shoppers.filter((s) => groups.get(s) === 'treatment');
    expect(treated.length).toBeGreaterThan(0);
    expect(treated.length).toBeLessThan(shoppers.length);

    // Deliveries: campaign.entered for treatment only, with the offer.
    await deliverDue(destination);
    const deliveries = received.map((r) => JSON.parse(r.body) as Record<string, any>);
    expect(deliveries.every((d) => d.type === 'campaign.entered')).toBe(true);
    expect(deliveries.map((d) => d.data.profile.anonymousIds[0]).sort()).toEqual([...treated].sort());
    expect(deliveries[0]!.data.campaign).toMatchObject({ id: 'trail', group: 'treatment', offer: CAMPAIGN.offer });
    expect(deliveries[0]!.data.audience).toEqual({ id: 'tents', name: 'tents' });

    // Outcomes: every other shopper buys a data pack (the goal), some also a tent; one order predates the campaign.
    const buyers = shoppers.filter((_, i) => i % 2 === 0);
    const orders = buyers.map((s, i) =>
      event(s, 'Order Completed', { order_id: uniqueId('o'), total: 12 + i, products: [DATA_PACK, ...(i % 3 === 0 ? [TENT] : [])] }),
    );
    const old = event(
      shoppers[1]!,
      'Order Completed',
      { order_id: uniqueId('o'), total: 99, products: [DATA_PACK] },
      { timestamp: new Date(Date.now() - 3600_000).toISOString() },
    );
    const tentOnly = event(shoppers[3]!, 'Order Completed', { order_id: uniqueId('o'), total: 120, products: [TENT] });
    const viewed = treated.slice(0, 2).map((s) => event(s, 'Offer Viewed', { campaignId: 'trail' }));
    await send(writeKey, [...orders, old, tentOnly, ...viewed]);
    await send(writeKey, orders.slice(0, 3)); // a client's retry: the same messageIds count once

    const r = await report(writeKey, 'trail');
    // The export, grouped by the stored events' profiles: what the report must equal.
    const assignedAt = new Map<string, number>();
    for (const shopper of shoppers) assignedAt.set((await profileOf(writeKey, shopper)).profileId, (await assignments(writeKey, shopper))[0]!.assignedAt);
    const groupOf = new Map([...shoppers].map((s) => [s, groups.get(s)!]));
    const counted = { treatment: { converted: new Set<string>(), revenue: 0 }, control: { converted: new Set<string>(), revenue: 0 } };
    for (const e of await exportEvents(writeKey)) {
      if (e.event !== 'Order Completed' || !groupOf.has(e.anonymousId)) continue;
      if (Date.parse(e.timestamp) < assignedAt.get(e.profileId)!) continue;
      const group = counted[groupOf.get(e.anonymousId) as 'treatment' | 'control'];
      group.revenue += e.properties.total;
      if (e.properties.products.some((p: { category: string }) => p.category.startsWith('Travel'))) group.converted.add(e.profileId);
    }
    expect(r.groups.treatment).toMatchObject({ members: treated.length, converted: counted.treatment.converted.size, reached: treated.length });
    expect(r.groups.control).toMatchObject({ members: shoppers.length - treated.length, converted: counted.control.converted.size, reached: 0 });
    // Every buyer was assigned before buying; the order from before the campaign and the tent alone convert nobody.
    expect(r.groups.treatment.converted + r.groups.control.converted).toBe(buyers.length);
    expect(r.groups.treatment.revenue).toBeCloseTo(counted.treatment.revenue, 6);
    expect(r.groups.control.revenue).toBeCloseTo(counted.control.revenue, 6);
    expect(r.exposure).toMatchObject({ delivered: treated.length, offerServed: treated.length, offerViewed: 2 });
    expect(r).toMatchObject({ campaignId: 'trail', status: 'running', windowDays: 3, currency: 'USD', globalHoldout: 0, overlapping: [] });
    for (const key of ['conversionRate', 'revenuePerMember']) {
      expect(r.lift[key]).toHaveProperty('ci95');
      expect(r.lift[key]).toHaveProperty('pValue');
    }
    expect(r.sequential.conversionRate.ci95).toHaveLength(2);
    expect(r.roi.cost).toBeCloseTo(0.5 * treated.length, 6);
    expect(typeof r.verdict.conversionRate.text).toBe('string');
    expect(r.methods.attribution).toContain('window');
    // Today's point of the timeline is the report's own totals.
    expect(r.timeline.at(-1)).toMatchObject({
      treatment: { members: r.groups.treatment.members, converted: r.groups.treatment.converted },
      control: { members: r.groups.control.members, converted: r.groups.control.converted },
    });
  });

  it('keeps the site-wide holdout out of campaigns and personalisation', async () => {
    const writeKey = await createSite({ settings: { globalHoldoutPercent: 50 } });
    await defineAudience(writeKey, 'tents', VIEWED_TENTS);
    expect((await putCampaign(writeKey, 'trail', CAMPAIGN)).status).toBe(200);
    const shoppers = Array.from({ length: 24 }, () => uniqueId('s'));
    await send(
      writeKey,
      shoppers.map((s) => event(s, 'Product Viewed', TENT)),
    );
    await settle(writeKey);
    const r = await report(writeKey, 'trail');
    expect(r.globalHoldout).toBeGreaterThan(0);
    expect(r.groups.treatment.members + r.groups.control.members + r.globalHoldout).toBe(24);
    for (const shopper of shoppers) {
      if ((await assignments(writeKey, shopper)).length > 0) continue;
      expect((await offer(writeKey, shopper)).offer).toBeNull();
      const recs = await SELF.fetch(`${BASE}/v1/recommendations?writeKey=${writeKey}&slot=home&anonymousId=${shopper}`);
      expect(((await recs.json()) as { variant: string }).variant).toBe('control');
    }
  });

  it('keeps a shopper in their group when their browser joins their account', async () => {
    const writeKey = await createSite();
    await defineAudience(writeKey, 'tents', VIEWED_TENTS);
    // The customer's account exists from another device.
    const laptop = uniqueId('laptop');
    await send(writeKey, [{ type: 'identify', messageId: uniqueId('m'), anonymousId: laptop, userId: 'c-42' }]);
    expect((await putCampaign(writeKey, 'trail', CAMPAIGN)).status).toBe(200);
    // On the phone, anonymous: enters the audience and is assigned.
    const phone = uniqueId('phone');
    await send(writeKey, [event(phone, 'Product Viewed', TENT)]);
    await settle(writeKey);
    const [before] = await assignments(writeKey, phone);
    expect(before).toBeDefined();
    // Logs in on the phone: the browser's profile merges into the customer's.
    await send(writeKey, [{ type: 'identify', messageId: uniqueId('m'), anonymousId: phone, userId: 'c-42' }]);
    await settle(writeKey);
    const merged = await profileOf(writeKey, 'c-42');
    expect(merged.anonymousIds.sort()).toEqual([laptop, phone].sort());
    const after = await assignments(writeKey, 'c-42');
    expect(after).toEqual([{ ...before!, convertedAt: null, revenue: 0 }]);
    const r = await report(writeKey, 'trail');
    expect(r.groups.treatment.members + r.groups.control.members).toBe(1);
    // The profile API says it too.
    expect((await profileOf(writeKey, phone)).campaigns).toEqual([
      { campaignId: 'trail', group: before!.group, assignedAt: new Date(before!.assignedAt).toISOString(), convertedAt: null, revenue: 0 },
    ]);
  });

  for (const profileShards of [0, 2]) {
    it(`counts a guest order of a new browser for the customer it logs into (profileShards ${profileShards})`, async () => {
      const writeKey = await createSite({ settings: { profileShards } });
      await defineAudience(writeKey, 'tents', VIEWED_TENTS);
      expect((await putCampaign(writeKey, 'trail', CAMPAIGN)).status).toBe(200);
      // The customer, on the laptop, enters the audience and is assigned.
      const laptop = uniqueId('laptop');
      await send(writeKey, [{ type: 'identify', messageId: uniqueId('m'), anonymousId: laptop, userId: 'c-7' }, event(laptop, 'Product Viewed', TENT)]);
      // On a new phone, not in the audience (never assigned), a guest order of the goal; then the login.
      const phone = uniqueId('phone');
      await send(writeKey, [event(phone, 'Order Completed', { order_id: uniqueId('o'), total: 12, products: [DATA_PACK] })]);
      await send(writeKey, [{ type: 'identify', messageId: uniqueId('m'), anonymousId: phone, userId: 'c-7' }]);
      expect((await profileOf(writeKey, phone)).profileId).toBe((await profileOf(writeKey, 'c-7')).profileId);
      const r = await report(writeKey, 'trail');
      const { treatment, control } = r.groups;
      expect(treatment.members + control.members).toBe(1);
      expect(treatment.converted + control.converted).toBe(1);
      expect(treatment.revenue + control.revenue).toBeCloseTo(12, 6);
    });
  }

  it('keeps an offer click when the browser joins a customer on another profile shard', async () => {
    const writeKey = await createSite({ settings: { profileShards: 2 } });
    await defineAudience(writeKey, 'tents', VIEWED_TENTS);
    // Everyone in treatment: the browser sees the offer and clicks it.
    expect((await putCampaign(writeKey, 'trail', { ...CAMPAIGN, holdoutPercent: 0 })).status).toBe(200);
    const browser = uniqueId('phone');
    await send(writeKey, [event(browser, 'Product Viewed', TENT)]);
    await send(writeKey, [event(browser, 'Offer Clicked', { campaignId: 'trail' })]);
    expect((await report(writeKey, 'trail')).exposure).toMatchObject({ offerClicked: 1 });
    // A customer whose profile lives on the other shard (the first of a few that does).
    const shardOf = async (id: string) => profileShardOf((await profileOf(writeKey, id)).profileId, 2);
    const browserShard = await shardOf(browser);
    let customer = '';
    for (let i = 0; i < 30 && !customer; i++) {
      const userId = uniqueId('c');
      await send(writeKey, [{ type: 'identify', messageId: uniqueId('m'), anonymousId: uniqueId('laptop'), userId }]);
      if ((await shardOf(userId)) !== browserShard) customer = userId;
    }
    expect(customer).not.toBe('');
    await send(writeKey, [{ type: 'identify', messageId: uniqueId('m'), anonymousId: browser, userId: customer }]);
    expect((await profileOf(writeKey, browser)).profileId).toBe((await profileOf(writeKey, customer)).profileId);
    const r = await report(writeKey, 'trail');
    expect(r.groups.treatment.members).toBe(1);
    expect(r.exposure).toMatchObject({ offerClicked: 1 });
  });
});
