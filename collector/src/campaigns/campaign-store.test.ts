import { beforeEach, describe, expect, it } from 'vitest';
import type { CampaignDefinition, StoredMessage } from '@trailmark/schema';
import { migrate } from '../lib/migrate';
import type { Sql } from '../lib/sql';
import { openSqlJs } from '../lib/sqljs-sql';
import type { Profile } from '../profiles/profile';
import { migrateProfileHosting } from '../profiles/profile-hosting';
import { PROFILE_SHARD_MIGRATIONS } from '../schema-steps/profile-shard';
import { campaignGroup } from './assignment';
import { CampaignStore, type CampaignSite } from './campaign-store';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.UTC(2026, 10, 2, 9);
const SITE: CampaignSite = { writeKey: 'shop', globalHoldoutPercent: 0, currency: 'USD' };

const CAMPAIGN: CampaignDefinition = {
  id: 'data-pack',
  name: 'Data pack for travellers',
  audienceId: 'travellers',
  holdoutPercent: 50,
  goal: { event: 'Order Completed', category: 'Data packs' },
  windowDays: 3,
  startsAt: new Date(START).toISOString(),
  offer: { title: '20% off a data pack', coupon: 'ROAM20' },
  destinations: ['crm'],
};

let sql: Sql;
let store: CampaignStore;
const orders = new Map<string, Profile['orders']>();

function enter(profileId: string, at: number, audienceId = 'travellers'): void {
  sql.exec('INSERT INTO audience_members (audience_id, profile_id, entered_at) VALUES (?, ?, ?)', audienceId, profileId, at);
}

let seq = 0;
function track(event: string, at: number, properties: Record<string, unknown> = {}, messageId = `m${++seq}`): StoredMessage {
  const timestamp = new Date(at).toISOString();
  return { type: 'track', event, properties, messageId, anonymousId: 'a', timestamp, receivedAt: timestamp, context: {} } as unknown as StoredMessage;
}

const order = (at: number, total: number, category = 'Data packs', extra: Record<string, unknown> = {}) =>
  track('Order Completed', at, { order_id: `o${seq}`, total, products: [{ product_id: 'esim-eu', price: total, category }], ...extra });

/** Profile ids whose group in CAMPAIGN is `group`. */
function idsIn(group: 'treatment' | 'control', n: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) if (campaignGroup(CAMPAIGN.id, `p${i}`, 50) === group) out.push(`p${i}`);
  return out;
}

beforeEach(async () => {
  const db = await openSqlJs();
  sql = db.sql;
  migrate(sql, PROFILE_SHARD_MIGRATIONS);
  migrateProfileHosting(sql);
  orders.clear();
  store = new CampaignStore(sql, (id) => ({ orders: orders.get(id) ?? [] }));
});

