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
import { DurableObject } from 'cloudflare:workers';
import { AGGREGATE_OUTBOX_MIGRATIONS, AGGREGATE_OUTBOX_MODULE } from '../aggregates/aggregate-outbox';
import { aggregateShardStub } from '../aggregates/aggregate-shard';
import { ShardedAggregates } from '../aggregates/sharded-aggregates';
import type { CampaignDefinition, CatalogItem, Condition, LifecycleStage, LifecycleThresholds, ProfileView, RecommendationResponse, StoredMessage } from '@trailmark/schema';
import { AUDIENCE_HOST_MIGRATIONS, AUDIENCE_MODULE, AudienceHost } from '../audiences/audience-host';
import { identityTablesPeople, profilesTableSource } from '../audiences/profile-source';
import type { RfmBoundaries } from '../audiences/rfm';
import { CAMPAIGN_MIGRATIONS, CAMPAIGN_MODULE, CampaignHost } from '../campaigns/campaign-host';
import type { ProductFacts } from '../catalog/product-facts';
import { enqueueChanges, subscribedAudiences } from '../destinations/producer';
import type { IdKind } from '../identity/resolve-profile';
import { hashIds, idsOfMessage, type IdHash } from '../identity/suppression';
import { Alarms } from '../lib/alarms';
import { migrate, migrateModule } from '../lib/migrate';
import { DEFAULT_SETTINGS } from '../sites/site';
import { findSite } from '../sites/site-directory';
import { DEFAULT_SHOP_POLICY, SHOP_MIGRATIONS, ShopModel, type IngestItem, type IngestOutcome, type RecommendInput, type ShopPolicy } from './shop-model';

export type { IngestItem, IngestOutcome } from './shop-model';

export interface Erasure {
  profileIds: string[];
  anonymousIds: string[];
  userIds: string[];
  idHashes: IdHash[];
}

