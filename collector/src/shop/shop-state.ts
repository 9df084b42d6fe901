/**
 * ShopState: one Durable Object per site, holding the shop's live state
 * (shop-model.ts) in its own SQLite. IngestShards feed it in batches, each
 * applied in one transaction; recommendation requests read it directly, so a
 * shopper's own events count within the drain delay, and the read does a
 * bounded number of indexed lookups.
 *
 * It is also the profile host of the site's audiences (audiences/
 * audience-host.ts): memberships change in the same transaction as the
 * profiles, and its alarm wakes profiles whose time conditions come due.
 * And of the site's campaigns (campaigns/campaign-host.ts): assignments and
 * outcomes next to the memberships they come from.
 */
import { ProfileHostObject } from '../profiles/profile-host-object';
import { AGGREGATE_OUTBOX_MIGRATIONS, AGGREGATE_OUTBOX_MODULE } from '../aggregates/aggregate-outbox';
import { aggregateShardStub } from '../aggregates/aggregate-shard';
import { ShardedAggregates } from '../aggregates/sharded-aggregates';
import type {
  CampaignDefinition,
  CatalogItem,
  Condition,
  LifecycleStage,
  LifecycleThresholds,
  ProfileView,
  RecommendationResponse,
  StoredMessage,
} from '@trailmark/schema';
import type { AudienceHost } from '../audiences/audience-host';
import { identityTablesPeople } from '../audiences/profile-source';
import type { CampaignHost } from '../campaigns/campaign-host';
import { hostProfiles, migrateProfileHosting } from '../profiles/profile-hosting';
import type { ProductFacts } from '../catalog/product-facts';
import type { IdKind } from '../identity/resolve-profile';
import { hashIds, idsOfMessage, type IdHash } from '../identity/suppression';
import type { Alarms } from '../lib/alarms';
import { migrate, migrateModule } from '../lib/migrate';
import { callObject } from '../lib/object-call';
import { findSite } from '../sites/site-directory';
import {
  DEFAULT_SHOP_POLICY,
  SHOP_MIGRATIONS,
  ShopModel,
  type IngestItem,
  type IngestOutcome,
  type LearnItem,
  type RecommendInput,
  type ShopPolicy,
} from './shop-model';
import { identityDirectoryStub } from '../identity/identity-directory';
import { idsToLookUp, LookedUpIdentities } from '../identity/looked-up-identities';
import { profileShardOf, profileShardStub } from '../profiles/profile-shard';
import type { Profile } from '../profiles/profile';
import { PROFILE_LAYOUT_MIGRATIONS, PROFILE_LAYOUT_MODULE, ProfileLayout } from './profile-layout';
import { INGEST_SETTLED_MIGRATIONS, INGEST_SETTLED_MODULE, IngestSettled } from './ingest-settled';
import { pendingEventsOf, pendingIds } from '../recommend/pending-events';
import { ingestShardName } from '../storage/ingest-shard-choice';

export type { IngestItem, IngestOutcome } from './shop-model';

export interface Erasure {
  profileIds: string[];
  anonymousIds: string[];
  userIds: string[];
  idHashes: IdHash[];
}

/**
 * What the recommendation route asks ShopState: the request, with the
 * browser's pending events as the shard holds them, or instead the ack
 * token's shard and seq (recommend/ack-token.ts): then ShopState asks the
 * shard only if that row is not applied yet.
 */
export type ShopRecommendInput = Omit<RecommendInput, 'pending'> & { pending?: StoredMessage[]; ack?: { shard: number; seq: number } };

