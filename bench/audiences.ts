/**
 * What live audiences cost, offline on sql.js (the same code and SQL a
 * profile host runs): evaluation per event with 20 and with 200 audiences
 * (most of them for other regions), the same 200 evaluated without the
 * index, one wake-up per profile whose time condition is crossed, and the
 * storage of memberships, due times and pending transitions. Times are CPU
 * time of this process.
 *
 *   npx tsx bench/audiences.ts [--events N]
 */
import type { StoredMessage } from '@trailmark/schema';
import { parseAudienceDefinition } from '@trailmark/schema/audience-schema';
import { AUDIENCE_HOST_MIGRATIONS, AUDIENCE_MODULE } from '../collector/src/audiences/audience-host';
import { AudienceStore } from '../collector/src/audiences/audience-store';
import { compileCondition, membership } from '../collector/src/audiences/condition';
import { groupsChangedBy } from '../collector/src/audiences/fact-groups';
import { ProfileFacts } from '../collector/src/audiences/facts';
import { profilesTableSource } from '../collector/src/audiences/profile-source';
import { manyAudiences, MIN, NOW, SITE } from '../collector/src/audiences/test-fixtures';
import { migrate, migrateModule } from '../collector/src/lib/migrate';
import type { Sql } from '../collector/src/lib/sql';
import { openSqlJs } from '../collector/src/lib/sqljs-sql';
import { applyEvent } from '../collector/src/profiles/apply-event';
import { newProfile, type Profile } from '../collector/src/profiles/profile';
import { PROFILE_SHARD_MIGRATIONS } from '../collector/src/schema-steps/profile-shard';

export interface AudienceCost {
  perEvent: { audiences: number; evaluatedPerEvent: number; microsecondsPerEvent: number }[];
  /** The 200 audiences evaluated one by one for every event, without index or fact groups. */
  withoutIndex: { audiences: number; microsecondsPerEvent: number };
  wakeUp: { profiles: number; evaluatedPerProfile: number; microsecondsPerProfile: number };
  storage: { bytesPerMembership: number; bytesPerDueProfile: number; bytesPerPendingTransition: number; profileDocumentBytesAdded: number };
}

const REGIONS = 190;
const CATEGORIES = ['Outdoor > Tents', 'Outdoor > Cooking', 'Books', 'Data packs'];

function message(anonymousId: string, region: number, at: number, kind: number): StoredMessage {
  const product = { product_id: `p${kind % 40}`, price: 20 + (kind % 7) * 10, category: CATEGORIES[kind % CATEGORIES.length] };
  const body =
    kind % 11 === 0
      ? { type: 'identify', userId: `u-${anonymousId}`, traits: { email: `${anonymousId}@example.com`, plan: kind % 2 ? 'pro' : 'free' } }
      : kind % 13 === 0
        ? { type: 'track', event: 'Order Completed', properties: { order_id: `o-${anonymousId}-${at}`, total: 60, products: [product] } }
        : kind % 5 === 0
          ? { type: 'track', event: 'Product Added', properties: product }
          : kind % 3 === 0
            ? { type: 'page' }
            : { type: 'track', event: 'Product Viewed', properties: product };
  return {
    messageId: `${anonymousId}-${at}`,
    anonymousId,
    ...body,
    timestamp: new Date(at).toISOString(),
    receivedAt: new Date(at).toISOString(),
    context: { geo: { country: 'DE', region: `Region ${region}` }, device: { type: 'mobile' }, bot: false },
  } as StoredMessage;
}

async function hostWith(audiences: number): Promise<{ sql: Sql; store: AudienceStore; transaction: <T>(fn: () => T) => T }> {
  const { sql, transaction } = await openSqlJs();
  // A profile shard's tables and its audience module, migrated as the object does.
  migrate(sql, PROFILE_SHARD_MIGRATIONS);
  migrateModule(sql, AUDIENCE_MODULE, AUDIENCE_HOST_MIGRATIONS);
  const store = new AudienceStore(sql, { profiles: profilesTableSource(sql), site: () => SITE });
  const set = manyAudiences(Math.max(0, audiences - 10), Math.min(10, audiences));
  for (const { id, definition } of set) store.putAudience(id, definition, NOW);
  return { sql, store, transaction };
}

function shoppers(count: number): { profile: Profile; region: number }[] {
  return Array.from({ length: count }, (_, i) => ({ profile: newProfile(`00000000-0000-0000-0000-${String(i).padStart(12, '0')}`, NOW), region: i % REGIONS }));
}

