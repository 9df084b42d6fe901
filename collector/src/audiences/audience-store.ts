/**
 * Live audience membership on a profile host (the Durable Object that holds
 * profiles), over its SQLite: the audience definitions replicated to it,
 * who is a member since when, the next moment each profile's membership can
 * change with no event (behind the object's alarm), and the transitions
 * (entered / exited) waiting to be handed to destinations.
 *
 * Nothing here assumes the host sees every profile of a site: each host
 * keeps the memberships of its own profiles, sizes add up across hosts.
 *
 * Call every method inside the host's transaction, with the write of the
 * profile it concerns: a transition is recorded exactly when the membership
 * row changes, so a batch retried after a rollback recomputes the same
 * transitions, and a batch retried after a commit finds the memberships
 * already changed and records none. Transitions leave through
 * `pendingTransitions` / `acknowledgeTransitions` (an outbox), each with a
 * stable id for the destination's idempotency key.
 *
 * Its tables are the audience module's schema steps, frozen in
 * schema-steps/audience-host.ts; a host runs them with its own
 * (profiles/profile-hosting.ts migrateProfileHosting).
 */
import type { Condition } from '@trailmark/schema';
import { describeDefinitionIssues, parseAudienceDefinition } from '@trailmark/schema/audience-schema';
import { first, type Sql } from '../lib/sql';
import { AudienceIndex, type Audience } from './audience-index';
import { AudienceWrites } from './audience-writes';
import { compileCondition, membership } from './condition';
import { ALL_GROUPS } from './fact-groups';
import { ProfileFacts, type AudienceSubject, type FactSite } from './facts';
import type { Profile } from '../profiles/profile';

/** How the store reads the host's profiles (for wake-ups and backfills). */
export interface ProfileSource {
  /**
   * The profiles among these ids that exist (any order). `documents`: ones
   * the caller holds already (just written by the same transaction), so only
   * what the source keeps beside them is read.
   */
  load(profileIds: readonly string[], documents?: ReadonlyMap<string, Profile>): AudienceSubject[];
  /** Up to `limit` profiles with an id greater than `afterProfileId`, in id order. */
  page(afterProfileId: string, limit: number): AudienceSubject[];
}

export type TransitionKind = 'entered' | 'exited';

export interface Transition {
  /** Unique and stable across retries: the destination's idempotency key (`webhook-id`). */
  id: string;
  /** Order on this host; acknowledge through it. */
  seq: number;
  kind: TransitionKind;
  audienceId: string;
  profileId: string;
  at: number;
}

export interface AudienceStoreOptions {
  profiles: ProfileSource;
  /** The site's lifecycle thresholds and RFM boundaries, read at each evaluation. */
  site: () => FactSite;
  /** Transition ids; random UUIDs by default. */
  newId?: () => string;
  /**
   * Whether the transitions of an audience are recorded for the
   * destinations (by default, every audience's). A host records only those
   * of audiences some destination takes: the others would be acknowledged
   * at the hand-off without being delivered. Memberships and sizes change
   * either way.
   */
  recordsTransitions?: (audienceId: string) => boolean;
}

export interface Evaluated {
  /** Audiences evaluated (the cost of the call). */
  evaluated: number;
  /** The transitions recorded. */
  transitions: Transition[];
}

/** Bound parameters per lookup: under the Durable Object SQL limit of 100. */
const LOOKUP_CHUNK = 99;

/** A profile to evaluate, and the fact groups that changed (fact-groups.ts). */
export interface ProfileChange {
  subject: AudienceSubject;
  changed: number;
}

export class AudienceStore {
  private index: AudienceIndex;
  /** Static audiences (not being deleted): their members are listed, never evaluated. */
  private listed = new Set<string>();
  private readonly newId: () => string;
  /** Membership writes of the unit of work in progress (see inBulk). */
  private readonly writes: AudienceWrites;
  private bulkDepth = 0;

  constructor(
    private readonly sql: Sql,
    private readonly options: AudienceStoreOptions,
  ) {
    this.newId = options.newId ?? (() => crypto.randomUUID());
    this.writes = new AudienceWrites(sql);
    this.index = this.loadIndex();
  }