describe('CampaignStore assignment', () => {
  it('assigns the audience present at the start once, deterministically, and later entries on the next sweep', () => {
    for (let i = 0; i < 40; i++) enter(`p${i}`, START - DAY);
    store.define(CAMPAIGN, START - HOUR);
    expect(store.sweep(START - HOUR, SITE, 100)).toBe(0); // scheduled: nobody yet
    expect(store.nextStart(START - HOUR)).toBe(START);
    expect(store.needsSweep(START)).toBe(true);
    expect(store.sweep(START, SITE, 25)).toBe(25);
    expect(store.sweep(START, SITE, 25)).toBe(15);
    expect(store.sweep(START, SITE, 25)).toBe(0);
    expect(store.needsSweep(START + 1)).toBe(false);
    for (let i = 0; i < 40; i++) {
      expect(store.assignmentsOf(`p${i}`)).toEqual([
        { campaignId: CAMPAIGN.id, group: campaignGroup(CAMPAIGN.id, `p${i}`, 50), assignedAt: START, convertedAt: null, revenue: 0 },
      ]);
    }
    enter('late', START + DAY);
    expect(store.needsSweep(START + DAY)).toBe(true);
    expect(store.sweep(START + DAY, SITE, 25)).toBe(1);
    expect(store.assignmentsOf('late')[0]!.assignedAt).toBe(START + DAY);
    const totals = store.totals(CAMPAIGN.id, START + DAY);
    expect(totals.treatment.members + totals.control.members).toBe(41);
  });

  it('assigns a profile the batch made a member at once, and only while the campaign runs', () => {
    store.define({ ...CAMPAIGN, endsAt: new Date(START + 10 * DAY).toISOString() }, START);
    enter('p1', START + HOUR);
    store.afterApply([{ message: track('Page Viewed', START + HOUR), profileId: 'p1' }], [], START + HOUR, SITE);
    expect(store.assignmentsOf('p1')).toHaveLength(1);
    enter('p2', START + 11 * DAY);
    store.afterApply([{ message: track('Page Viewed', START + 11 * DAY), profileId: 'p2' }], [], START + 11 * DAY, SITE);
    expect(store.assignmentsOf('p2')).toEqual([]);
    expect(store.sweep(START + 11 * DAY, SITE, 10)).toBe(0);
  });

  it('keeps shoppers of the site-wide holdout out of every campaign and counts them', () => {
    for (let i = 0; i < 200; i++) enter(`p${i}`, START);
    store.define(CAMPAIGN, START);
    store.sweep(START, { ...SITE, globalHoldoutPercent: 20 }, 1000);
    const totals = store.totals(CAMPAIGN.id, START);
    expect(totals.globalHoldout).toBeGreaterThan(20);
    expect(totals.globalHoldout).toBeLessThan(65);
    expect(totals.treatment.members + totals.control.members + totals.globalHoldout).toBe(200);
  });
});