export class ShopState extends ProfileHostObject {
  private readonly model: ShopModel;
  private lastPrune = 0;
  protected readonly audiences: AudienceHost;
  protected readonly campaigns: CampaignHost;
  protected readonly alarms: Alarms;
  /** The recommendation aggregates when the site keeps them in shards of their own (aggregates/). */
  private readonly sharded: ShardedAggregates;
  /** The site's aggregateShards setting, as of the last batch's policy. */
  private wantedAggregateShards = 0;
  /** The site's profileShards setting, as of the last batch's policy. */
  private wantedProfileShards = 0;
  /** Where the site's profiles live: here, or in profile shards with an identity directory (profile-layout.ts). */
  private readonly layout: ProfileLayout;
  /** How far each ingest shard has settled (ingest-settled.ts): whether a request's ack token is applied. */
  private readonly settled: IngestSettled;
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Synchronous, before anything reads the tables (the audience host does as it is made).
    ctx.storage.transactionSync(() => {
      migrate(ctx.storage.sql, SHOP_MIGRATIONS);
      migrateProfileHosting(ctx.storage.sql);
      migrateModule(ctx.storage.sql, AGGREGATE_OUTBOX_MODULE, AGGREGATE_OUTBOX_MIGRATIONS);
      migrateModule(ctx.storage.sql, PROFILE_LAYOUT_MODULE, PROFILE_LAYOUT_MIGRATIONS);
      migrateModule(ctx.storage.sql, INGEST_SETTLED_MODULE, INGEST_SETTLED_MIGRATIONS);
    });
    this.model = new ShopModel(ctx.storage.sql);
    this.settled = new IngestSettled(ctx.storage.sql);
    const writeKey = ctx.id.name ?? '';
    this.layout = new ProfileLayout({
      sql: ctx.storage.sql,
      transaction: (fn) => ctx.storage.transactionSync(fn),
      exclusive: (fn) => ctx.blockConcurrencyWhile(fn),
      directory: () => identityDirectoryStub(env, writeKey),
      shard: (index) => profileShardStub(env, writeKey, index),
    });
    ({
      audiences: this.audiences,
      campaigns: this.campaigns,
      alarms: this.alarms,
    } = hostProfiles(ctx, env, {
      writeKey,
      profile: (profileId) => this.model.profiles.find(profileId),
      people: identityTablesPeople(ctx.storage.sql),
      clock: () => this.clock(),
    }));
    this.sharded = new ShardedAggregates({
      sql: ctx.storage.sql,
      transaction: (fn) => ctx.storage.transactionSync(fn),
      exclusive: (fn) => ctx.blockConcurrencyWhile(fn),
      shard: (index) => aggregateShardStub(env, writeKey, index),
      clock: () => this.clock(),
    });
    this.alarms.add(this.sharded);
  }

  /** Answers when the object is reachable; the shards' health probe. */
  ping(): true {
    return true;
  }

  async ingest(items: IngestItem[]): Promise<IngestOutcome> {
    const policy = await this.policy();
    // Profiles in shards (or asked to move there): the drain applies the batch through them (profiles/profile-drain.ts).
    const profileShards = await this.layout.prepare(this.wantedProfileShards);
    if (profileShards > 0) return { profileIds: [], merges: [], attributions: [], profileShards };
    await this.audiences.refreshSite();
    await this.campaigns.refreshSite();
    const audienceNow = this.clock();
    // The aggregate rows go to the shards' outbox, in the batch's transaction, when the site keeps them there.
    const aggregateShards = await this.sharded.prepare(this.wantedAggregateShards);
    this.model.aggregates.sink = this.sharded.sinkFor(aggregateShards);
    const outcome = this.ctx.storage.transactionSync(() => {
      const applied = this.model.ingest(items, policy);
      // Memberships change with the profiles, in the same transaction: a retried batch records no transition twice.
      // A repeated order (seen-orders.ts) changed no profile: audiences and campaigns do not see it either.
      const appliedMessages = items.flatMap((item, i) =>
        applied.repeatedOrders?.[i] ? [] : [{ message: item.message, profileId: applied.profileIds[i] ?? null }],
      );
      this.audiences.afterApply(appliedMessages, applied.merges, audienceNow, this.model.profiles.written());
      // Then campaigns: new members of a running campaign's audience are assigned, and the batch's outcomes credited.
      this.campaigns.afterApply(appliedMessages, applied.merges, audienceNow);
      return applied;
    });
    if (aggregateShards > 0) await this.sharded.deliver();
    await this.alarms.reschedule();
    const now = Date.now();
    if (now - this.lastPrune > 3600_000) {
      this.lastPrune = now;
      this.model.pruneApplied(now);
    }
    return outcome;
  }

  /**
   * The shop-wide part of a batch applied in profile shards (catalog,
   * aggregates, session index), each messageId once: profiles/profile-drain.ts.
   */
  async learnEffects(items: LearnItem[]): Promise<void> {
    const policy = await this.policy();
    const aggregateShards = await this.sharded.prepare(this.wantedAggregateShards);
    this.model.aggregates.sink = this.sharded.sinkFor(aggregateShards);
    this.ctx.storage.transactionSync(() => this.model.learnEffects(items, policy));
    if (aggregateShards > 0) await this.sharded.deliver();
    await this.alarms.reschedule();
  }

  /** Ingest shard `shard` has settled every pending row below `below` (storage/ingest-shard.ts tells after its drains). */
  ingestSettled(shard: number, below: number): void {
    this.settled.record(shard, below);
  }

  /** The profile shards of the site; 0: its profiles are here. */
  profileShards(): number {
    return this.layout.shards();
  }

  /** Moves the site's profiles to `shards` profile shards now (a batch would, on its way); the admin's and tests' handle. */
  async moveProfilesToShards(shards: number): Promise<{ moved: number }> {
    return this.layout.moveToShards(shards);
  }

  /**
   * What the site's settings say about applying its events, read through the
   * site directory's cache (a change reaches here within its 15 seconds).
   * This object is named after the site's write key.
   */
  private async policy(): Promise<ShopPolicy> {
    const writeKey = this.ctx.id.name;
    const site = writeKey ? await findSite(this.env, writeKey) : null;
    this.wantedAggregateShards = site?.settings.aggregateShards ?? 0;
    this.wantedProfileShards = site?.settings.profileShards ?? 0;
    if (!site) return DEFAULT_SHOP_POLICY;
    return {
      catalog: { learn: site.settings.learnCatalog, allowedOrigins: site.allowedOrigins, assetHosts: site.settings.assetHosts },
      currency: site.settings.currency,
      identityVerification: site.settings.identityVerification,
    };
  }

  /**
   * The slot's items. `input.pending` holds the browser's not-yet-drained
   * events (read-your-writes); their ids are hashed here, as the drain does,
   * so the events of an erased person are left out as the drain will.
   */
  async recommend(input: ShopRecommendInput): Promise<RecommendationResponse> {
    const { ack, pending: given, ...rest } = input;
    const pending = given ?? (ack ? await this.pendingAfter(ack, input) : undefined);
    const cache = new Map<string, Promise<string>>();
    const items = pending?.length
      ? await Promise.all(pending.map(async (message) => ({ message, idHashes: await hashIds(input.writeKey, idsOfMessage(message), cache) })))
      : undefined;
    const request = items ? { ...rest, pending: items } : rest;
    const people = this.layout.shards() > 0 ? await this.shardedPeople(input, pending ?? []) : undefined;
    const audiences = people?.audiences ?? this.audiences.store;
    // Aggregates in shards: ranked over snapshots of them (aggregates/snapshot-reader.ts).
    if (this.sharded.shards() > 0) return this.sharded.rank((aggregates) => this.model.recommend(request, audiences, aggregates, people));
    return this.model.recommend(request, audiences, undefined, people);
  }

  /**
   * The browser's pending events when its ack token is not applied yet
   * (read from the shard, as the route does without a token); none when the
   * token's row has settled: the browser has sent nothing since (the tag
   * drops its token when it sends), so everything it sent is stored here.
   * (Not necessarily everything with its ids: events sent for it by someone
   * else, such as the shop's server, count once stored; ack-token.ts.)
   */
  private async pendingAfter(ack: { shard: number; seq: number }, ids: ShopRecommendInput): Promise<StoredMessage[] | undefined> {
    if (this.settled.covers(ack.shard, ack.seq)) return undefined;
    return pendingEventsOf(() => this.env.INGEST_SHARD.getByName(ingestShardName(this.writeKey(), ack.shard)), pendingIds(ids));
  }

  /** A call to the site's identity directory that is safe to repeat, retried after a transient failure (lib/object-call.ts). */
  private directoryRead<T>(method: string, call: (directory: ReturnType<typeof identityDirectoryStub>) => PromiseLike<T>): Promise<T> {
    return callObject(() => identityDirectoryStub(this.env, this.writeKey()), call, { label: `identity directory ${method}` });
  }

  /** The same for profile shard `shard`. */
  private profileShardRead<T>(shard: number, method: string, call: (profiles: ReturnType<typeof profileShardStub>) => PromiseLike<T>): Promise<T> {
    return callObject(() => profileShardStub(this.env, this.writeKey(), shard), call, { label: `profile shard ${method}` });
  }

  /** The answer as JSON text (the recommendation route sends it on as it is: recommend/serve.ts). */
  async recommendJson(input: ShopRecommendInput): Promise<string> {
    return JSON.stringify(await this.recommend(input));
  }

  /**
   * For a site whose profiles live in shards: the links of the request's ids
   * and of its pending events (one directory call) and the documents they
   * lead to (one call per shard holding one; usually a single one).
   */
  private async shardedPeople(ids: { anonymousId?: string; userId?: string }, pending: StoredMessage[]) {
    const shards = this.layout.shards();
    // Both calls are reads: safe to repeat after a transient failure (lib/object-call.ts).
    const toLookUp = idsToLookUp(ids, pending);
    const identities = new LookedUpIdentities(await this.directoryRead('lookup', (directory) => directory.lookup(toLookUp)));
    const docs = new Map<string, Profile>();
    const memberships = new Map<string, string[]>();
    const byShard = new Map<number, string[]>();
    for (const profileId of identities.profileIds()) {
      const shard = profileShardOf(profileId, shards);
      byShard.set(shard, [...(byShard.get(shard) ?? []), profileId]);
    }
    await Promise.all(
      [...byShard].map(async ([shard, profileIds]) => {
        const found = await this.profileShardRead(shard, 'profiles', (profiles) => profiles.profiles(profileIds));
        for (const { profile, audienceIds } of found) {
          docs.set(profile.profileId, profile as Profile);
          memberships.set(profile.profileId, audienceIds);
        }
      }),
    );
    return {
      identities,
      findProfile: (profileId: string) => docs.get(profileId),
      audiences: { audiencesOf: (profileId: string) => (memberships.get(profileId) ?? []).map((audienceId) => ({ audienceId })) },
    };
  }

  private writeKey(): string {
    return this.ctx.id.name ?? '';
  }

  async profile(id: string, lifecycle: LifecycleThresholds, currency?: string): Promise<ProfileView | null> {
    const shards = this.layout.shards();
    if (shards === 0) return this.model.profileView(id, Date.now(), lifecycle, currency) ?? null;
    // Both calls are reads: safe to repeat after a transient failure (lib/object-call.ts).
    const linked = await this.directoryRead('linkedTo', (directory) => directory.linkedTo(id));
    if (!linked) return null;
    const profile = await this.profileShardRead(profileShardOf(linked.profileId, shards), 'profile', (profiles) => profiles.profile(linked.profileId));
    if (!profile) return null;
    const { userId, ...ids } = linked;
    return this.model.viewOf({ ...ids, ...(userId ? { userId } : {}) }, profile as Profile, Date.now(), lifecycle, currency);
  }

  async lifecycle(thresholds: LifecycleThresholds): Promise<Record<LifecycleStage, number>> {
    const shards = this.layout.shards();
    if (shards === 0) return this.model.profiles.lifecycleCounts(Date.now(), thresholds);
    const now = Date.now();
    const counts = await Promise.all(Array.from({ length: shards }, (_, i) => profileShardStub(this.env, this.writeKey(), i).lifecycle(now, thresholds)));
    const total: Record<LifecycleStage, number> = { new: 0, active: 0, 'at-risk': 0, sleeping: 0, lapsed: 0 };
    for (const c of counts) for (const stage of Object.keys(total) as LifecycleStage[]) total[stage] += c[stage];
    return total;
  }

  /** Catalog entries for ids (names and categories for the dashboard). */
  products(productIds: string[]): CatalogItem[] {
    return [...this.model.catalog.items(productIds.slice(0, 500)).values()];
  }

  loadCatalog(products: ProductFacts[]): number {
    this.ctx.storage.transactionSync(() => this.model.loadCatalog(products, Date.now()));
    return this.model.catalog.count();
  }

  /**
   * Erases the person `id` names (a userId first, then an anonymousId, unless
   * `kind` says which): their profile, their recent sessions and every linked
   * id go, and the ids' hashes are suppressed, each with its kind, so late
   * retries and new events are stored nowhere. An id the graph does not know (all its messages were
   * rejected, say) is suppressed as the kind named, or as both. Other messages
   * wait meanwhile, so no new id can be linked halfway.
   */
  async erase(writeKey: string, id: string, kind?: IdKind): Promise<Erasure> {
    // No audience change about anyone is handed to destinations meanwhile (the caller cancels what was).
    const erased = await this.audiences.erase(() => this.campaigns.erase(() => this.eraseNow(writeKey, id, kind)));
    await this.alarms.reschedule();
    return erased;
  }

  private async eraseNow(writeKey: string, id: string, kind?: IdKind): Promise<Erasure> {
    const shards = this.layout.shards();
    if (shards > 0) return this.eraseFromShards(writeKey, id, shards, kind);
    return this.ctx.blockConcurrencyWhile(async () => {
      const linked = this.model.identities.linkedTo(id, kind);
      const anonymousIds = linked?.anonymousIds ?? (kind !== 'user' ? [id] : []);
      const userIds = linked?.userIds ?? (kind !== 'anonymous' ? [id] : []);
      const idHashes = await hashIds(writeKey, { anonymousIds, userIds });
      this.ctx.storage.transactionSync(() => {
        this.model.suppress(idHashes);
        if (linked) {
          this.model.orders.forget(linked.profileIds);
          this.audiences.forget(linked.profileIds);
          this.campaigns.forget(linked.profileIds);
          this.model.identities.forget(linked.profileIds);
          this.model.sessions.forgetProfiles(linked.profileIds);
        }
      });
      return { profileIds: linked?.profileIds ?? [], anonymousIds, userIds, idHashes };
    });
  }

  /**
   * Erasure where the profiles live in shards: the directory suppresses the
   * ids and drops the links (so no drain resolves them again), then each
   * shard holding one of the person's profiles drops it; here the ids are
   * suppressed too (read-your-writes checks them) and the sessions go.
   */
  private async eraseFromShards(writeKey: string, id: string, shards: number, kind?: IdKind): Promise<Erasure> {
    const erased = await identityDirectoryStub(this.env, writeKey).erase(writeKey, id, kind);
    this.ctx.storage.transactionSync(() => {
      this.model.suppress(erased.idHashes);
      this.model.sessions.forgetProfiles(erased.profileIds);
      this.model.orders.forget(erased.profileIds);
      // What this object kept of them from before the profiles moved (memberships, assignments) goes too.
      this.audiences.forget(erased.profileIds);
      this.campaigns.forget(erased.profileIds);
    });
    const byShard = new Map<number, string[]>();
    for (const profileId of erased.profileIds) {
      const shard = profileShardOf(profileId, shards);
      byShard.set(shard, [...(byShard.get(shard) ?? []), profileId]);
    }
    // A merged-away profile's tombstone sits in its own shard: each id's shard forgets it.
    await Promise.all([...byShard].map(([shard, profileIds]) => profileShardStub(this.env, writeKey, shard).forget(profileIds)));
    return erased;
  }

  // ---- Definitions that reach here after the profiles moved (a route that read the setting before it changed): on to the shards ----

  override async audienceDefine(put: { id: string; name: string; definition: Condition }[], remove: string[]): Promise<void> {
    const shards = this.layout.shards();
    if (shards === 0) return super.audienceDefine(put, remove);
    await Promise.all(Array.from({ length: shards }, (_, i) => profileShardStub(this.env, this.writeKey(), i).audienceDefine(put, remove)));
  }

  override async campaignDefine(put: CampaignDefinition[], remove: string[]): Promise<void> {
    const shards = this.layout.shards();
    if (shards === 0) return super.campaignDefine(put, remove);
    await Promise.all(Array.from({ length: shards }, (_, i) => profileShardStub(this.env, this.writeKey(), i).campaignDefine(put, remove)));
  }

  // ---- Campaign host: what the shared surface (profiles/profile-host-object.ts) leaves to each object ----

  /** The offer slot: the visitor's offer if they are in treatment of a running campaign (a bare userId proves nothing). */
  async campaignOffer(ids: { anonymousId?: string; userId?: string; userVerified?: boolean }) {
    const shards = this.layout.shards();
    if (shards === 0) return this.campaigns.offer(this.model.profileIdOf(ids));
    // A read, then an offer that marks the first time it was served only once: both safe to repeat (lib/object-call.ts).
    const profileId = await this.directoryRead('profileIdOf', (directory) => directory.profileIdOf(ids));
    if (!profileId) return null;
    return this.profileShardRead(profileShardOf(profileId, shards), 'campaignOffer', (profiles) => profiles.campaignOffer(profileId));
  }

  /** A profile's campaign assignments (the profile API, tests), by profile id, anonymousId or userId. */
  campaignAssignments(id: string) {
    return this.campaigns.store.assignmentsOf(this.model.identities.linkedTo(id)?.profileId ?? id);
  }
}