  /**
   * Runs `fn` as one unit of work: the membership, size, transition and due
   * time writes of everything it evaluates are kept and written in bulk
   * statements when it ends (audience-writes.ts); nested calls join the
   * outer unit. Every evaluating method runs as one; a host wraps a whole
   * batch (merges and evaluations) in one. Run it inside the transaction.
   */
  inBulk<T>(fn: () => T): T {
    if (this.bulkDepth > 0) return fn();
    this.bulkDepth++;
    try {
      const result = fn();
      this.writes.flush();
      return result;
    } catch (err) {
      // The transaction rolls back: what was kept must not be written by a later unit.
      this.writes.clear();
      throw err;
    } finally {
      this.bulkDepth--;
    }
  }

  /**
   * Reads the definitions again. The index of definitions is kept in memory:
   * after a transaction that changed definitions rolled back, call this (or
   * make a new store) so it matches the database again.
   */
  reload(): void {
    this.index = this.loadIndex();
  }

  private loadIndex(): AudienceIndex {
    const rows = this.sql
      .exec<{ audience_id: string; definition: string; kind: string }>('SELECT audience_id, definition, kind FROM audience_definitions WHERE deleting = 0')
      .toArray();
    this.listed = new Set(rows.filter((row) => row.kind === 'static').map((row) => row.audience_id));
    return new AudienceIndex(
      rows.filter((row) => row.kind !== 'static').map((row) => ({ id: row.audience_id, compiled: compileCondition(JSON.parse(row.definition) as Condition) })),
    );
  }

  // ---- definitions -------------------------------------------------------

  /**
   * Saves a definition (as replicated from the admin API). A new or changed
   * definition takes effect at once for events and wake-ups, and existing
   * profiles are evaluated by `backfillStep` (status `building` until done).
   */
  putAudience(audienceId: string, definition: unknown, now: number, name?: string): { changed: boolean } {
    const parsed = parseAudienceDefinition(definition);
    if (!parsed.ok) throw new Error(`audience ${audienceId}: ${describeDefinitionIssues(parsed.issues)}`);
    const json = JSON.stringify(parsed.definition);
    const current = first<{ definition: string; deleting: number; name: string; kind: string }>(
      this.sql,
      'SELECT definition, deleting, name, kind FROM audience_definitions WHERE audience_id = ?',
      audienceId,
    );
    if (current?.kind === 'static' && !current.deleting) throw new Error(`audience ${audienceId} is a static list; delete it before defining it by conditions`);
    if (current && current.definition === json && !current.deleting) {
      // A new name alone changes no membership.
      if (name !== undefined && name !== current.name) this.sql.exec('UPDATE audience_definitions SET name = ? WHERE audience_id = ?', name, audienceId);
      return { changed: false };
    }
    this.sql.exec(
      `INSERT INTO audience_definitions (audience_id, definition, backfill_after, deleting, updated_at, name, kind) VALUES (?, ?, '', 0, ?, ?, 'live')
       ON CONFLICT (audience_id) DO UPDATE SET definition = excluded.definition, backfill_after = '', deleting = 0, updated_at = excluded.updated_at,
         name = COALESCE(?, name), kind = 'live'`,
      audienceId,
      json,
      now,
      name ?? '',
      name ?? null,
    );
    this.sql.exec('INSERT OR IGNORE INTO audience_sizes (audience_id, members) VALUES (?, 0)', audienceId);
    this.index = this.loadIndex();
    return { changed: true };
  }

  /**
   * Creates (or renames) a static audience: no definition, no backfill; its
   * members come from `changeList`. Throws over a live audience of that id
   * (the API refuses it first).
   */
  putList(audienceId: string, name: string, now: number): { created: boolean } {
    const current = first<{ kind: string; deleting: number }>(this.sql, 'SELECT kind, deleting FROM audience_definitions WHERE audience_id = ?', audienceId);
    if (current && !current.deleting && current.kind !== 'static')
      throw new Error(`audience ${audienceId} is defined by conditions; delete it before listing its members`);
    if (current?.deleting) {
      // Members of the deleted audience still being removed: finish that first, so the list starts empty.
      while (!this.removeAudience(audienceId, 1000).done);
    }
    this.sql.exec(
      `INSERT INTO audience_definitions (audience_id, definition, backfill_after, deleting, updated_at, name, kind) VALUES (?, 'null', NULL, 0, ?, ?, 'static')
       ON CONFLICT (audience_id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at`,
      audienceId,
      now,
      name,
    );
    this.sql.exec('INSERT OR IGNORE INTO audience_sizes (audience_id, members) VALUES (?, 0)', audienceId);
    if (!this.listed.has(audienceId)) this.index = this.loadIndex();
    return { created: !current || current.deleting === 1 };
  }

