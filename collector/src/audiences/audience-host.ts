/**
 * Everything a profile host does for audiences, in one unit: today ShopState
 * hosts it for all of a site's profiles; profile shards will each host it for
 * theirs. The object that holds profiles makes one AudienceHost over its
 * SQLite and calls it at three places:
 *
 * - in the profile-apply transaction, once per batch: `afterApply(applied,
 *   merges, now)` re-evaluates the profiles the batch changed, records
 *   membership transitions in the same transaction (so a drain retried after
 *   a commit finds the memberships changed and records nothing twice), and
 *   keeps each profile's next due time;
 * - as a job of the object's alarm (lib/alarms.ts): the profiles whose due
 *   time has come, backfills of new audiences, removals, re-evaluation after
 *   the site's RFM boundaries moved, and the hand-off of recorded transitions
 *   to the destinations' outboxes — each in bounded steps;
 * - around erasure: `erase(fn)` lets no hand-off run while the person is
 *   removed, and `forget(profileIds)` inside its transaction.
 *
 * Reads and replication (definitions, members, preview, sizes, RFM) are
 * methods the object exposes over RPC; the Worker fans out to every host of a
 * site (site-audiences.ts) through one seam (hosts.ts).
 */
import type { AudienceMember, Condition, DestinationChange, FactScalar, LifecycleThresholds, StoredMessage } from '@trailmark/schema';
import { audienceLifecycle } from '@trailmark/schema';
import { mergeTargets, survivorOf } from '../identity/batch-merges';
import { HandoffGate } from '../lib/handoff-gate';
import { first, type Sql } from '../lib/sql';
import { lifecycleStage } from '../profiles/lifecycle';
import type { Profile } from '../profiles/profile';
import { AudienceStore, type ProfileSource, type Transition } from './audience-store';
import { compileCondition, factsRead, membership } from './condition';
import { ALL_GROUPS, GROUP, groupsChangedBy } from './fact-groups';
import { describeFacts, ProfileFacts, type AudienceSubject, type FactSite } from './facts';
import { boundaryShift, sameBoundaries, type RfmBoundaries, type RfmSummary } from './rfm';
import { RfmStore } from './rfm-store';

/** The host's schema steps, frozen as shipped (lib/migrate.ts migrateModule, module "audiences"). */
export { AUDIENCE_HOST_MIGRATIONS } from '../schema-steps/audience-host';
export const AUDIENCE_MODULE = 'audiences';

/** Who a profile is beyond its document: the object that knows identities answers. */
export interface PersonDirectory {
  /** For each profile id: where it lives now (after merges), its customer id and some of its browsers' ids. */
  describe(profileIds: readonly string[]): Promise<Map<string, { profileId: string; userId?: string; anonymousIds: string[] }>>;
}

export interface AudienceHostOptions {
  sql: Sql;
  /** Runs `fn` in one storage transaction (ctx.storage.transactionSync). */
  transaction: <T>(fn: () => T) => T;
  profiles: ProfileSource;
  people: PersonDirectory;
  /** The site's lifecycle thresholds as its settings say now. */
  lifecycle: () => Promise<LifecycleThresholds>;
  /** Hands changes to the destinations (destinations/producer.ts enqueueChanges); idempotent on each change's key. */
  deliver: (changes: DestinationChange[]) => Promise<unknown>;
  /**
   * The audience ids some destination takes (destinations/producer.ts
   * subscribedAudiences): transitions of other audiences are not recorded,
   * and those a destination stopped taking since they were are acknowledged
   * without describing the person, which is most of a hand-off's cost.
   */
  subscribed: () => Promise<ReadonlySet<string>>;
  /** The host's clock (Date.now, or a test's). */
  clock: () => number;
}

/** One applied message: the profile it went to (null: suppressed). */
export interface AppliedMessage {
  message: StoredMessage;
  profileId: string | null;
}

/** What destinations, members pages and preview samples hold about a person (contract section 7). */
export type PersonView = Omit<AudienceMember, 'enteredAt'>;

export interface HostAudienceReport {
  id: string;
  name: string;
  /** null for a static list. */
  definition: Condition | null;
  status: 'building' | 'ready';
  size: number;
  /** Members at the end of each day with a change (when asked for). */
  sizeByDay?: { day: string; members: number }[];
}