describe('CampaignStore outcomes', () => {
  const [t1, t2] = idsIn('treatment', 2) as [string, string];
  const [c1] = idsIn('control', 1) as [string];

  beforeEach(() => {
    for (const id of [t1, t2, c1]) enter(id, START - DAY);
    store.define(CAMPAIGN, START);
    store.sweep(START, SITE, 100);
  });

  it('converts with the first goal event in the window, adds window revenue once per message', () => {
    const first = order(START + HOUR, 30);
    const second = order(START + 2 * DAY, 12, 'Phones');
    const late = order(START + 3 * DAY + 1, 50);
    const before = order(START - HOUR, 99);
    const apply = (message: StoredMessage) => store.afterApply([{ message, profileId: t1 }], [], START + 4 * DAY, SITE);
    for (const m of [before, first, second, late, first, second]) apply(m); // the last two: a retried batch
    const [row] = store.assignmentsOf(t1);
    expect(row!.convertedAt).toBe(START + HOUR);
    expect(row!.revenue).toBe(42);
    expect(store.totals(CAMPAIGN.id, START + 4 * DAY).treatment).toMatchObject({ members: 2, converted: 1, revenue: 42, revenueSquares: 42 * 42 });
  });

  it('needs the goal category or product; counts only the site currency', () => {
    store.afterApply([{ message: order(START + HOUR, 20, 'Phones'), profileId: t1 }], [], START + HOUR, SITE);
    expect(store.assignmentsOf(t1)[0]).toMatchObject({ convertedAt: null, revenue: 20 });
    store.afterApply([{ message: order(START + 2 * HOUR, 20, 'Data packs > Europe', { currency: 'EUR' }), profileId: t1 }], [], START + 2 * HOUR, SITE);
    expect(store.assignmentsOf(t1)[0]).toMatchObject({ convertedAt: START + 2 * HOUR, revenue: 20 });
  });

  it('reads the spend of the 30 days before assignment for CUPED', () => {
    orders.set('newcomer', [
      { orderId: 'a', at: START - 10 * DAY, total: 40, currency: 'USD', productIds: [] },
      { orderId: 'b', at: START - 40 * DAY, total: 100, currency: 'USD', productIds: [] },
      { orderId: 'c', at: START - 2 * DAY, total: 7, currency: 'EUR', productIds: [] },
    ]);
    enter('newcomer', START + HOUR);
    store.sweep(START + HOUR, SITE, 10);
    const totals = store.totals(CAMPAIGN.id, START + HOUR);
    expect(totals.treatment.spendBefore + totals.control.spendBefore).toBe(40);
  });

  it('records offer views and clicks of this campaign as reach', () => {
    store.afterApply(
      [
        { message: track('Offer Viewed', START + HOUR, { campaignId: CAMPAIGN.id }), profileId: t1 },
        { message: track('Offer Clicked', START + HOUR, { campaignId: 'other' }), profileId: t1 },
      ],
      [],
      START + HOUR,
      SITE,
    );
    const totals = store.totals(CAMPAIGN.id, START + HOUR);
    expect(totals.reached).toBe(1);
    expect(totals.exposure).toEqual({ delivered: 0, offerServed: 0, offerViewed: 1, offerClicked: 0 });
  });

  it('answers the offer to treatment only, while the campaign runs, and logs the first answer', () => {
    expect(store.offerFor(c1, START + HOUR)).toBeNull();
    expect(store.offerFor(t1, START + HOUR)).toEqual({ campaignId: CAMPAIGN.id, title: '20% off a data pack', coupon: 'ROAM20' });
    expect(store.offerFor('stranger', START + HOUR)).toBeNull();
    expect(store.totals(CAMPAIGN.id, START + HOUR).exposure.offerServed).toBe(1);
    store.define({ ...CAMPAIGN, endsAt: new Date(START + DAY).toISOString() }, START + HOUR);
    expect(store.offerFor(t1, START + 2 * DAY)).toBeNull();
  });

  it('queues treatment members for the destinations, never control', () => {
    const pending = store.pendingDeliveries(10);
    expect(pending.map((d) => d.profileId).sort()).toEqual([t1, t2].sort());
    store.acknowledgeDeliveries(pending, new Set([pending[0]!.seq]), START + 1);
    expect(store.hasPendingDeliveries()).toBe(false);
    expect(store.totals(CAMPAIGN.id, START + 1).exposure.delivered).toBe(1);
  });

  it('keeps a person in their first group across an identity merge', () => {
    const group = store.assignmentsOf(t1)[0]!.group;
    store.afterApply([{ message: order(START + HOUR, 10), profileId: t1 }], [], START + HOUR, SITE);
    store.afterApply([{ message: track('Signed In', START + 2 * HOUR), profileId: 'customer' }], [{ from: t1, into: 'customer' }], START + 2 * HOUR, SITE);
    expect(store.assignmentsOf(t1)).toEqual([]);
    expect(store.assignmentsOf('customer')).toEqual([{ campaignId: CAMPAIGN.id, group, assignedAt: START, convertedAt: START + HOUR, revenue: 10 }]);
    // Both assigned: the earlier assignment stays, the person counts once.
    store.merge(t2, 'customer');
    expect(store.assignmentsOf('customer')).toHaveLength(1);
    expect(store.assignmentsOf('customer')[0]!.assignedAt).toBe(START);
    expect(store.totals(CAMPAIGN.id, START + 3 * HOUR).treatment.members + store.totals(CAMPAIGN.id, START + 3 * HOUR).control.members).toBe(2);
  });

  it('forgets erased people entirely', () => {
    store.afterApply([{ message: order(START + HOUR, 10), profileId: t1 }], [], START + HOUR, SITE);
    store.forget([t1]);
    expect(store.assignmentsOf(t1)).toEqual([]);
    expect(store.totals(CAMPAIGN.id, START + HOUR).treatment).toMatchObject({ members: 1, revenue: 0 });
    expect(store.pendingDeliveries(10).map((d) => d.profileId)).toEqual([t2]);
  });
});
