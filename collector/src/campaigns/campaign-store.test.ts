import { beforeEach, describe, expect, it } from 'vitest';
import type { CampaignDefinition, StoredMessage } from '@trailmark/schema';
import { copyRows, type TableRows } from '../lib/copy-rows';
import { migrate } from '../lib/migrate';
import type { Sql, SqlValue } from '../lib/sql';
import { openSqlJs } from '../lib/sqljs-sql';
import type { Profile } from '../profiles/profile';
import { migrateProfileHosting } from '../profiles/profile-hosting';
import { PROFILE_SHARD_MIGRATIONS } from '../schema-steps/profile-shard';
import { campaignGroup } from './assignment';
import { CampaignStore, type CampaignSite } from './campaign-store';
import { CAMPAIGN_TABLES } from './campaign-tables';

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

  it('counts per group the orders left out for their currency, in the currency frozen at the start', () => {
    store.define({ ...CAMPAIGN, currency: 'USD' }, START);
    const apply = (profileId: string, message: StoredMessage, site = SITE) => store.afterApply([{ message, profileId }], [], START + HOUR, site);
    apply(t1, order(START + HOUR, 20));
    apply(t1, order(START + 2 * HOUR, 15, 'Data packs', { currency: 'EUR' }));
    apply(c1, order(START + 3 * HOUR, 40, 'Phones', { currency: 'GBP', order_id: 'g-1' }));
    apply(c1, order(START + 4 * HOUR, 40, 'Phones', { currency: 'GBP', order_id: 'g-1' })); // the same order, sent twice
    apply(c1, order(START + 4 * DAY, 9, 'Phones', { currency: 'GBP' })); // after the window
    // The shop switches to euros mid-campaign: an order with no currency is in euros now, not the campaign's dollars.
    const euros = { ...SITE, currency: 'EUR' };
    apply(t2, order(START + 5 * HOUR, 70), euros);
    apply(t2, order(START + 6 * HOUR, 11, 'Data packs', { currency: 'USD' }), euros);
    const totals = store.totals(CAMPAIGN.id, START + 5 * DAY);
    expect(totals.treatment).toMatchObject({ converted: 2, revenue: 31 });
    expect(totals.control.revenue).toBe(0);
    expect(totals.otherCurrencyOrders).toEqual({ treatment: 2, control: 1 });
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
    expect(totals.exposure).toEqual({ delivered: 0, offerServed: 0, offerViewed: 1, offerClicked: 0, controlContacted: 0 });
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

/** A profile host: one object's SQLite with its campaign store. */
interface Host {
  sql: Sql;
  store: CampaignStore;
}

async function openHost(): Promise<Host> {
  const db = await openSqlJs();
  migrate(db.sql, PROFILE_SHARD_MIGRATIONS);
  migrateProfileHosting(db.sql);
  return { sql: db.sql, store: new CampaignStore(db.sql, (id) => ({ orders: orders.get(id) ?? [] })) };
}

/**
 * A merge in either storage layout: both profiles on one host (ShopState), or
 * `from` on another shard, whose campaign rows travel to `into`'s as
 * profile-shard.ts mergeOut/mergeIn carry them (taken out, sent as JSON,
 * copied in, then merged there).
 */
function mergeOn(fromHost: Host, intoHost: Host, from: string, into: string, now: number): void {
  if (fromHost !== intoHost) {
    const rows: TableRows = {};
    for (const [table, columns] of Object.entries(CAMPAIGN_TABLES)) {
      const found = fromHost.sql.exec<Record<string, SqlValue>>(`SELECT ${columns.join(', ')} FROM ${table} WHERE profile_id = ?`, from).toArray();
      if (found.length > 0) rows[table] = found.map((row) => columns.map((c) => row[c] ?? null));
      fromHost.sql.exec(`DELETE FROM ${table} WHERE profile_id = ?`, from);
    }
    copyRows(intoHost.sql, CAMPAIGN_TABLES, JSON.parse(JSON.stringify(rows)) as TableRows);
  }
  intoHost.store.afterApply([], [{ from, into }], now, SITE);
}

describe.each(['one host', 'two shards'])('CampaignStore merges count the person’s events (%s)', (layout) => {
  const [tA, tB] = idsIn('treatment', 2) as [string, string];
  const [cA, cB] = idsIn('control', 2) as [string, string];
  let browser: Host;
  let account: Host;

  beforeEach(async () => {
    account = { sql, store };
    browser = layout === 'one host' ? account : await openHost();
    for (const host of new Set([browser, account])) host.store.define(CAMPAIGN, START);
  });

  const assign = (host: Host, profileId: string, at: number) => {
    host.sql.exec('INSERT INTO audience_members (audience_id, profile_id, entered_at) VALUES (?, ?, ?)', CAMPAIGN.audienceId, profileId, at);
    host.store.sweep(at, SITE, 10);
  };
  const apply = (host: Host, profileId: string, message: StoredMessage) => host.store.afterApply([{ message, profileId }], [], eventTimeOf(message), SITE);
  const eventTimeOf = (message: StoredMessage) => Date.parse(message.timestamp);

  it('an earlier browser assignment kept: the account’s order inside its window converts the person', () => {
    assign(browser, cA, START); // the browser: control, day 0
    assign(account, tB, START + DAY); // the account: treatment, day 1, contacted
    const pending = account.store.pendingDeliveries(10);
    account.store.acknowledgeDeliveries(pending, new Set(pending.map((p) => p.seq)), START + DAY);
    apply(account, tB, order(START + 1.5 * DAY, 80));
    mergeOn(browser, account, cA, tB, START + 2 * DAY);
    expect(account.store.assignmentsOf(tB)).toEqual([
      { campaignId: CAMPAIGN.id, group: 'control', assignedAt: START, convertedAt: START + 1.5 * DAY, revenue: 80 },
    ]);
    const totals = account.store.totals(CAMPAIGN.id, START + 2 * DAY);
    expect(totals.control).toMatchObject({ members: 1, converted: 1, revenue: 80, buyers: 1 });
    expect(totals.treatment.members).toBe(0);
    // The treatment contact is not lost: the control member shows as contacted, and treatment reached nobody.
    expect(totals.reached).toBe(0);
    expect(totals.exposure).toMatchObject({ delivered: 0, controlContacted: 1 });
  });

  it('an earlier account assignment kept: the browser’s guest order inside its window converts the person', () => {
    assign(account, tA, START);
    assign(browser, cB, START + DAY);
    apply(browser, cB, order(START + 1.5 * DAY, 80));
    mergeOn(browser, account, cB, tA, START + 2 * DAY);
    expect(account.store.assignmentsOf(tA)).toEqual([
      { campaignId: CAMPAIGN.id, group: 'treatment', assignedAt: START, convertedAt: START + 1.5 * DAY, revenue: 80 },
    ]);
    const totals = account.store.totals(CAMPAIGN.id, START + 2 * DAY);
    expect(totals.treatment).toMatchObject({ members: 1, converted: 1, revenue: 80 });
    expect(totals.control.members).toBe(0);
  });

  it('an unassigned browser that ordered inside the window, then logs in: the order converts the person', () => {
    assign(account, tA, START);
    apply(browser, 'new-browser', order(START + 1.5 * DAY, 80));
    mergeOn(browser, account, 'new-browser', tA, START + 1.6 * DAY);
    expect(account.store.assignmentsOf(tA)[0]).toMatchObject({ convertedAt: START + 1.5 * DAY, revenue: 80 });
  });

  it('adds only the other profile’s events inside the kept window, each order id of the person once', () => {
    assign(account, tA, START);
    apply(account, tA, order(START + 0.5 * DAY, 30, 'Data packs', { order_id: 'shop-1' }));
    // The browser: the tag's copy of the same order, another order in the window (not the goal), one after it, one in euros.
    apply(browser, 'new-browser', order(START + 0.6 * DAY, 30, 'Data packs', { order_id: 'shop-1' }));
    apply(browser, 'new-browser', order(START + DAY, 20, 'Phones'));
    apply(browser, 'new-browser', order(START + 3 * DAY + 1, 50));
    apply(browser, 'new-browser', order(START + 2 * DAY, 15, 'Data packs', { currency: 'EUR' }));
    mergeOn(browser, account, 'new-browser', tA, START + 4 * DAY);
    expect(account.store.assignmentsOf(tA)[0]).toMatchObject({ convertedAt: START + 0.5 * DAY, revenue: 50 });
    // The euro order adds no dollars, and the report says it was left out.
    expect(account.store.totals(CAMPAIGN.id, START + 4 * DAY).otherCurrencyOrders).toEqual({ treatment: 1, control: 0 });
    // A later merge of the same person adds nothing again: the credits are the survivor's now.
    const other = layout === 'one host' ? account : browser;
    apply(other, 'third', track('Page Viewed', START + 4 * DAY));
    mergeOn(other, account, 'third', tA, START + 4 * DAY);
    expect(account.store.assignmentsOf(tA)[0]).toMatchObject({ convertedAt: START + 0.5 * DAY, revenue: 50 });
  });
});

describe('CampaignStore merges within a batch', () => {
  it('credits a guest order sent in the batch that logs the browser in to the person', () => {
    const [tA] = idsIn('treatment', 1) as [string];
    store.define(CAMPAIGN, START);
    enter(tA, START);
    store.sweep(START, SITE, 10);
    store.afterApply(
      [
        { message: order(START + DAY, 80), profileId: 'guest' },
        { message: track('Signed In', START + DAY + 1), profileId: tA },
      ],
      [{ from: 'guest', into: tA }],
      START + DAY + 2,
      SITE,
    );
    expect(store.assignmentsOf(tA)[0]).toMatchObject({ convertedAt: START + DAY, revenue: 80 });
    expect(store.assignmentsOf('guest')).toEqual([]);
  });
});

describe('CampaignStore credits', () => {
  it('keeps a non-member’s events only while some member’s window can hold them', () => {
    store.define({ ...CAMPAIGN, endsAt: new Date(START + 5 * DAY).toISOString() }, START - DAY);
    const credits = () => sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM campaign_credits').toArray()[0]!.n;
    const apply = (message: StoredMessage) => store.afterApply([{ message, profileId: 'browser' }], [], START + 10 * DAY, SITE);
    apply(order(START - HOUR, 10)); // before the start
    apply(track('Page Viewed', START + HOUR)); // neither the goal nor an order
    expect(credits()).toBe(0);
    apply(order(START + 7 * DAY, 10)); // before the end plus one window
    expect(credits()).toBe(1);
    apply(order(START + 8 * DAY, 10)); // after it: no window holds it
    expect(credits()).toBe(1);
  });
});