  /** Whether an audience is a static list on this host. */
  isList(audienceId: string): boolean {
    return this.listed.has(audienceId);
  }

  /**
   * Adds and removes members of a static audience (profile ids as they are
   * now, of profiles on this host), recording an entry or exit for each
   * change. `replace`: everyone else leaves. Returns the changes made.
   */
  changeList(
    audienceId: string,
    change: { add?: readonly string[]; remove?: readonly string[]; replace?: boolean },
    now: number,
  ): { added: number; removed: number; transitions: Transition[] } {
    if (!this.listed.has(audienceId)) throw new Error(`audience ${audienceId} is not a static list on this host`);
    return this.inBulk(() => this.changeListMembers(audienceId, change, now));
  }

  private changeListMembers(
    audienceId: string,
    change: { add?: readonly string[]; remove?: readonly string[]; replace?: boolean },
    now: number,
  ): { added: number; removed: number; transitions: Transition[] } {
    // Rows are read below: what the unit kept so far is written first.
    this.writes.flush();
    const add = new Set(change.add ?? []);
    const remove = new Set(change.remove ?? []);
    if (change.replace) {
      for (const { profile_id } of this.sql
        .exec<{ profile_id: string }>('SELECT profile_id FROM audience_members WHERE audience_id = ?', audienceId)
        .toArray()) {
        if (!add.has(profile_id)) remove.add(profile_id);
      }
    }
    const transitions: Transition[] = [];
    const isMember = (profileId: string) =>
      first(this.sql, 'SELECT 1 AS x FROM audience_members WHERE audience_id = ? AND profile_id = ?', audienceId, profileId) !== undefined;
    let added = 0;
    let removed = 0;
    // Counted by the membership changed, whether or not its transition is recorded for a destination.
    for (const profileId of remove) {
      if (add.has(profileId) || !isMember(profileId)) continue;
      const transition = this.settle(audienceId, profileId, true, false, now);
      if (transition) transitions.push(transition);
      removed++;
    }
    for (const profileId of add) {
      if (isMember(profileId)) continue;
      const transition = this.settle(audienceId, profileId, false, true, now);
      if (transition) transitions.push(transition);
      added++;
    }
    return { added, removed, transitions };
  }

  /**
   * An identity merge: the merged-away profile's places on static lists go
   * to the profile it joined (recorded as an entry of that profile when it
   * was not listed; the merged-away one leaves silently by
   * `dropProfile(from, now, into)`). Call before dropProfile.
   */
  followMerge(fromProfileId: string, intoProfileId: string, now: number): Transition[] {
    if (this.listed.size === 0 || fromProfileId === intoProfileId) return [];
    return this.inBulk(() => this.moveListPlaces(fromProfileId, intoProfileId, now));
  }

  private moveListPlaces(fromProfileId: string, intoProfileId: string, now: number): Transition[] {
    const transitions: Transition[] = [];
    // Memberships are read below (a chain of merges in one batch reads what the previous one changed).
    this.writes.flush();
    const into = this.membersOf(intoProfileId);
    for (const audienceId of this.membersOf(fromProfileId).keys()) {
      if (!this.listed.has(audienceId) || into.has(audienceId)) continue;
      const transition = this.settle(audienceId, intoProfileId, false, true, now);
      if (transition) transitions.push(transition);
    }
    return transitions;
  }

  /**
   * Deletes an audience in bounded steps: it stops being evaluated at once;
   * its membership rows go `limit` at a time. Call again until `done`. No
   * transitions are recorded: the audience is gone, not its members.
   */
  removeAudience(audienceId: string, limit: number): { done: boolean; removed: number } {
    this.sql.exec('UPDATE audience_definitions SET deleting = 1 WHERE audience_id = ?', audienceId);
    if (this.index.get(audienceId) || this.listed.has(audienceId)) this.index = this.loadIndex();
    const ids = this.sql
      .exec<{ profile_id: string }>('SELECT profile_id FROM audience_members WHERE audience_id = ? LIMIT ?', audienceId, limit)
      .toArray()
      .map((r) => r.profile_id);
    for (const profileId of ids) this.sql.exec('DELETE FROM audience_members WHERE audience_id = ? AND profile_id = ?', audienceId, profileId);
    if (ids.length < limit) {
      this.sql.exec('DELETE FROM audience_definitions WHERE audience_id = ?', audienceId);
      this.sql.exec('DELETE FROM audience_sizes WHERE audience_id = ?', audienceId);
      this.sql.exec('DELETE FROM audience_size_days WHERE audience_id = ?', audienceId);
      return { done: true, removed: ids.length };
    }
    return { done: false, removed: ids.length };
  }

