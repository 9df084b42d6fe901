import { beforeEach, describe, expect, it } from 'vitest';
import { migrate, migrateModule } from '../lib/migrate';
import type { Sql } from '../lib/sql';
import { openSqlJs } from '../lib/sqljs-sql';
import type { Profile } from '../profiles/profile';
import { PROFILE_SHARD_MIGRATIONS } from '../schema-steps/profile-shard';
import { AUDIENCE_HOST_MIGRATIONS, AUDIENCE_MODULE } from './audience-host';
import { AudienceStore, type Transition } from './audience-store';
import { evaluate } from './condition';
import { GROUP } from './fact-groups';
import type { FactSite } from './facts';
import { DAY, factsOf, MIN, NOW, profile, SITE } from './test-fixtures';
import { profilesTableSource } from './profile-source';

const IDLE_CART = { fact: 'cartIdleMinutes', op: 'gte', value: 30 };
const BAVARIA = {
  all: [
    { fact: 'region', op: 'eq', value: 'Bavaria' },
    { fact: 'orders', op: 'gte', value: 1 },
  ],
};

let sql: Sql;
let transaction: <T>(fn: () => T) => T;
let site: FactSite;
let store: AudienceStore;
let ids: number;

/** A profile written to the host's profiles table, as ShopState keeps them. */
function save(p: Profile, userId?: string): Profile {
  sql.exec(
    `INSERT INTO profiles (profile_id, user_id, created_at, updated_at, data) VALUES (?, ?, 0, 0, ?)
     ON CONFLICT (profile_id) DO UPDATE SET data = excluded.data, user_id = excluded.user_id`,
    p.profileId,
    userId ?? null,
    JSON.stringify(p),
  );
  return p;
}

const cartProfile = (profileId: string, changedAt: number) =>
  profile({ profileId, cart: { tent: { quantity: 1, price: 20, at: changedAt } }, cartChangedAt: changedAt, geo: { country: 'DE', region: 'Bavaria' } });

const kinds = (transitions: Transition[]) => transitions.map((t) => `${t.kind} ${t.audienceId} ${t.profileId}`);

beforeEach(async () => {
  const db = await openSqlJs();
  sql = db.sql;
  transaction = db.transaction;
  migrate(sql, PROFILE_SHARD_MIGRATIONS);
  migrateModule(sql, AUDIENCE_MODULE, AUDIENCE_HOST_MIGRATIONS);
  site = SITE;
  ids = 0;
  store = new AudienceStore(sql, { profiles: profilesTableSource(sql), site: () => site, newId: () => `t${++ids}` });
});

