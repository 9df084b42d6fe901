/**
 * ShopState: one Durable Object per site, holding the shop's live state
 * (shop-model.ts) in its own SQLite. IngestShards feed it in batches, each
 * applied in one transaction; recommendation requests read it directly, so a
 * shopper's own events count within the drain delay, and the read does a
 * bounded number of indexed lookups.
 */
import { DurableObject } from 'cloudflare:workers';
import type { CatalogItem, LifecycleStage, LifecycleThresholds, ProfileView, RecommendationResponse, StoredMessage } from '@trailmark/schema';
import type { ProductFacts } from '../catalog/product-facts';
import type { IdKind } from '../identity/resolve-profile';
import { hashIds, idsOfMessage, type IdHash } from '../identity/suppression';
import { migrate } from '../lib/migrate';
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

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.transactionSync(() => migrate(ctx.storage.sql, SHOP_MIGRATIONS));
    });
    this.model = new ShopModel(ctx.storage.sql);
  }

  /** Answers when the object is reachable; the shards' health probe. */
  ping(): true {
    return true;
  }

  async ingest(items: IngestItem[]): Promise<IngestOutcome> {
    const policy = await this.policy();
    const outcome = this.ctx.storage.transactionSync(() => this.model.ingest(items, policy));
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
    if (!pending?.length) return this.model.recommend(rest);
    const cache = new Map<string, Promise<string>>();
    const items = await Promise.all(pending.map(async (message) => ({ message, idHashes: await hashIds(input.writeKey, idsOfMessage(message), cache) })));
    return this.model.recommend({ ...rest, pending: items });
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
    return this.ctx.blockConcurrencyWhile(async () => {
      const linked = this.model.identities.linkedTo(id, kind);
      const anonymousIds = linked?.anonymousIds ?? (kind !== 'user' ? [id] : []);
      const userIds = linked?.userIds ?? (kind !== 'anonymous' ? [id] : []);
      const idHashes = await hashIds(writeKey, { anonymousIds, userIds });
      this.ctx.storage.transactionSync(() => {
        this.model.suppress(idHashes);
        if (linked) {
          this.model.identities.forget(linked.profileIds);
          this.model.sessions.forgetProfiles(linked.profileIds);
        }
      });
      return { profileIds: linked?.profileIds ?? [], anonymousIds, userIds, idHashes };
    });
  }
}