  /** How many audiences are defined (not being deleted): none means no event needs evaluating. */
  get audienceCount(): number {
    return this.index.size;
  }

  /** The audience's name as last replicated ('' when none was given), or undefined once it is gone. */
  nameOf(audienceId: string): string | undefined {
    return first<{ name: string }>(this.sql, 'SELECT name FROM audience_definitions WHERE audience_id = ?', audienceId)?.name;
  }

  /** Audiences whose members are still being removed (removeAudience until done). */
  pendingRemovals(): string[] {
    return this.sql
      .exec<{ audience_id: string }>('SELECT audience_id FROM audience_definitions WHERE deleting = 1 ORDER BY audience_id')
      .toArray()
      .map((r) => r.audience_id);
  }

  /** Whether transitions wait to be handed to the destinations. */
  hasPendingTransitions(): boolean {
    return first(this.sql, 'SELECT 1 AS x FROM audience_transitions LIMIT 1') !== undefined;
  }

  /** The definitions on this host (null for a static list) and whether each has evaluated every profile. */
  audiences(): { audienceId: string; name: string; definition: Condition | null; status: 'building' | 'ready' }[] {
    return this.sql
      .exec<{ audience_id: string; name: string; definition: string; backfill_after: string | null }>(
        'SELECT audience_id, name, definition, backfill_after FROM audience_definitions WHERE deleting = 0 ORDER BY audience_id',
      )
      .toArray()
      .map((r) => ({
        audienceId: r.audience_id,
        name: r.name,
        definition: JSON.parse(r.definition) as Condition | null,
        status: r.backfill_after === null ? 'ready' : 'building',
      }));
  }

  /** Audiences still evaluating existing profiles, with the profile id they continue after. */
  pendingBackfills(): { audienceId: string; cursor: string }[] {
    return this.sql
      .exec<{ audience_id: string; backfill_after: string }>(
        'SELECT audience_id, backfill_after FROM audience_definitions WHERE backfill_after IS NOT NULL AND deleting = 0 ORDER BY audience_id',
      )
      .toArray()
      .map((r) => ({ audienceId: r.audience_id, cursor: r.backfill_after }));
  }

  /**
   * Site inputs changed (fact-groups GROUP.site: lifecycle thresholds; GROUP.rfm: RFM
   * boundaries): the audiences reading them are evaluated again over every
   * profile, by backfill. Returns their ids.
   */
  invalidate(groups: number): string[] {
    const ids = [...this.index.all()].filter((a) => a.compiled.groups & groups).map((a) => a.id);
    for (const id of ids) this.sql.exec(`UPDATE audience_definitions SET backfill_after = '' WHERE audience_id = ?`, id);
    return ids;
  }

  // ---- evaluation ----------------------------------------------------------

  /**
   * After a profile changed (its events applied, or merged): evaluates the
   * audiences whose membership may have changed, records transitions, and
   * keeps the profile's next due time. `changed` is the union of
   * `groupsChangedBy` of the applied messages (ALL_GROUPS after a merge or
   * when unknown).
   */
  applyProfileChange(subject: AudienceSubject, now: number, changed = ALL_GROUPS): Evaluated {
    return this.applyProfileChanges([{ subject, changed }], now);
  }