describe('AudienceStore', () => {
  it('records entries and exits as a profile changes, with sizes by day', () => {
    store.putAudience('idle', IDLE_CART, NOW);
    store.putAudience('bavaria', BAVARIA, NOW);
    const p = save(cartProfile('p1', NOW - 40 * MIN));
    expect(kinds(store.applyProfileChange({ profile: p }, NOW).transitions)).toEqual(['entered idle p1']);
    p.counts.orders = 1;
    p.orders = [{ orderId: 'o', at: NOW + MIN, total: 20, productIds: ['tent'] }];
    expect(kinds(store.applyProfileChange({ profile: p }, NOW + MIN, GROUP.orders | GROUP.cart).transitions)).toEqual(['exited idle p1', 'entered bavaria p1']);
    expect(store.audiencesOf('p1')).toEqual([{ audienceId: 'bavaria', enteredAt: NOW + MIN }]);
    expect(store.sizes()).toEqual(
      new Map([
        ['bavaria', 1],
        ['idle', 0],
      ]),
    );
    expect(store.sizeByDay('idle')).toEqual([{ day: '2026-03-01', members: 0 }]);
  });

  it('wakes a profile when a time condition is crossed, with no event', () => {
    store.putAudience('idle', IDLE_CART, NOW);
    const p = save(cartProfile('p1', NOW));
    expect(store.applyProfileChange({ profile: p }, NOW).transitions).toEqual([]);
    expect(store.nextAlarm()).toBe(NOW + 30 * MIN);
    expect(store.wake(NOW + 29 * MIN, 10)).toMatchObject({ profiles: 0, transitions: [] });
    const woken = store.wake(NOW + 30 * MIN, 10);
    expect(kinds(woken.transitions)).toEqual(['entered idle p1']);
    expect(woken.more).toBe(false);
    // Idle for good now: nothing more to wake up for.
    expect(store.nextAlarm()).toBeUndefined();
  });

  it('wakes up in bounded steps and says when more are due', () => {
    store.putAudience('idle', IDLE_CART, NOW);
    for (let i = 0; i < 25; i++) store.applyProfileChange({ profile: save(cartProfile(`p${String(i).padStart(2, '0')}`, NOW - i * MIN)) }, NOW);
    const steps = [];
    let more = true;
    while (more) {
      const step = store.wake(NOW + DAY, 10);
      steps.push(step.profiles);
      more = step.more;
    }
    expect(steps).toEqual([10, 10, 5]);
    expect(store.sizes().get('idle')).toBe(25);
  });

  it('keeps the earliest due time when an event evaluates only some audiences', () => {
    store.putAudience('idle', IDLE_CART, NOW);
    store.putAudience('away', { fact: 'lastSeenDays', op: 'gte', value: 2 }, NOW);
    const p = save(cartProfile('p1', NOW));
    store.applyProfileChange({ profile: p }, NOW);
    expect(store.nextAlarm()).toBe(NOW + 30 * MIN);
    // A page view (seen, geo, device) re-evaluates "away" only; the idle cart's due time stays.
    p.lastSeen = NOW + MIN;
    save(p);
    expect(store.applyProfileChange({ profile: p }, NOW + MIN, GROUP.seen | GROUP.geo | GROUP.device).evaluated).toBe(1);
    expect(store.nextAlarm()).toBe(NOW + 30 * MIN);
    // The wake-up evaluates everything and keeps the exact next time.
    store.wake(NOW + 30 * MIN, 10);
    expect(store.nextAlarm()).toBe(NOW + MIN + 2 * DAY);
  });

  it('moves the due time later when every timed audience of the profile was evaluated', () => {
    store.putAudience('away', { fact: 'lastSeenDays', op: 'gte', value: 2 }, NOW);
    store.putAudience('big-cart', { fact: 'cartValue', op: 'gte', value: 100 }, NOW);
    const p = save(profile({ profileId: 'p1' }));
    store.applyProfileChange({ profile: p }, NOW);
    expect(store.nextAlarm()).toBe(p.lastSeen + 2 * DAY);
    p.lastSeen = NOW + MIN;
    save(p);
    // "big-cart" is left out (no cart change) but cannot change with the clock: the due time is exact.
    expect(store.applyProfileChange({ profile: p }, NOW + MIN, GROUP.seen).evaluated).toBe(1);
    expect(store.nextAlarm()).toBe(NOW + MIN + 2 * DAY);
  });

  it('evaluates only the audiences a profile is near: guards and changed facts', () => {
    for (let i = 0; i < 20; i++) store.putAudience(`region-${i}`, { all: [{ fact: 'region', op: 'eq', value: `Region ${i}` }, IDLE_CART] }, NOW);
    store.putAudience('everyone-idle', IDLE_CART, NOW);
    const p = save(profile({ profileId: 'p1', geo: { country: 'XX', region: 'Region 7' }, cart: { a: { quantity: 1, at: NOW } }, cartChangedAt: NOW }));
    expect(store.applyProfileChange({ profile: p }, NOW, GROUP.cart).evaluated).toBe(2);
    expect(store.applyProfileChange({ profile: p }, NOW, GROUP.views).evaluated).toBe(0);
    expect(store.nextAlarm()).toBe(NOW + 30 * MIN);
    expect(kinds(store.wake(NOW + 30 * MIN, 10).transitions).sort()).toEqual(['entered everyone-idle p1', 'entered region-7 p1']);
    // Moving region: the old region's audience is left although its guard no longer matches, the new one's entered.
    p.geo = { country: 'XX', region: 'Region 8' };
    expect(kinds(store.applyProfileChange({ profile: p }, NOW + 31 * MIN, GROUP.geo).transitions).sort()).toEqual([
      'entered region-8 p1',
      'exited region-7 p1',
    ]);
  });

  it('records each transition exactly once when the caller retries a batch', () => {
    store.putAudience('idle', IDLE_CART, NOW);
    const p = save(cartProfile('p1', NOW - 40 * MIN));
    // The first attempt fails after evaluating: the host's transaction rolls back, nothing is kept.
    expect(() =>
      transaction(() => {
        store.applyProfileChange({ profile: p }, NOW);
        throw new Error('crash before commit');
      }),
    ).toThrow('crash');
    expect(store.pendingTransitions(0, 10)).toEqual([]);
    expect(store.audiencesOf('p1')).toEqual([]);
    // The retry commits; a second retry of the same batch (its answer was lost) records nothing more.
    expect(kinds(transaction(() => store.applyProfileChange({ profile: p }, NOW)).transitions)).toEqual(['entered idle p1']);
    expect(transaction(() => store.applyProfileChange({ profile: p }, NOW + 1)).transitions).toEqual([]);
    const pending = store.pendingTransitions(0, 10);
    expect(pending).toEqual([{ id: 't2', seq: pending[0]!.seq, kind: 'entered', audienceId: 'idle', profileId: 'p1', at: NOW }]);
    // Delivered transitions are acknowledged and leave the outbox; their ids never come back.
    store.acknowledgeTransitions(pending[0]!.seq);
    expect(store.pendingTransitions(0, 10)).toEqual([]);
  });

  it('backfills a new audience over existing profiles in bounded steps', () => {
    const profiles = Array.from({ length: 23 }, (_, i) => save(cartProfile(`p${String(i).padStart(2, '0')}`, NOW - i * 3 * MIN)));
    expect(store.putAudience('idle', IDLE_CART, NOW, 'Idle cart')).toEqual({ changed: true });
    // A new name alone changes no membership: nothing to evaluate again.
    expect(store.putAudience('idle', IDLE_CART, NOW, 'Idle carts')).toEqual({ changed: false });
    expect(store.audiences()).toEqual([{ audienceId: 'idle', name: 'Idle carts', definition: IDLE_CART, status: 'building' }]);
    let cursor: string | null = null;
    let steps = 0;
    do {
      cursor = store.backfillStep('idle', cursor, 5, NOW).cursor;
      steps++;
      if (cursor) expect(store.pendingBackfills()).toEqual([{ audienceId: 'idle', cursor }]);
    } while (cursor);
    expect(steps).toBe(5);
    expect(store.audiences()[0]!.status).toBe('ready');
    const expected = profiles.filter((p) => evaluate(IDLE_CART as never, factsOf(p), NOW)).map((p) => p.profileId);
    expect(expected.length).toBe(13); // idle 30 minutes or more: i ≥ 10
    const members: string[] = [];
    let page: string | null = null;
    do {
      const result = store.members('idle', page, 4);
      members.push(...result.members.map((m) => m.profileId));
      page = result.cursor;
    } while (page);
    expect(members).toEqual(expected);
    // The others are due when their carts reach 30 minutes.
    expect(store.nextAlarm()).toBe(NOW + 3 * MIN);
  });

  it('evaluates again when the definition changes, and deletes an audience in steps', () => {
    for (let i = 0; i < 7; i++) save(cartProfile(`p${i}`, NOW - 60 * MIN));
    store.putAudience('idle', IDLE_CART, NOW);
    while (store.backfillStep('idle', store.pendingBackfills()[0]?.cursor ?? null, 3, NOW).cursor);
    expect(store.sizes().get('idle')).toBe(7);
    expect(store.putAudience('idle', { fact: 'cartIdleMinutes', op: 'gte', value: 90 }, NOW)).toEqual({ changed: true });
    const exits: Transition[] = [];
    let cursor: string | null = null;
    do {
      const step = store.backfillStep('idle', cursor, 3, NOW);
      exits.push(...step.transitions);
      cursor = step.cursor;
    } while (cursor);
    expect(exits.map((t) => t.kind)).toEqual(Array(7).fill('exited'));
    store.putAudience('idle', IDLE_CART, NOW);
    while (store.backfillStep('idle', store.pendingBackfills()[0]?.cursor ?? null, 3, NOW).cursor);
    expect(store.removeAudience('idle', 3)).toEqual({ done: false, removed: 3 });
    expect(store.audiences()).toEqual([]);
    expect(store.audiencesOf('p6')).toEqual([]);
    expect(store.removeAudience('idle', 3)).toEqual({ done: false, removed: 3 });
    expect(store.removeAudience('idle', 3)).toEqual({ done: true, removed: 1 });
    expect(store.sizes().size).toBe(0);
  });

  it('asks for a new evaluation of audiences that read site inputs', () => {
    store.putAudience('vip', { fact: 'rfm.monetary', op: 'eq', value: 5 }, NOW);
    store.putAudience('risk', { fact: 'lifecycle', op: 'eq', value: 'at_risk' }, NOW);
    store.putAudience('idle', IDLE_CART, NOW);
    for (const { audienceId } of store.pendingBackfills())
      while (store.backfillStep(audienceId, store.pendingBackfills().find((b) => b.audienceId === audienceId)?.cursor ?? null, 10, NOW).cursor);
    expect(store.pendingBackfills()).toEqual([]);
    // Lifecycle thresholds and RFM boundaries change apart: each invalidates only the audiences reading it.
    expect(store.invalidate(GROUP.site)).toEqual(['risk']);
    expect(store.invalidate(GROUP.rfm)).toEqual(['vip']);
    expect(store.pendingBackfills()).toEqual([
      { audienceId: 'risk', cursor: '' },
      { audienceId: 'vip', cursor: '' },
    ]);
  });

  it('uses the linked customer for identified and reads traits', () => {
    store.putAudience(
      'customers',
      {
        all: [
          { fact: 'identified', op: 'eq', value: true },
          { fact: 'trait.plan', op: 'eq', value: 'pro' },
        ],
      },
      NOW,
    );
    save(profile({ profileId: 'a', traits: { plan: 'pro' } }), 'user-a');
    save(profile({ profileId: 'b', traits: { plan: 'pro' } }));
    store.backfillStep('customers', null, 10, NOW);
    expect(store.members('customers', null, 10).members.map((m) => m.profileId)).toEqual(['a']);
  });

  it('forgets erased profiles without a trace, and drops merged ones with exits', () => {
    store.putAudience('idle', IDLE_CART, NOW);
    store.putAudience('later', { fact: 'cartIdleMinutes', op: 'gte', value: 600 }, NOW);
    const a = save(cartProfile('a', NOW - 40 * MIN));
    const b = save(cartProfile('b', NOW - 40 * MIN));
    store.applyProfileChange({ profile: a }, NOW);
    store.applyProfileChange({ profile: b }, NOW);
    expect(store.sizes().get('idle')).toBe(2);
    expect(store.forget(['a'], NOW)).toBe(1);
    expect(store.audiencesOf('a')).toEqual([]);
    expect(store.pendingTransitions(0, 10).map((t) => t.profileId)).toEqual(['b']);
    expect(store.sizes().get('idle')).toBe(1);
    expect(store.nextAlarm()).toBe(NOW - 40 * MIN + 600 * MIN); // b only
    expect(kinds(store.dropProfile('b', NOW))).toEqual(['exited idle b']);
    expect(store.nextAlarm()).toBeUndefined();
    // A due profile that no longer exists is dropped from the index at its wake-up.
    store.applyProfileChange({ profile: cartProfile('ghost', NOW) }, NOW);
    expect(store.wake(NOW + DAY, 10)).toMatchObject({ profiles: 1, transitions: [] });
    expect(store.nextAlarm()).toBeUndefined();
  });

  it('a merged-away profile leaves silently where its survivor is a member (a move), with an exit elsewhere', () => {
    store.putAudience('idle', IDLE_CART, NOW);
    store.putAudience('later', { fact: 'cartIdleMinutes', op: 'gte', value: 600 }, NOW);
    store.applyProfileChange({ profile: save(cartProfile('phone', NOW - 700 * MIN)) }, NOW);
    store.applyProfileChange({ profile: save(cartProfile('customer', NOW - 40 * MIN)) }, NOW);
    store.acknowledgeTransitions(Number.MAX_SAFE_INTEGER);
    expect(store.sizes()).toEqual(
      new Map([
        ['idle', 2],
        ['later', 1],
      ]),
    );
    // The customer is in idle, not in later: the phone's place in idle moved, its place in later ended.
    expect(kinds(store.dropProfile('phone', NOW, 'customer'))).toEqual(['exited later phone']);
    expect(kinds(store.pendingTransitions(0, 10))).toEqual(['exited later phone']);
    expect(store.audiencesOf('phone')).toEqual([]);
    expect(store.sizes()).toEqual(
      new Map([
        ['idle', 1],
        ['later', 0],
      ]),
    );
  });

  it('reloads its definitions after a transaction that changed them rolled back', () => {
    store.putAudience('idle', IDLE_CART, NOW);
    expect(() =>
      transaction(() => {
        store.putAudience('later', { fact: 'cartIdleMinutes', op: 'gte', value: 600 }, NOW);
        throw new Error('crash before commit');
      }),
    ).toThrow('crash');
    store.reload();
    const p = save(cartProfile('p1', NOW - 700 * MIN));
    expect(kinds(store.applyProfileChange({ profile: p }, NOW).transitions)).toEqual(['entered idle p1']);
  });

  it('rejects a definition that does not validate, naming the bad part', () => {
    expect(() => store.putAudience('bad', { fact: 'orders', op: 'gt', value: 'x' }, NOW)).toThrow('definition.value: expected a number for "orders"');
  });
});