export interface HostPreview {
  /** Profiles evaluated, of `profiles` on this host. */
  evaluated: number;
  profiles: number;
  matched: number;
  sample: PersonView[];
}

export interface HostRfm {
  summary: RfmSummary;
  /** False while the host is still reading its existing profiles' orders (a shop from before audiences). */
  complete: boolean;
}

/** Work per alarm step: each runs in one transaction, and the alarm comes back at once while more is left. */
const WAKE_STEP = 200;
const WAKE_STEPS_PER_RUN = 5;
const BACKFILL_STEP = 250;
const REMOVE_STEP = 1000;
const REEVALUATE_STEP = 200;
const RFM_BACKFILL_STEP = 500;
const HANDOFF_STEP = 100;
const HANDOFF_STEPS_PER_RUN = 10;
const ANONYMOUS_IDS_SHOWN = 20;

const DEFAULT_LIFECYCLE: LifecycleThresholds = { activeDays: 14, atRiskDays: 30, lapsedDays: 90 };

export class AudienceHost {
  readonly name = 'audiences';
  readonly store: AudienceStore;
  readonly rfm: RfmStore;
  private readonly sql: Sql;
  private readonly site: FactSite;
  /** Hand-offs wait for erasures, and back off after a failure. */
  private readonly gate: HandoffGate;
  /** Whether the lifecycle thresholds in use were stored (so a change can be told from a first start). */
  private lifecycleStored: boolean;
  private rfmBackfilled: boolean;
  /** The alarm's work in flight, if any. */
  private running: Promise<void> | undefined;
  /** The audiences some destination takes, as of the last refreshSite (undefined before it: all are recorded). */
  private delivered: ReadonlySet<string> | undefined;

  constructor(private readonly options: AudienceHostOptions) {
    this.sql = options.sql;
    this.gate = new HandoffGate('audience', options.clock);
    this.rfm = new RfmStore(options.sql);
    const stored = this.state<LifecycleThresholds>('lifecycle');
    const rfm = this.state<RfmBoundaries>('rfm');
    this.site = { lifecycle: stored ?? DEFAULT_LIFECYCLE, ...(rfm ? { rfm } : {}) };
    this.lifecycleStored = stored !== undefined;
    this.rfmBackfilled = this.state<string>('rfm_backfill_after') === 'done';
    this.store = new AudienceStore(options.sql, {
      profiles: options.profiles,
      site: () => this.site,
      recordsTransitions: (audienceId) => this.delivered?.has(audienceId) ?? true,
    });
  }