  /**
   * applyProfileChange for several profiles at once (a batch's, a wake-up
   * step's): their memberships are read in one lookup and every change is
   * written in bulk at the end.
   */
  applyProfileChanges(changes: readonly ProfileChange[], now: number): Evaluated {
    return this.inBulk(() => {
      // Memberships are read below: what the unit changed so far (merges) is written first.
      this.writes.flush();
      const site = this.options.site();
      const memberships = this.membersOfMany(changes.map((c) => c.subject.profile.profileId));
      const seen = new Set<string>();
      let evaluated = 0;
      const transitions: Transition[] = [];
      for (const { subject, changed } of changes) {
        const profileId = subject.profile.profileId;
        let members = memberships.get(profileId) ?? new Map<string, number>();
        if (seen.has(profileId)) {
          // The same profile again: what its first evaluation changed is written first, and read back.
          this.writes.flush();
          members = this.membersOf(profileId);
        }
        seen.add(profileId);
        const result = this.evaluateProfile(subject, site, members, now, changed);
        evaluated += result.evaluated;
        transitions.push(...result.transitions);
      }
      return { evaluated, transitions };
    });
  }

  private evaluateProfile(subject: AudienceSubject, site: FactSite, members: ReadonlyMap<string, number>, now: number, changed: number): Evaluated {
    const profileId = subject.profile.profileId;
    const facts = new ProfileFacts(subject, site);
    const { audiences, complete } = this.index.candidates(facts, changed, members.keys());
    let next = Infinity;
    const transitions: Transition[] = [];
    for (const audience of audiences) {
      const result = membership(audience.compiled, facts, now);
      next = Math.min(next, result.next);
      const transition = this.settle(audience.id, profileId, members.has(audience.id), result.member, now);
      if (transition) transitions.push(transition);
    }
    // With every timed audience of the profile evaluated, its due time is exact; otherwise the ones left out keep theirs (the next wake-up may come early, never late).
    this.setDue(profileId, next, complete ? 'replace' : 'lower');
    return { evaluated: audiences.length, transitions };
  }

  /** When the host's alarm should fire: the earliest due time, or undefined. */
  nextAlarm(): number | undefined {
    return first<{ due_at: number }>(this.sql, 'SELECT due_at FROM audience_due ORDER BY due_at LIMIT 1')?.due_at;
  }

  /**
   * Evaluates up to `limit` profiles whose due time has come. `more` says
   * others are due already: set the alarm to now again (or loop), otherwise
   * to `nextAlarm()`.
   */
  wake(now: number, limit: number): Evaluated & { profiles: number; more: boolean } {
    return this.inBulk(() => this.wakeStep(now, limit));
  }

  private wakeStep(now: number, limit: number): Evaluated & { profiles: number; more: boolean } {
    const due = this.sql
      .exec<{ profile_id: string }>('SELECT profile_id FROM audience_due WHERE due_at <= ? ORDER BY due_at LIMIT ?', now, limit)
      .toArray()
      .map((r) => r.profile_id);
    const subjects = due.length ? this.options.profiles.load(due) : [];
    const found = new Set(subjects.map((s) => s.profile.profileId));
    for (const profileId of due) if (!found.has(profileId)) this.sql.exec('DELETE FROM audience_due WHERE profile_id = ?', profileId);
    const { evaluated, transitions } = this.applyProfileChanges(
      subjects.map((subject) => ({ subject, changed: ALL_GROUPS })),
      now,
    );
    // The new due times are read back below.
    this.writes.flush();
    const soonest = this.nextAlarm();
    return { profiles: due.length, evaluated, transitions, more: soonest !== undefined && soonest <= now };
  }

  /**
   * Evaluates one audience over up to `limit` existing profiles after
   * `cursor` (null or '' to start). Returns the cursor to continue from, null
   * when every profile has been evaluated (status `ready`).
   */
  backfillStep(audienceId: string, cursor: string | null, limit: number, now: number): Evaluated & { cursor: string | null } {
    return this.inBulk(() => this.backfillPage(audienceId, cursor, limit, now));
  }

  private backfillPage(audienceId: string, cursor: string | null, limit: number, now: number): Evaluated & { cursor: string | null } {
    const audience = this.index.get(audienceId);
    if (!audience) return { cursor: null, evaluated: 0, transitions: [] };
    const subjects = this.options.profiles.page(cursor ?? '', limit);
    const site = this.options.site();
    const transitions: Transition[] = [];
    let evaluated = 0;
    for (const subject of subjects) {
      const profileId = subject.profile.profileId;
      const isMember = first(this.sql, 'SELECT 1 AS x FROM audience_members WHERE audience_id = ? AND profile_id = ?', audienceId, profileId) !== undefined;
      const facts = new ProfileFacts(subject, site);
      if (!isMember && !guardMet(audience, facts)) continue;
      evaluated++;
      const result = membership(audience.compiled, facts, now);
      this.setDue(profileId, result.next, 'lower');
      const transition = this.settle(audienceId, profileId, isMember, result.member, now);
      if (transition) transitions.push(transition);
    }
    const next = subjects.length < limit ? null : subjects[subjects.length - 1]!.profile.profileId;
    this.sql.exec('UPDATE audience_definitions SET backfill_after = ? WHERE audience_id = ?', next, audienceId);
    return { cursor: next, evaluated, transitions };
  }

