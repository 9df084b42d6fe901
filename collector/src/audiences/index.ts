/**
 * Live audiences (contract section 7): the condition language evaluated on
 * a profile, and membership kept where the profile lives.
 *
 * Nothing here assumes one object sees every profile of a site: a profile
 * host (today ShopState, one per site; later profile shards, many per site)
 * keeps the memberships, timers and transitions of its own profiles. Sizes,
 * members and RFM summaries add up across hosts.
 *
 * ## For the host (the Durable Object that holds profiles)
 *
 * Schema: run `AUDIENCE_HOST_MIGRATIONS` (schema-steps/audience-host.ts)
 * with `migrateModule(sql, AUDIENCE_MODULE, …)` after the host's own steps,
 * as profiles/profile-hosting.ts migrateProfileHosting does.
 *
 *   const audiences = new AudienceStore(sql, {
 *     profiles: profilesTableSource(sql),      // or any ProfileSource: load(ids), page(after, limit)
 *     site: () => ({ lifecycle: site.settings.lifecycle, rfm: boundaries }),
 *   });
 *
 * Every call below runs inside the host's transaction, together with the
 * profile write it concerns (ctx.storage.transactionSync).
 *
 * - Definitions, as replicated from the admin API:
 *   `putAudience(id, definition, now): { changed }` (throws on a definition
 *   that does not validate; validate at the API with parseAudienceDefinition
 *   from @trailmark/schema/audience-schema for a 400 that names the path),
 *   `removeAudience(id, limit): { done, removed }` (call until done),
 *   `audiences(): { audienceId, definition, status: 'building' | 'ready' }[]`;
 *   `reload()` after a transaction that changed definitions rolled back.
 * - After applying a batch: for each profile it changed, once,
 *   `applyProfileChange({ profile, userId }, now, changed): { evaluated, transitions }`
 *   where `changed` is the union of `groupsChangedBy(message)` over the
 *   profile's messages (ALL_GROUPS, the default, after a merge). A profile
 *   merged away: `followMerge(fromId, intoId, now)`, `applyProfileChange`
 *   for the survivor, then `dropProfile(fromId, now, intoId)` (its exits
 *   from the audiences the survivor is not in).
 * - Timers: set the alarm to `nextAlarm()` after each transaction that
 *   called the store; in `alarm()`, `wake(Date.now(), limit)` in bounded
 *   steps (`more`: set the alarm to now again). Cost per woken profile: one
 *   document load and its candidate audiences.
 * - Backfill (status `building`): `pendingBackfills()` lists audiences still
 *   to evaluate existing profiles and where they stopped;
 *   `backfillStep(audienceId, cursor, limit, now): { cursor, evaluated, transitions }`
 *   until the cursor is null. Run steps from the alarm, a few hundred
 *   profiles each.
 * - Site inputs changed (lifecycle thresholds, new RFM boundaries that
 *   differ: `sameBoundaries`): `invalidate(GROUP.site)` marks the audiences
 *   that read them for backfill.
 * - Reading: `members(audienceId, cursor, limit): { members: { profileId, enteredAt }[], cursor }`,
 *   `audiencesOf(profileId): { audienceId, enteredAt }[]`,
 *   `sizes(): Map<audienceId, number>`, `sizeByDay(audienceId, fromDay?)`.
 * - Erasure: `forget(profileIds, now)`: memberships, timers and undelivered
 *   transitions of those profiles go, silently.
 * - Outbox: transitions are stored in the same transaction as the
 *   membership change that caused them. After commit (and from the alarm,
 *   for any left over), hand `pendingTransitions(afterSeq, limit)` to the
 *   destinations with `enqueueChanges` (destinations/producer.ts) as
 *   changes with key "aud:" + t.id, type "audience." + t.kind, timestamp
 *   the ISO form of t.at,
 *   then `acknowledgeTransitions(lastSeq)`. Each transition has a stable `id`:
 *   a hand-over retried after a crash resends the same keys (the outbox
 *   takes a key once), and a batch retried by the ingest path finds the
 *   memberships already changed and records nothing new, so each change is
 *   delivered once. Erasure also calls `cancelForProfiles` there.
 * - `now` is the host's clock (Date.now()), not the events' timestamps.
 *
 * ## Pure parts (usable anywhere: preview, the profile API, tests)
 *
 * - `evaluate(definition, facts, now): boolean` and
 *   `nextChange(definition, facts, now): number | undefined`, with
 *   `facts = new ProfileFacts({ profile, userId }, site)`.
 * - `compileCondition(definition)` and `membership(compiled, facts, now)`
 *   for repeated evaluation of one definition (preview over many profiles).
 * - `describeFacts(facts, now)`: the profile's facts as conditions see
 *   them, for `GET /v1/admin/profiles/:id` (admin only: it holds traits).
 * - RFM across hosts: each host fills `emptyRfmSummary(now)` with
 *   `addCustomer(summary, { orders, revenue, lastOrderAt })` per profile,
 *   the summaries merge with `mergeRfmSummaries`, `rfmBoundaries(merged)`
 *   gives the site's boundaries, passed back to every host as `site().rfm`.
 *   Refresh once a day (see rfm.ts for the cost of a change).
 */
export { AudienceIndex, type Audience } from './audience-index';
export { AudienceStore, type AudienceStoreOptions, type Evaluated, type ProfileSource, type Transition, type TransitionKind } from './audience-store';
export { compileCondition, evaluate, isMember, membership, nextChange, type CompiledCondition } from './condition';
export { ALL_GROUPS, factGroups, GROUP, groupsChangedBy } from './fact-groups';
export { describeFacts, MINUTE_MS, ProfileFacts, type AudienceSubject, type FactSite, type FactValue } from './facts';
export { profilesTableSource } from './profile-source';
export {
  addCustomer,
  emptyRfmSummary,
  mergeRfmSummaries,
  rfmBoundaries,
  rfmScore,
  sameBoundaries,
  type RfmBoundaries,
  type RfmMetric,
  type RfmSummary,
} from './rfm';