describe('static audiences (a list of profiles)', () => {
  it('takes and lets go of the profiles listed, with transitions and sizes, and never evaluates them', () => {
    store.putList('kept', 'Kept', NOW);
    for (const id of ['p1', 'p2', 'p3']) save(cartProfile(id, NOW));
    expect(store.changeList('kept', { add: ['p1', 'p2'] }, NOW)).toMatchObject({ added: 2, removed: 0 });
    expect(store.changeList('kept', { add: ['p2', 'p3'], replace: true }, NOW + MIN)).toMatchObject({ added: 1, removed: 1 });
    expect(store.members('kept', null, 10).members.map((m) => m.profileId)).toEqual(['p2', 'p3']);
    expect(store.sizes().get('kept')).toBe(2);
    expect(store.audiences()).toEqual([{ audienceId: 'kept', name: 'Kept', definition: null, status: 'ready' }]);
    expect(store.pendingBackfills()).toEqual([]);
    // An event changes no list; the profile still shows it among its audiences.
    expect(store.applyProfileChange({ profile: save(cartProfile('p2', NOW + 2 * MIN)) }, NOW + 2 * MIN)).toEqual({ evaluated: 0, transitions: [] });
    expect(store.audiencesOf('p2')).toEqual([{ audienceId: 'kept', enteredAt: NOW }]);
    expect(kinds(store.pendingTransitions(0, 10))).toEqual(['entered kept p1', 'entered kept p2', 'exited kept p1', 'entered kept p3']);
  });

  it("a merge moves the merged-away profile's place to the survivor; erasure removes it silently", () => {
    store.putList('kept', 'Kept', NOW);
    store.putAudience('idle', IDLE_CART, NOW);
    store.changeList('kept', { add: ['anon'] }, NOW);
    store.acknowledgeTransitions(Number.MAX_SAFE_INTEGER);
    expect(kinds(store.followMerge('anon', 'customer', NOW + MIN))).toEqual(['entered kept customer']);
    // The survivor holds the place now: the merged-away profile leaves the list without an exit.
    expect(store.dropProfile('anon', NOW + MIN, 'customer')).toEqual([]);
    expect(kinds(store.pendingTransitions(0, 10))).toEqual(['entered kept customer']);
    expect(store.sizes().get('kept')).toBe(1);
    // Already a member: nothing twice.
    store.changeList('kept', { add: ['other'] }, NOW);
    expect(store.followMerge('other', 'customer', NOW + MIN)).toEqual([]);
    expect(store.forget(['customer'], NOW + 2 * MIN)).toBe(1);
    expect(store.members('kept', null, 10).members.map((m) => m.profileId)).toEqual(['other']);
  });

  it('a list and a definition never share an id', () => {
    store.putAudience('live', IDLE_CART, NOW);
    expect(() => store.putList('live', 'Live', NOW)).toThrow(/defined by conditions/);
    store.putList('list', 'List', NOW);
    expect(() => store.putAudience('list', IDLE_CART, NOW)).toThrow(/static list/);
    expect(() => store.changeList('live', { add: ['p1'] }, NOW)).toThrow(/not a static list/);
  });
});