  private membersOf(profileId: string): Map<string, number> {
    return this.membersOfMany([profileId]).get(profileId) ?? new Map();
  }

  /** Each profile's memberships (audience → entered at), in one lookup per chunk of ids. */
  private membersOfMany(profileIds: readonly string[]): Map<string, Map<string, number>> {
    const out = new Map<string, Map<string, number>>();
    for (let i = 0; i < profileIds.length; i += LOOKUP_CHUNK) {
      const ids = profileIds.slice(i, i + LOOKUP_CHUNK);
      const rows = this.sql.exec<{ profile_id: string; audience_id: string; entered_at: number }>(
        `SELECT profile_id, audience_id, entered_at FROM audience_members WHERE profile_id IN (${ids.map(() => '?').join(', ')})`,
        ...ids,
      );
      for (const row of rows) {
        let members = out.get(row.profile_id);
        if (!members) out.set(row.profile_id, (members = new Map()));
        members.set(row.audience_id, row.entered_at);
      }
    }
    return out;
  }

  /**
   * Brings one membership row in line with the evaluation; the transition if
   * it changed and is recorded (written when the unit ends). `record` false:
   * the row and size change, no transition (a merged-away profile whose
   * survivor is a member).
   */
  private settle(audienceId: string, profileId: string, was: boolean, is: boolean, now: number, record = true): Transition | undefined {
    if (was === is) return undefined;
    if (is) this.writes.enter(audienceId, profileId, now);
    else this.writes.leave(audienceId, profileId);
    this.writes.count(audienceId, is ? 1 : -1, now);
    if (!record || (this.options.recordsTransitions && !this.options.recordsTransitions(audienceId))) return undefined;
    // Its seq is known once written.
    const transition: Transition = { id: this.newId(), seq: 0, kind: is ? 'entered' : 'exited', audienceId, profileId, at: now };
    this.writes.record(transition);
    return transition;
  }

  /** replace: the exact next due time; lower: only ever earlier (other audiences keep theirs). */
  private setDue(profileId: string, next: number, mode: 'replace' | 'lower'): void {
    if (!Number.isFinite(next)) {
      if (mode === 'replace') this.writes.setDue(profileId, { mode: 'delete' });
      return;
    }
    this.writes.setDue(profileId, { mode, at: next });
  }

  // ---- reading -------------------------------------------------------------

  /** Members of an audience on this host in profile id order, `limit` at a time; `cursor` continues. */
  members(audienceId: string, cursor: string | null, limit: number): { members: { profileId: string; enteredAt: number }[]; cursor: string | null } {
    const rows = this.sql
      .exec<{ profile_id: string; entered_at: number }>(
        'SELECT profile_id, entered_at FROM audience_members WHERE audience_id = ? AND profile_id > ? ORDER BY profile_id LIMIT ?',
        audienceId,
        cursor ?? '',
        limit + 1,
      )
      .toArray();
    const page = rows.slice(0, limit);
    return {
      members: page.map((r) => ({ profileId: r.profile_id, enteredAt: r.entered_at })),
      cursor: rows.length > limit ? page[page.length - 1]!.profile_id : null,
    };
  }

  /** The audiences a profile belongs to, with when it entered each. */
  audiencesOf(profileId: string): { audienceId: string; enteredAt: number }[] {
    return [...this.membersOf(profileId)]
      .filter(([audienceId]) => this.index.get(audienceId) || this.listed.has(audienceId))
      .map(([audienceId, enteredAt]) => ({ audienceId, enteredAt }))
      .sort((a, b) => (a.audienceId < b.audienceId ? -1 : 1));
  }