function save(sql: Sql, profile: Profile): void {
  sql.exec(
    `INSERT INTO profiles (profile_id, created_at, updated_at, data) VALUES (?, 0, 0, ?) ON CONFLICT (profile_id) DO UPDATE SET data = excluded.data`,
    profile.profileId,
    JSON.stringify(profile),
  );
}

/** CPU milliseconds of this process since `start` (sql.js runs in it): a shared machine's other work changes it far less than wall-clock time. */
function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** Messages per batch, as the drain applies them: one transaction each. */
const BATCH = 20;

/**
 * Events round-robin over shoppers in many regions, applied in batches of
 * BATCH in one transaction as the host does; only the audience work
 * (evaluation and its SQL, commit included) is timed, not the profile update.
 */
export async function perEvent(audiences: number, events: number): Promise<AudienceCost['perEvent'][number]> {
  const { store, transaction } = await hostWith(audiences);
  const people = shoppers(200);
  let evaluated = 0;
  let elapsed = 0;
  for (let k = 0; k < events; k += BATCH) {
    const changed = new Map<Profile, { groups: number; at: number }>();
    for (let j = k; j < Math.min(events, k + BATCH); j++) {
      const shopper = people[j % people.length]!;
      const at = NOW + j * 1000;
      const m = message(shopper.profile.profileId, shopper.region, at, Math.floor(j / people.length) + j);
      applyEvent(shopper.profile, m);
      changed.set(shopper.profile, { groups: (changed.get(shopper.profile)?.groups ?? 0) | groupsChangedBy(m), at });
    }
    const start = process.cpuUsage();
    // One unit of work per batch, as the host's afterApply runs it (the batch's last event time for all).
    const at = Math.max(...[...changed.values()].map((c) => c.at));
    transaction(() => {
      evaluated += store.applyProfileChanges(
        [...changed].map(([profile, { groups }]) => ({ subject: { profile }, changed: groups })),
        at,
      ).evaluated;
    });
    elapsed += cpuMsSince(start);
  }
  return { audiences, evaluatedPerEvent: evaluated / events, microsecondsPerEvent: (elapsed * 1000) / events };
}

async function withoutIndex(events: number): Promise<AudienceCost['withoutIndex']> {
  const compiled = manyAudiences(REGIONS, 10).map(({ definition }) => {
    const parsed = parseAudienceDefinition(definition);
    if (!parsed.ok) throw new Error('bad benchmark definition');
    return compileCondition(parsed.definition);
  });
  const people = shoppers(200);
  let elapsed = 0;
  for (let k = 0; k < events; k++) {
    const shopper = people[k % people.length]!;
    const at = NOW + k * 1000;
    applyEvent(shopper.profile, message(shopper.profile.profileId, shopper.region, at, Math.floor(k / people.length) + k));
    const start = process.cpuUsage();
    const facts = new ProfileFacts({ profile: shopper.profile }, SITE);
    for (const c of compiled) membership(c, facts, at);
    elapsed += cpuMsSince(start);
  }
  return { audiences: compiled.length, microsecondsPerEvent: (elapsed * 1000) / events };
}

/** Profiles whose carts go idle together; the wake-up 30 minutes later evaluates each (loading its document). */
export async function wakeUp(profiles: number): Promise<AudienceCost['wakeUp']> {
  const { sql, store, transaction } = await hostWith(200);
  transaction(() => {
    for (const { profile, region } of shoppers(profiles)) {
      applyEvent(profile, message(profile.profileId, region, NOW, 1));
      applyEvent(profile, message(profile.profileId, region, NOW, 5));
      save(sql, profile);
      store.applyProfileChange({ profile }, NOW);
    }
  });
  let evaluated = 0;
  let woken = 0;
  const start = process.cpuUsage();
  for (let more = true; more;) {
    // One alarm: a bounded step in one transaction.
    const step = transaction(() => store.wake(NOW + 31 * MIN, 100));
    evaluated += step.evaluated;
    woken += step.profiles;
    more = step.more;
  }
  const elapsed = cpuMsSince(start);
  return { profiles: woken, evaluatedPerProfile: evaluated / woken, microsecondsPerProfile: (elapsed * 1000) / woken };
}

function bytes(sql: Sql): number {
  const pages = sql.exec<{ page_count: number }>('PRAGMA page_count').one().page_count;
  const size = sql.exec<{ page_size: number }>('PRAGMA page_size').one().page_size;
  return pages * size;
}