  private state<T>(key: string): T | undefined {
    const row = first<{ value: string }>(this.sql, 'SELECT value FROM audience_host_state WHERE key = ?', key);
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  private setState(key: string, value: unknown): void {
    this.sql.exec(
      'INSERT INTO audience_host_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      key,
      JSON.stringify(value),
    );
  }

  /**
   * Reads the site's lifecycle thresholds (cached by the site directory);
   * when they changed, the audiences that read lifecycle are evaluated again
   * over every profile. And which audiences some destination takes: only
   * their transitions are recorded for the hand-off. Call before afterApply
   * and before alarm work.
   */
  async refreshSite(): Promise<void> {
    this.delivered = await this.options.subscribed();
    const lifecycle = await this.options.lifecycle();
    const current = this.site.lifecycle;
    const same = current.activeDays === lifecycle.activeDays && current.atRiskDays === lifecycle.atRiskDays && current.lapsedDays === lifecycle.lapsedDays;
    if (same && this.lifecycleStored) return;
    this.options.transaction(() => {
      this.setState('lifecycle', lifecycle);
      this.site.lifecycle = lifecycle;
      if (!same) this.store.invalidate(GROUP.site);
    });
    this.lifecycleStored = true;
  }

  // ---- the profile-apply path ------------------------------------------------

  /**
   * After a batch was applied, inside its transaction: each profile it
   * changed is evaluated once against the audiences whose facts the batch
   * may have changed; a profile merged away then leaves its audiences, with
   * an exit only where the profile it joined is not a member. Every
   * membership change of the batch is written in bulk at the end.
   * `documents`: the profile documents the batch just wrote, if the caller
   * holds them (read again otherwise).
   */
  afterApply(
    applied: readonly AppliedMessage[],
    merges: readonly { from: string; into: string }[],
    now: number,
    documents?: ReadonlyMap<string, Profile>,
  ): void {
    this.store.inBulk(() => this.applyBatch(applied, merges, now, documents));
  }

  private applyBatch(
    applied: readonly AppliedMessage[],
    merges: readonly { from: string; into: string }[],
    now: number,
    documents?: ReadonlyMap<string, Profile>,
  ): void {
    const joined = mergeTargets(merges);
    const changed = new Map<string, number>();
    for (const { message, profileId } of applied) {
      // Bots change no profile (they are kept out of profiles); suppressed messages were applied nowhere.
      if (!profileId || message.context.bot) continue;
      changed.set(profileId, (changed.get(profileId) ?? 0) | groupsChangedBy(message));
    }
    for (const { into } of merges) changed.set(into, ALL_GROUPS);
    // A place on a static list follows the person to the profile they joined.
    for (const { from, into } of merges) this.store.followMerge(from, into, now);
    for (const from of joined.keys()) {
      changed.delete(from);
      this.rfm.drop(from);
    }
    this.evaluate(changed, now, documents);
    // After the survivors were evaluated: a merged-away profile leaves only the audiences its survivor is not in (a move is no exit).
    for (const from of joined.keys()) this.store.dropProfile(from, now, survivorOf(from, joined));
  }

  private evaluate(changed: ReadonlyMap<string, number>, now: number, documents?: ReadonlyMap<string, Profile>): void {
    const evaluate = this.store.audienceCount > 0;
    const ids = [...changed].filter(([, groups]) => evaluate || groups & GROUP.orders).map(([id]) => id);
    if (ids.length === 0) return;
    const subjects = this.options.profiles.load(ids, documents);
    const groupsOf = (subject: AudienceSubject) => changed.get(subject.profile.profileId) ?? ALL_GROUPS;
    for (const subject of subjects) if (groupsOf(subject) & GROUP.orders) this.track(subject);
    if (evaluate)
      this.store.applyProfileChanges(
        subjects.map((subject) => ({ subject, changed: groupsOf(subject) })),
        now,
      );
  }

  private track(subject: AudienceSubject): void {
    const facts = new ProfileFacts(subject, this.site);
    this.rfm.track(subject.profile.profileId, { orders: subject.profile.counts.orders, revenue: subject.profile.revenue, lastOrderAt: facts.lastOrderAt() });
  }

  // ---- the alarm job ---------------------------------------------------------

  /** When the host next needs its alarm: now while bounded work is left, else the earliest due time. */
  due(): number | undefined {
    const now = this.options.clock();
    let next = this.store.nextAlarm();
    const earliest = (t: number) => (next = next === undefined ? t : Math.min(next, t));
    if (this.hasWork()) earliest(now);
    const handOffAt = this.gate.readyAt(now);
    if (handOffAt !== undefined && this.store.hasPendingTransitions()) earliest(handOffAt);
    return next;
  }

  private hasWork(): boolean {
    return (
      this.store.pendingBackfills().length > 0 ||
      this.store.pendingRemovals().length > 0 ||
      first(this.sql, 'SELECT 1 AS x FROM audience_reevaluate LIMIT 1') !== undefined ||
      !this.rfmBackfilled
    );
  }

  /** The alarm's work: due profiles first (they are what is late), then the background steps, then the hand-off. */
  run(now: number): Promise<void> {
    const running = this.runSteps(now);
    this.running = running.catch(() => undefined);
    return running;
  }

  private async runSteps(now: number): Promise<void> {
    await this.refreshSite();
    const tx = this.options.transaction;
    for (let step = 0; step < WAKE_STEPS_PER_RUN; step++) {
      const woken = tx(() => this.store.wake(now, WAKE_STEP));
      if (!woken.more) break;
    }
    const removal = this.store.pendingRemovals()[0];
    if (removal) tx(() => this.store.removeAudience(removal, REMOVE_STEP));
    const backfill = this.store.pendingBackfills()[0];
    if (backfill) tx(() => this.store.backfillStep(backfill.audienceId, backfill.cursor, BACKFILL_STEP, now));
    tx(() => this.reevaluateStep(now));
    // In memory only once committed.
    if (!this.rfmBackfilled) this.rfmBackfilled = tx(() => this.rfmBackfillStep());
    await this.handOff(now);
  }

  private reevaluateStep(now: number): void {
    const rows = this.sql.exec<{ profile_id: string; groups: number }>('SELECT profile_id, groups FROM audience_reevaluate LIMIT ?', REEVALUATE_STEP).toArray();
    if (rows.length === 0) return;
    const groups = new Map(rows.map((r) => [r.profile_id, r.groups]));
    const subjects = this.options.profiles.load(rows.map((r) => r.profile_id));
    this.store.applyProfileChanges(
      subjects.map((subject) => ({ subject, changed: groups.get(subject.profile.profileId) ?? ALL_GROUPS })),
      now,
    );
    for (const row of rows) this.sql.exec('DELETE FROM audience_reevaluate WHERE profile_id = ?', row.profile_id);
  }

  /** A shop from before audiences: its customers' RFM inputs are read once, a page at a time. */
  private rfmBackfillStep(): boolean {
    const after = this.state<string>('rfm_backfill_after') ?? '';
    const page = this.options.profiles.page(after, RFM_BACKFILL_STEP);
    for (const subject of page) this.track(subject);
    const done = page.length < RFM_BACKFILL_STEP;
    this.setState('rfm_backfill_after', done ? 'done' : page[page.length - 1]!.profile.profileId);
    return done;
  }

  /**
   * Hands recorded transitions to the destinations' outboxes, oldest first,
   * then acknowledges them. Crashing in between re-sends the same keys,
   * which the outboxes take once. A failure waits (doubling, up to a
   * minute) without holding up wake-ups; none runs during an erasure
   * (lib/handoff-gate.ts).
   */
  private handOff(now: number): Promise<void> {
    return this.gate.run(async () => {
      for (let step = 0; step < HANDOFF_STEPS_PER_RUN; step++) {
        const batch = this.store.pendingTransitions(0, HANDOFF_STEP);
        if (batch.length === 0) return;
        const subscribed = await this.options.subscribed();
        const changes = await this.changesFor(
          batch.filter((t) => subscribed.has(t.audienceId)),
          now,
        );
        if (changes.length > 0) await this.options.deliver(changes);
        this.options.transaction(() => this.store.acknowledgeTransitions(batch[batch.length - 1]!.seq));
      }
    }, now);
  }

  private async changesFor(transitions: Transition[], now: number): Promise<DestinationChange[]> {
    const people = await this.people([...new Set(transitions.map((t) => t.profileId))], now);
    const names = new Map<string, string>();
    const nameOf = (id: string) => {
      if (!names.has(id)) names.set(id, this.store.nameOf(id) || id);
      return names.get(id)!;
    };
    return transitions.flatMap((t) => {
      const profile = people.get(t.profileId);
      // Nobody left to describe (erased meanwhile): nothing to deliver.
      if (!profile) return [];
      return [
        {
          key: `aud:${t.id}`,
          type: t.kind === 'entered' ? 'audience.entered' : 'audience.exited',
          timestamp: new Date(t.at).toISOString(),
          data: { audience: { id: t.audienceId, name: nameOf(t.audienceId) }, profile: { ...profile, profileId: t.profileId } },
        } satisfies DestinationChange,
      ];
    });
  }

  /** What destinations and the admin API get about each profile (traits included: never a public answer). */
  private async people(profileIds: string[], now: number): Promise<Map<string, PersonView>> {
    const known = await this.options.people.describe(profileIds);
    const documents = new Map(
      this.options.profiles.load([...new Set([...known.values()].map((p) => p.profileId))]).map((s) => [s.profile.profileId, s.profile]),
    );
    const out = new Map<string, PersonView>();
    for (const id of profileIds) {
      const person = known.get(id);
      const profile = person && documents.get(person.profileId);
      if (!person || !profile) continue;
      out.set(id, deliveredProfile(id, person, profile, this.site.lifecycle, now));
    }
    return out;
  }

  /** What destinations get about each profile (the campaign host's `campaign.entered` too); the erased are missing. */
  describe(profileIds: string[]): Promise<Map<string, PersonView>> {
    return this.people(profileIds, this.options.clock());
  }

  /** Resolves once no alarm work is in flight (tests wait for it before looking at the outboxes). */
  async idle(): Promise<void> {
    await this.running;
  }

  // ---- replication and reads (RPC) ---------------------------------------------

  /** Definitions as saved by the admin API: new or changed ones are backfilled, removed ones leave in steps. */
  define(put: readonly { id: string; name: string; definition: unknown }[], remove: readonly string[], now: number): void {
    this.options.transaction(() => {
      for (const audience of put) this.store.putAudience(audience.id, audience.definition, now, audience.name);
      for (const id of remove) this.store.removeAudience(id, 0);
    });
  }

  /**
   * A static audience's list on this host: created (or renamed) as `name`,
   * then `add` and `remove` applied (`replace`: whoever is not in `add`
   * leaves). Ids are followed through merges to the profile they are now;
   * ids of no profile here (never seen, erased) are returned as unknown.
   * Entries and exits go to the destinations like a live audience's.
   */
  async list(
    audienceId: string,
    name: string,
    change: { add?: readonly string[]; remove?: readonly string[]; replace?: boolean },
  ): Promise<{ added: number; removed: number; unknown: string[] }> {
    const now = this.options.clock();
    const given = [...new Set([...(change.add ?? []), ...(change.remove ?? [])])];
    const known = await this.options.people.describe(given);
    const withDocument = new Set(this.options.profiles.load([...new Set([...known.values()].map((p) => p.profileId))]).map((s) => s.profile.profileId));
    const current = (id: string) => {
      const profileId = known.get(id)?.profileId;
      return profileId !== undefined && withDocument.has(profileId) ? profileId : undefined;
    };
    const resolve = (ids: readonly string[] | undefined) => (ids ?? []).flatMap((id) => current(id) ?? []);
    const unknown = given.filter((id) => current(id) === undefined);
    const result = this.options.transaction(() => {
      this.store.putList(audienceId, name, now);
      return this.store.changeList(audienceId, { add: resolve(change.add), remove: resolve(change.remove), ...(change.replace ? { replace: true } : {}) }, now);
    });
    return { added: result.added, removed: result.removed, unknown };
  }

  report(ids?: readonly string[], fromDay?: string): HostAudienceReport[] {
    const sizes = this.store.sizes();
    const wanted = ids ? new Set(ids) : undefined;
    return this.store
      .audiences()
      .filter((a) => !wanted || wanted.has(a.audienceId))
      .map((a) => ({
        id: a.audienceId,
        name: a.name,
        definition: a.definition,
        status: a.status,
        size: sizes.get(a.audienceId) ?? 0,
        ...(fromDay !== undefined ? { sizeByDay: this.store.sizeByDay(a.audienceId, fromDay) } : {}),
      }));
  }

  async members(audienceId: string, cursor: string | null, limit: number): Promise<{ members: AudienceMember[]; cursor: string | null }> {
    const page = this.store.members(audienceId, cursor, limit);
    const people = await this.people(
      page.members.map((m) => m.profileId),
      this.options.clock(),
    );
    return {
      members: page.members.flatMap((m) => {
        const person = people.get(m.profileId);
        return person ? [{ ...person, enteredAt: new Date(m.enteredAt).toISOString() }] : [];
      }),
      cursor: page.cursor,
    };
  }

  /**
   * A definition evaluated over at most `limit` of this host's profiles,
   * from a random point of the id space (ids are hashes, so a run of them is
   * a fair sample), without saving anything.
   */
  async preview(definition: Condition, limit: number, sampleSize: number, start: string): Promise<HostPreview> {
    const compiled = compileCondition(definition);
    const now = this.options.clock();
    let subjects = this.options.profiles.page(start, limit);
    if (subjects.length < limit)
      subjects = subjects.concat(this.options.profiles.page('', limit - subjects.length).filter((s) => s.profile.profileId <= start));
    const matched = subjects.filter((s) => membership(compiled, new ProfileFacts(s, this.site), now).member);
    const profiles =
      subjects.length < limit
        ? subjects.length
        : (first<{ n: number }>(this.sql, 'SELECT COUNT(*) AS n FROM profiles WHERE data IS NOT NULL')?.n ?? subjects.length);
    const sampleIds = matched.slice(0, sampleSize).map((s) => s.profile.profileId);
    const people = await this.people(sampleIds, now);
    return { evaluated: subjects.length, profiles, matched: matched.length, sample: sampleIds.flatMap((id) => people.get(id) ?? []) };
  }

  /** A profile's audiences and its facts as conditions see them (admin only). */
  async profileAudiences(
    profileId: string,
  ): Promise<{ audiences: { id: string; name: string; enteredAt: string }[]; facts: Record<string, FactScalar> } | null> {
    const now = this.options.clock();
    const person = (await this.options.people.describe([profileId])).get(profileId);
    const subject = person && this.options.profiles.load([person.profileId])[0];
    if (!person || !subject) return null;
    return {
      audiences: this.store
        .audiencesOf(person.profileId)
        .map((m) => ({ id: m.audienceId, name: this.store.nameOf(m.audienceId) || m.audienceId, enteredAt: new Date(m.enteredAt).toISOString() })),
      facts: describeFacts(new ProfileFacts(subject, this.site), now),
    };
  }

  rfmSummary(): HostRfm {
    return { summary: this.rfm.summary(this.options.clock()), complete: this.rfmBackfilled };
  }

  /**
   * The site's RFM boundaries, as merged from every host's summary. When they
   * moved, only the customers they re-score are evaluated again (in steps,
   * from the alarm), for the audiences that read the metric that moved; and
   * customers who will now reach a recency cut sooner are woken sooner.
   */
  setRfmBoundaries(boundaries: RfmBoundaries): { changed: boolean; queued: number } {
    const before = this.site.rfm;
    if (sameBoundaries(before, boundaries)) return { changed: false, queued: 0 };
    const now = this.options.clock();
    return this.options.transaction(() => {
      this.setState('rfm', boundaries);
      this.site.rfm = boundaries;
      const metrics = new Set(
        [...this.store.audiences()].flatMap((a) => (a.definition ? [...factsRead(a.definition)].filter((f) => f.startsWith('rfm.')) : [])),
      );
      if (metrics.size === 0) return { changed: true, queued: 0 };
      const shift = boundaryShift(before, boundaries);
      const { where, bindings } = this.rfm.rescored(shift, metrics, now);
      this.sql.exec(
        `INSERT INTO audience_reevaluate (profile_id, groups) SELECT profile_id, ? FROM audience_rfm WHERE ${where}
         ON CONFLICT (profile_id) DO UPDATE SET groups = groups | excluded.groups`,
        GROUP.rfm,
        ...bindings,
      );
      const queued = first<{ n: number }>(this.sql, 'SELECT changes() AS n')?.n ?? 0;
      if (metrics.has('rfm.recency')) this.rfm.advanceDueTimes(shift.earlierCuts, now);
      return { changed: true, queued };
    });
  }

  // ---- erasure -----------------------------------------------------------------

  /**
   * Runs an erasure with no hand-off in flight or starting: whatever was
   * handed over before is in the outboxes (where cancelForProfiles finds
   * it), and nothing about the person is handed over after.
   */
  erase<T>(fn: () => Promise<T>): Promise<T> {
    return this.gate.erase(fn);
  }

  /** Inside the erasure's transaction: the profiles leave every audience, silently. */
  forget(profileIds: readonly string[]): void {
    this.store.forget(profileIds, this.options.clock());
    for (const profileId of profileIds) {
      this.rfm.drop(profileId);
      this.sql.exec('DELETE FROM audience_reevaluate WHERE profile_id = ?', profileId);
    }
  }
}

/** The profile part of a destination change or a members row (contract section 7). */
export function deliveredProfile(
  profileId: string,
  person: { userId?: string; anonymousIds: string[] },
  profile: Profile,
  lifecycle: LifecycleThresholds,
  now: number,
): PersonView {
  const { country, region, city } = profile.geo;
  return {
    profileId,
    userId: person.userId ?? null,
    anonymousIds: person.anonymousIds.slice(0, ANONYMOUS_IDS_SHOWN),
    traits: { ...profile.traits },
    region: { ...(country ? { country } : {}), ...(region ? { region } : {}), ...(city ? { city } : {}) },
    lifecycle: audienceLifecycle(lifecycleStage(profile, now, lifecycle)),
  };
}