export class ShopState extends DurableObject<Env> {
  private readonly model: ShopModel;
  private lastPrune = 0;
  /** Audience memberships, due times and transitions of this object's profiles. */
  private readonly audiences: AudienceHost;
  /** Campaign assignments and outcomes of this object's profiles. */
  private readonly campaigns: CampaignHost;
  /** The one alarm, shared by every job that needs waking (lib/alarms.ts). */
  private readonly alarms: Alarms;
  /** The recommendation aggregates when the site keeps them in shards of their own (aggregates/). */
  private readonly sharded: ShardedAggregates;
  /** The site's aggregateShards setting, as of the last batch's policy. */
  private wantedAggregateShards = 0;
  /** The clock audiences and alarms read; tests move it. */
  clock: () => number = () => Date.now();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Synchronous, before anything reads the tables (the audience host does as it is made).
    ctx.storage.transactionSync(() => {
      migrate(ctx.storage.sql, SHOP_MIGRATIONS);
      migrateModule(ctx.storage.sql, AUDIENCE_MODULE, AUDIENCE_HOST_MIGRATIONS);
      // After the audiences: campaigns read (and index) their memberships.
      migrateModule(ctx.storage.sql, CAMPAIGN_MODULE, CAMPAIGN_MIGRATIONS);
      migrateModule(ctx.storage.sql, AGGREGATE_OUTBOX_MODULE, AGGREGATE_OUTBOX_MIGRATIONS);
    });
    this.model = new ShopModel(ctx.storage.sql);
    const writeKey = ctx.id.name ?? '';
    this.audiences = new AudienceHost({
      sql: ctx.storage.sql,
      transaction: (fn) => ctx.storage.transactionSync(fn),
      profiles: profilesTableSource(ctx.storage.sql),
      people: identityTablesPeople(ctx.storage.sql),
      lifecycle: async () => (writeKey ? await findSite(env, writeKey) : null)?.settings.lifecycle ?? DEFAULT_SETTINGS.lifecycle,
      deliver: (changes) => enqueueChanges(env, writeKey, changes),
      subscribed: () => subscribedAudiences(env, writeKey),
      clock: () => this.clock(),
    });
    this.campaigns = new CampaignHost({
      sql: ctx.storage.sql,
      transaction: (fn) => ctx.storage.transactionSync(fn),
      profile: (profileId) => this.model.profiles.find(profileId),
      site: async () => {
        const site = writeKey ? await findSite(env, writeKey) : null;
        const settings = site?.settings ?? DEFAULT_SETTINGS;
        return { writeKey, globalHoldoutPercent: settings.globalHoldoutPercent, currency: settings.currency };
      },
      describe: (profileIds) => this.audiences.describe(profileIds),
      audienceName: (audienceId) => this.audiences.store.nameOf(audienceId) || audienceId,
      deliver: (changes) => enqueueChanges(env, writeKey, changes),
      clock: () => this.clock(),
    });
    this.alarms = new Alarms(ctx.storage, () => this.clock());
    this.alarms.add(this.audiences);
    this.alarms.add(this.campaigns);
    this.sharded = new ShardedAggregates({
      sql: ctx.storage.sql,
      transaction: (fn) => ctx.storage.transactionSync(fn),
      exclusive: (fn) => ctx.blockConcurrencyWhile(fn),
      shard: (index) => aggregateShardStub(env, writeKey, index),
      clock: () => this.clock(),
    });
    this.alarms.add(this.sharded);
  }

  override async alarm(): Promise<void> {
    await this.alarms.run();
  }

  /** Answers when the object is reachable; the shards' health probe. */
  ping(): true {
    return true;
  }

  async ingest(items: IngestItem[]): Promise<IngestOutcome> {
    const policy = await this.policy();
    await this.audiences.refreshSite();
    await this.campaigns.refreshSite();
    const audienceNow = this.clock();
    // The aggregate rows go to the shards' outbox, in the batch's transaction, when the site keeps them there.
    const aggregateShards = await this.sharded.prepare(this.wantedAggregateShards);
    this.model.aggregates.sink = this.sharded.sinkFor(aggregateShards);
    const outcome = this.ctx.storage.transactionSync(() => {
      const applied = this.model.ingest(items, policy);
      // Memberships change with the profiles, in the same transaction: a retried batch records no transition twice.
      const appliedMessages = items.map((item, i) => ({ message: item.message, profileId: applied.profileIds[i] ?? null }));
      this.audiences.afterApply(appliedMessages, applied.merges, audienceNow);
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
   * What the site's settings say about applying its events, read through the
   * site directory's cache (a change reaches here within its 15 seconds).
   * This object is named after the site's write key.
   */
  private async policy(): Promise<ShopPolicy> {
    const writeKey = this.ctx.id.name;
    const site = writeKey ? await findSite(this.env, writeKey) : null;
    this.wantedAggregateShards = site?.settings.aggregateShards ?? 0;
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
  async recommend(input: Omit<RecommendInput, 'pending'> & { pending?: StoredMessage[] }): Promise<RecommendationResponse> {
    const { pending, ...rest } = input;
    const cache = new Map<string, Promise<string>>();
    const items = pending?.length
      ? await Promise.all(pending.map(async (message) => ({ message, idHashes: await hashIds(input.writeKey, idsOfMessage(message), cache) })))
      : undefined;
    const request = items ? { ...rest, pending: items } : rest;
    // Aggregates in shards: ranked over snapshots of them (aggregates/snapshot-reader.ts).
    if (this.sharded.shards() > 0) return this.sharded.rank((aggregates) => this.model.recommend(request, this.audiences.store, aggregates));
    return this.model.recommend(request, this.audiences.store);
  }

  profile(id: string, lifecycle: LifecycleThresholds, currency?: string): ProfileView | null {
    return this.model.profileView(id, Date.now(), lifecycle, currency) ?? null;
  }

  lifecycle(thresholds: LifecycleThresholds): Record<LifecycleStage, number> {
    return this.model.profiles.lifecycleCounts(Date.now(), thresholds);
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
    return this.ctx.blockConcurrencyWhile(async () => {
      const linked = this.model.identities.linkedTo(id, kind);
      const anonymousIds = linked?.anonymousIds ?? (kind !== 'user' ? [id] : []);
      const userIds = linked?.userIds ?? (kind !== 'anonymous' ? [id] : []);
      const idHashes = await hashIds(writeKey, { anonymousIds, userIds });
      this.ctx.storage.transactionSync(() => {
        this.model.suppress(idHashes);
        if (linked) {
          this.audiences.forget(linked.profileIds);
          this.campaigns.forget(linked.profileIds);
          this.model.identities.forget(linked.profileIds);
          this.model.sessions.forgetProfiles(linked.profileIds);
        }
      });
      return { profileIds: linked?.profileIds ?? [], anonymousIds, userIds, idHashes };
    });
  }

  // ---- Audience host (audiences/audience-host.ts), reached through audiences/hosts.ts ----

  async audienceDefine(put: { id: string; name: string; definition: Condition }[], remove: string[]): Promise<void> {
    await this.audiences.refreshSite();
    this.audiences.define(put, remove, this.clock());
    await this.alarms.reschedule();
  }

  /** A static audience's list on this object (audiences/audience-host.ts list); its entries leave through the alarm. */
  async audienceList(audienceId: string, name: string, change: { add?: string[]; remove?: string[]; replace?: boolean }) {
    const result = await this.audiences.list(audienceId, name, change);
    await this.alarms.reschedule();
    return result;
  }

  audienceReport(ids?: string[], fromDay?: string) {
    return this.audiences.report(ids, fromDay);
  }

  audienceMembers(audienceId: string, cursor: string | null, limit: number) {
    return this.audiences.members(audienceId, cursor, limit);
  }

  audiencePreview(definition: Condition, limit: number, sample: number, start: string) {
    return this.audiences.preview(definition, limit, sample, start);
  }

  audienceProfile(profileId: string) {
    return this.audiences.profileAudiences(profileId);
  }

  audienceRfmSummary() {
    return this.audiences.rfmSummary();
  }

  async audienceRfmBoundaries(boundaries: RfmBoundaries) {
    const result = this.audiences.setRfmBoundaries(boundaries);
    await this.alarms.reschedule();
    return result;
  }

  // ---- Campaign host (campaigns/campaign-host.ts), reached through audiences/hosts.ts ----

  async campaignDefine(put: CampaignDefinition[], remove: string[]): Promise<void> {
    await this.campaigns.refreshSite();
    this.campaigns.define(put, remove);
    await this.alarms.reschedule();
  }

  campaignTotals(campaignId: string) {
    return this.campaigns.totals(campaignId);
  }

  /** The offer slot: the visitor's offer if they are in treatment of a running campaign (a bare userId proves nothing). */
  campaignOffer(ids: { anonymousId?: string; userId?: string; userVerified?: boolean }) {
    return this.campaigns.offer(this.model.profileIdOf(ids));
  }

  /** A profile's campaign assignments (the profile API, tests), by profile id, anonymousId or userId. */
  campaignAssignments(id: string) {
    return this.campaigns.store.assignmentsOf(this.model.identities.linkedTo(id)?.profileId ?? id);
  }
}