  /** Members per audience on this host (add the hosts' figures for the site's). */
  sizes(): Map<string, number> {
    const rows = this.sql.exec<{ audience_id: string; members: number }>(
      'SELECT s.audience_id, s.members FROM audience_sizes s JOIN audience_definitions d ON d.audience_id = s.audience_id WHERE d.deleting = 0',
    );
    return new Map([...rows].map((r) => [r.audience_id, r.members]));
  }

  /** Members at the end of each day with a change, from `fromDay` (YYYY-MM-DD). A day without a row kept the previous day's size. */
  sizeByDay(audienceId: string, fromDay = '0000-00-00'): { day: string; members: number }[] {
    return this.sql
      .exec<{ day: string; members: number }>(
        'SELECT day, members FROM audience_size_days WHERE audience_id = ? AND day >= ? ORDER BY day',
        audienceId,
        fromDay,
      )
      .toArray();
  }

  // ---- leaving -------------------------------------------------------------

  /**
   * A profile merged into another: it leaves its audiences, recorded as
   * exits. `survivor`: the profile it joined, evaluated (and its list places
   * moved by followMerge) before this call. Where the survivor is a member,
   * the person moved rather than left: the exit is not recorded (the size
   * still drops by one), so no destination is told that the person who is
   * still in the audience left it. Delivered, an exit of the merged-away
   * profile describes the person it joined (their userId, traits).
   */
  dropProfile(profileId: string, now: number, survivor?: string): Transition[] {
    return this.inBulk(() => this.drop(profileId, now, survivor));
  }

  private drop(profileId: string, now: number, survivor: string | undefined): Transition[] {
    const transitions: Transition[] = [];
    // Its memberships (and the survivor's) are read below, with what the unit changed so far (a place on a list it just took by a merge).
    this.writes.flush();
    const stays = survivor !== undefined && survivor !== profileId ? this.membersOf(survivor) : new Map<string, number>();
    for (const audienceId of this.membersOf(profileId).keys()) {
      if (!this.index.get(audienceId) && !this.listed.has(audienceId)) {
        this.sql.exec('DELETE FROM audience_members WHERE audience_id = ? AND profile_id = ?', audienceId, profileId);
        continue;
      }
      const transition = this.settle(audienceId, profileId, true, false, now, !stays.has(audienceId));
      if (transition) transitions.push(transition);
    }
    this.writes.setDue(profileId, { mode: 'delete' });
    return transitions;
  }

  /**
   * Erasure: the profiles leave every audience without a trace: no exit is
   * recorded and transitions about them not yet acknowledged are cancelled.
   * Returns the memberships removed.
   */
  forget(profileIds: readonly string[], now: number): number {
    return this.inBulk(() => {
      // Transitions kept by an enclosing unit are written first, so they are deleted below with the rest.
      this.writes.flush();
      let removed = 0;
      const memberships = this.membersOfMany(profileIds);
      for (const profileId of new Set(profileIds)) {
        for (const audienceId of memberships.get(profileId)?.keys() ?? []) {
          this.writes.leave(audienceId, profileId);
          this.writes.count(audienceId, -1, now);
          removed++;
        }
        this.writes.setDue(profileId, { mode: 'delete' });
        this.sql.exec('DELETE FROM audience_transitions WHERE profile_id = ?', profileId);
      }
      return removed;
    });
  }

  // ---- outbox --------------------------------------------------------------

  /** Transitions not yet acknowledged, oldest first, after `afterSeq`. */
  pendingTransitions(afterSeq: number, limit: number): Transition[] {
    return this.sql
      .exec<{ seq: number; transition_id: string; audience_id: string; profile_id: string; kind: string; at: number }>(
        'SELECT seq, transition_id, audience_id, profile_id, kind, at FROM audience_transitions WHERE seq > ? ORDER BY seq LIMIT ?',
        afterSeq,
        limit,
      )
      .toArray()
      .map((r) => ({ id: r.transition_id, seq: r.seq, kind: r.kind as TransitionKind, audienceId: r.audience_id, profileId: r.profile_id, at: r.at }));
  }

  /** The destinations' outbox has taken every transition up to `seq`. */
  acknowledgeTransitions(throughSeq: number): void {
    this.sql.exec('DELETE FROM audience_transitions WHERE seq <= ?', throughSeq);
  }
}

function guardMet(audience: Audience, facts: ProfileFacts): boolean {
  const guard = audience.guard;
  return !guard || guard.leaf.test(guard.leaf.reader.read(facts, 0));
}