/** Rows as the store writes them, with realistic ids: bytes per row including its indexes. */
async function storage(): Promise<AudienceCost['storage']> {
  const { sql } = await openSqlJs();
  migrateModule(sql, AUDIENCE_MODULE, AUDIENCE_HOST_MIGRATIONS);
  const rows = 20_000;
  const profileId = (i: number) => `${(i * 2654435761).toString(16).padStart(8, '0').slice(-8)}-0000-4000-8000-${String(i).padStart(12, '0')}`;
  const measure = (insert: (i: number) => void) => {
    const before = bytes(sql);
    sql.exec('BEGIN');
    for (let i = 0; i < rows; i++) insert(i);
    sql.exec('COMMIT');
    return Math.round((bytes(sql) - before) / rows);
  };
  const bytesPerMembership = measure((i) =>
    sql.exec(
      'INSERT INTO audience_members (audience_id, profile_id, entered_at) VALUES (?, ?, ?)',
      `audience-${i % 50}`,
      profileId(Math.floor(i / 50) * 7919 + i),
      NOW + i,
    ),
  );
  const bytesPerDueProfile = measure((i) =>
    sql.exec('INSERT INTO audience_due (profile_id, due_at) VALUES (?, ?)', profileId(i), NOW + ((i * 7919) % 86_400_000)),
  );
  const bytesPerPendingTransition = measure((i) =>
    sql.exec(
      'INSERT INTO audience_transitions (transition_id, audience_id, profile_id, kind, at) VALUES (?, ?, ?, ?, ?)',
      crypto.randomUUID(),
      `audience-${i % 50}`,
      profileId(i),
      'entered',
      NOW + i,
    ),
  );

  // What the audience fields add to a profile document after a few hundred events.
  const people = shoppers(50);
  for (let k = 0; k < 50 * 300; k++) {
    const shopper = people[k % people.length]!;
    applyEvent(shopper.profile, message(shopper.profile.profileId, shopper.region, NOW + k * 60_000, k));
  }
  const without = (p: Profile) =>
    JSON.stringify({
      ...p,
      traits: undefined,
      cartChangedAt: undefined,
      categoryPurchases: undefined,
      recentViews: p.recentViews.map(({ productId, at }) => ({ productId, at })),
      purchases: Object.fromEntries(Object.entries(p.purchases).map(([id, { times: _t, ...h }]) => [id, h])),
    }).length;
  const added = people.reduce((sum, { profile }) => sum + JSON.stringify(profile).length - without(profile), 0) / people.length;
  return { bytesPerMembership, bytesPerDueProfile, bytesPerPendingTransition, profileDocumentBytesAdded: Math.round(added) };
}

export async function benchAudiences(options: { events?: number; wakeProfiles?: number } = {}): Promise<AudienceCost> {
  const events = options.events ?? 20_000;
  return {
    perEvent: [await perEvent(20, events), await perEvent(200, events)],
    withoutIndex: await withoutIndex(events),
    wakeUp: await wakeUp(options.wakeProfiles ?? 2_000),
    storage: await storage(),
  };
}

export function formatAudienceCost(cost: AudienceCost): string[] {
  const us = (x: number) => `${x.toFixed(1)} µs`;
  return [
    ...cost.perEvent.map(
      (e) => `audiences: one event, ${e.audiences} audiences defined: ${us(e.microsecondsPerEvent)} (${e.evaluatedPerEvent.toFixed(1)} evaluated)`,
    ),
    `audiences: one event, ${cost.withoutIndex.audiences} evaluated without the index: ${us(cost.withoutIndex.microsecondsPerEvent)}`,
    `audiences: one wake-up, per profile woken (200 defined): ${us(cost.wakeUp.microsecondsPerProfile)} (${cost.wakeUp.evaluatedPerProfile.toFixed(1)} evaluated)`,
    `audiences: storage: ${cost.storage.bytesPerMembership} B per membership, ${cost.storage.bytesPerDueProfile} B per profile with a due time, ${cost.storage.bytesPerPendingTransition} B per pending transition, +${cost.storage.profileDocumentBytesAdded} B per profile document`,
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--events');
  const cost = await benchAudiences({ events: i > 0 ? Number(process.argv[i + 1]) : undefined });
  console.log(formatAudienceCost(cost).join('\n'));
  console.log(JSON.stringify(cost, null, 2));
}
