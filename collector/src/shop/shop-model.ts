/**
 * The live state of one shop over a SQLite database: identity graph, profiles,
 * catalog and recommendation aggregates, and the operations on them. The
 * ShopState Durable Object runs it on its own storage; the offline
 * benchmark runs the very same code on an in-process SQLite.
 */
import {
  DEFAULT_CURRENCY,
  type Rule,
  type RuleNotApplied,
  type LifecycleThresholds,
  type ProfileView,
  type RecommendationResponse,
  type Slot,
  type StoredMessage,
} from '@trailmark/schema';
import { CatalogStore, DEFAULT_CATALOG_POLICY, type CatalogPolicy } from '../catalog/catalog-store';
import { productsOfMessage, type ProductFacts } from '../catalog/product-facts';
import { currentProfileOf, stillStored, userVerifiedOf, type VisitorIds } from '../identity/profile-lookup';
import { profileIdFor, resolveProfile, type IdKind } from '../identity/resolve-profile';
import { SqliteIdentityStore } from '../identity/sqlite-identity-store';
import { SuppressionList, type IdHash } from '../identity/suppression';
import { AppliedOutcomes, type AppliedOutcome } from './applied-outcomes';
import { orderIdOf, orderItemOf, SeenOrders } from './seen-orders';
import { eventTimeMs } from '../lib/event-time';
import { first, type Sql } from '../lib/sql';
import { applyEvent, type Attribution } from '../profiles/apply-event';
import { interestTags } from '../profiles/interests';
import { lifecycleStage } from '../profiles/lifecycle';
import { mergeProfiles } from '../profiles/merge';
import { revenueByCurrency, type Profile } from '../profiles/profile';
import { ProfileStore } from '../profiles/profile-store';
import type { AggregateReader } from '../aggregates/snapshot-reader';
import { AggregateCache } from '../recommend/aggregate-cache';
import { AggregateStore } from '../recommend/aggregate-store';
import { asIfStored } from '../recommend/as-if-stored';
import { inGlobalHoldout } from '../campaigns/assignment';
import { variantFor } from '../recommend/holdout';
import { learnFromEvent, regionKey } from '../recommend/learn';
import { rankCandidates, toItems, type RankSources } from '../recommend/rank';
import { ReadCacheWarmer } from '../recommend/read-cache-warmer';
import { TUNING } from '../recommend/strategies';
import { explainAnswer } from '../merchandising/explain';
import { merchandise } from '../merchandising/merchandise';
import { shopperMismatch, shopperCategory } from '../merchandising/rules';
import { sessionKey, SessionStore } from '../recommend/session-store';
import type { LearnEffects } from '../profiles/profile-shard-model';
import type { StoredShop } from '../recommend/as-if-stored';

/** ShopState's schema steps, frozen as shipped (lib/migrate.ts). */
export { SHOP_MIGRATIONS } from '../schema-steps/shop-state';

export interface IngestItem {
  message: StoredMessage;
  /** SHA-256 of the message's anonymousId and userId, with their kinds (for the suppression list). */
  idHashes: IdHash[];
}

export interface IngestOutcome {
  /** Per message, in order: the profile it belongs to now, or null when its ids are suppressed. */
  profileIds: (string | null)[];
  merges: { from: string; into: string }[];
  /** Per message: recommendation credits to add to its context (`context.attribution`), or null. */
  attributions: (Attribution[] | null)[];
  /**
   * Per message: true when it is an `Order Completed` whose order_id its
   * person counted before (seen-orders.ts). It is stored as received and counts
   * nowhere: not in its profile, the aggregates, audiences, campaigns or the
   * statistics. Absent when the batch went to profile shards.
   */
  repeatedOrders?: boolean[];
  /** Nothing was applied: the site's profiles live in this many profile shards (profiles/profile-drain.ts applies the batch). */
  profileShards?: number;
}

/** A message a profile shard applied, with what the shop-wide state takes from it (profiles/profile-drain.ts). */
export interface LearnItem {
  messageId: string;
  profileId: string;
  atMs: number;
  /** Catalog facts the message carries (none for bots). */
  products: ProductFacts[];
  learn?: LearnEffects;
}

export interface RecommendInput {
  writeKey: string;
  slot: Slot;
  anonymousId?: string;
  userId?: string;
  /** The request proved userId (a valid userHash); without proof, userId unlocks nothing. */
  userVerified?: boolean;
  productId?: string;
  limit: number;
  geo: { country?: string; region?: string };
  holdoutPercent: number;
  /** The site-wide holdout (settings.globalHoldoutPercent): shoppers in it get the control group's picks. */
  globalHoldoutPercent?: number;
  /** The k-anonymity floor of regional popularity (settings.regionalMinShoppers; popularity-floor.ts). */
  regionalMinShoppers?: number;
  nowMs: number;
  /** Products the page already shows (`exclude=`). */
  exclude?: string[];
  /**
   * The browser's accepted events the drain has not stored yet, in the order
   * they were accepted, with the hashes of their ids (read-your-writes).
   */
  pending?: IngestItem[];
  /** The site's currency, for the profile reducer. */
  currency?: string;
  /** The site's identity verification setting, for resolving pending events as the drain will. */
  identityVerification?: ShopPolicy['identityVerification'];
  /** Merchandising rules that apply to the request (those whose conditions on the request hold: merchandising/rules.ts, requestMismatch). */
  rules?: Rule[];
  /** Answer with `explain` (for admins): the site's rules the request left out, and why. */
  explain?: { notApplied: RuleNotApplied[] };
}

/** The audiences a profile is in (audiences/audience-store.ts), for merchandising rules with an audience condition. */
export interface AudienceMemberships {
  audiencesOf(profileId: string): { audienceId: string }[];
}

/**
 * Membership as rules ask it, read once per answer and only if a rule asks.
 * Memberships change when the drain applies events, so a shopper's
 * not-yet-drained events do not count here yet.
 */
function memberships(profileId: string | undefined, audiences: AudienceMemberships | undefined): (audienceId: string) => boolean {
  let ids: Set<string> | undefined;
  return (audienceId) => {
    if (!profileId || !audiences) return false;
    ids ??= new Set(audiences.audiencesOf(profileId).map((m) => m.audienceId));
    return ids.has(audienceId);
  };
}

/** What the site's settings say about applying its events (see ShopState, which reads them). */
export interface ShopPolicy {
  catalog: CatalogPolicy;
  /** The site's currency (ISO 4217): profiles keep revenue per currency, `revenue` in this one. */
  currency: string;
  /** "required": a userId links only with `context.userVerified` (a valid userHash, checked at ingest). */
  identityVerification: 'off' | 'required';
}

export const DEFAULT_SHOP_POLICY: ShopPolicy = { catalog: DEFAULT_CATALOG_POLICY, currency: DEFAULT_CURRENCY, identityVerification: 'off' };

export class ShopModel {
  /** The policy of the batch being applied (merges happen inside it). */
  private policy: ShopPolicy = DEFAULT_SHOP_POLICY;
  readonly identities: SqliteIdentityStore;
  readonly profiles: ProfileStore;
  readonly catalog: CatalogStore;
  readonly aggregates: AggregateStore;
  /** What recommendations read of the aggregates, kept between requests and forgotten key by key as batches change them. */
  readonly aggregateReads: AggregateCache;
  readonly applied: AppliedOutcomes;
  /** The order ids each person counted so far: a later copy of an order of theirs counts nowhere. */
  readonly orders: SeenOrders;
  readonly suppressed: SuppressionList;
  readonly sessions: SessionStore;
  /**
   * The shop's ids and documents as recommendations read them when nothing is pending: through the
   * caches kept between requests (SqliteIdentityStore.lookUp, ProfileStore.read).
   */
  private readonly storedReads: { identities: Pick<StoredShop['identities'], 'profileOf'>; findProfile: StoredShop['findProfile'] } = {
    identities: { profileOf: (kind: IdKind, id: string) => this.identities.lookUp(kind, id) },
    findProfile: (id: string) => this.profiles.read(id),
  };
  /** Fills the read caches above a chunk after each answer (recommend/read-cache-warmer.ts). */
  private readonly warmer: ReadCacheWarmer;

  constructor(private readonly sql: Sql) {
    this.applied = new AppliedOutcomes(sql);
    this.orders = new SeenOrders(sql);
    this.suppressed = new SuppressionList(sql);
    this.profiles = new ProfileStore(sql);
    this.identities = new SqliteIdentityStore(
      sql,
      (from, into) => {
        this.mergeDocuments(from, into);
        this.orders.move(from, into);
      },
      (profileIds) => this.profiles.forgetReads(profileIds),
    );
    this.catalog = new CatalogStore(sql);
    this.aggregates = new AggregateStore(sql);
    this.aggregateReads = new AggregateCache(this.aggregates);
    this.aggregates.written = (rows) => this.aggregateReads.forget(rows);
    this.sessions = new SessionStore(sql);
    this.warmer = new ReadCacheWarmer(sql, {
      catalog: this.catalog,
      aggregates: this.aggregateReads,
      sessions: this.sessions,
      neighbourLimit: TUNING.neighbours,
    });
  }

  /**
   * Applies a batch; run it inside one transaction. Each messageId is applied
   * at most once: a message seen before gets the outcome recorded when it was
   * applied, so a retried drain stores exactly what the first attempt would have.
   */
  ingest(items: IngestItem[], policy: ShopPolicy = DEFAULT_SHOP_POLICY): IngestOutcome {
    this.policy = policy;
    const nowMs = Date.now();
    this.profiles.begin();
    this.aggregates.begin();
    this.catalog.begin();
    this.sessions.begin();
    this.identities.begin();
    try {
      return this.applyBatch(items, policy, nowMs);
    } finally {
      this.identities.end();
    }
  }

  private applyBatch(items: IngestItem[], policy: ShopPolicy, nowMs: number): IngestOutcome {
    // What the batch needs to know before applying, each in one query: suppressed ids, messages applied before.
    const isSuppressed = this.suppressed.matcher(items.flatMap((item) => item.idHashes));
    const known = this.applied.findMany(items.map((item) => item.message.messageId));
    const orderItems = items.map((item) => orderItemOf(item.message));
    const orders = this.orders.forBatch(orderItems);
    const toRecord: [string, AppliedOutcome][] = [];
    const record = (messageId: string, outcome: AppliedOutcome) => {
      known.set(messageId, outcome);
      toRecord.push([messageId, outcome]);
    };
    const outcomes = items.map(({ message, idHashes }, i): AppliedOutcome => {
      // Suppressed means stored nowhere: a late retry of an erased person's message too, applied before or not.
      const suppressed = isSuppressed(idHashes);
      const recorded = known.get(message.messageId);
      if (recorded) return suppressed ? { profileId: null } : stillStored(this.identities, recorded);
      if (suppressed) {
        record(message.messageId, { profileId: null });
        return { profileId: null };
      }
      // On a site that requires identity verification, an unproven userId links nothing.
      const userVerified = userVerifiedOf(message, policy.identityVerification);
      const { profileId, merged } = resolveProfile(this.identities, { ...(message as StoredMessage & { previousId?: string }), userVerified });
      // An order this person counted before: its ids still link (the event is stored under a profile), nothing else changes.
      if (orders.repeated(orderItems[i]!.orderId, profileId)) {
        const repeat: AppliedOutcome = { profileId, repeatedOrder: true, ...(merged ? { merged } : {}) };
        record(message.messageId, repeat);
        return repeat;
      }
      // Bots are stored and stitched, but kept out of profiles, the catalog and the aggregates.
      const attributions = message.context.bot ? undefined : this.learn(profileId, message, policy);
      const outcome: AppliedOutcome = { profileId, ...(attributions?.length ? { attributions } : {}), ...(merged ? { merged } : {}) };
      record(message.messageId, outcome);
      return outcome;
    });
    this.applied.recordMany(toRecord, nowMs);
    orders.record();
    this.profiles.flush();
    this.aggregates.flush();
    this.sessions.flush();
    this.catalog.flush();
    return {
      profileIds: outcomes.map((o) => o.profileId),
      merges: outcomes.flatMap((o) => (o.merged ? [o.merged] : [])),
      attributions: outcomes.map((o) => o.attributions ?? null),
      repeatedOrders: outcomes.map((o) => o.repeatedOrder === true),
    };
  }

  private learn(profileId: string, message: StoredMessage, policy: ShopPolicy): Attribution[] | undefined {
    const atMs = eventTimeMs(message);
    const profile = this.profiles.edit(profileId, atMs);
    const effects = applyEvent(profile, message, { currency: policy.currency });
    for (const product of productsOfMessage(message)) this.catalog.learn(product, atMs, policy.catalog);
    learnFromEvent(this.aggregates, effects, { atMs, region: regionKey(message.context.geo), shopper: profileId });
    if (effects.viewed)
      this.sessions.noteView(sessionKey(profileId, profile.session.id), profileId, effects.viewed.product.productId, profile.session.views, atMs);
    return effects.attributions;
  }

  /**
   * The shop-wide part of a batch whose profiles were applied in profile
   * shards: catalog facts, aggregates and the session index, each messageId
   * once (a retried drain sends the same again). Run inside one transaction.
   */
  learnEffects(items: readonly LearnItem[], policy: ShopPolicy = DEFAULT_SHOP_POLICY): void {
    this.policy = policy;
    this.aggregates.begin();
    this.catalog.begin();
    this.sessions.begin();
    const known = this.applied.findMany(items.map((item) => item.messageId));
    const toRecord: [string, AppliedOutcome][] = [];
    for (const item of items) {
      if (known.has(item.messageId)) continue;
      known.set(item.messageId, { profileId: item.profileId });
      toRecord.push([item.messageId, { profileId: item.profileId }]);
      for (const product of item.products) this.catalog.learn(product, item.atMs, policy.catalog);
      if (!item.learn) continue;
      const { effects, atMs, region, session } = item.learn;
      learnFromEvent(this.aggregates, effects, { atMs, region, shopper: item.profileId });
      if (session) this.sessions.noteView(session.key, item.profileId, session.productId, session.products, atMs);
    }
    this.applied.recordMany(toRecord, Date.now());
    this.aggregates.flush();
    this.sessions.flush();
    this.catalog.flush();
  }

  private mergeDocuments(from: string, into: string): void {
    const source = this.profiles.find(from);
    if (source) {
      const target = this.profiles.find(into);
      this.profiles.replace(target ? mergeProfiles(target, source, this.policy.currency) : { ...source, profileId: into });
    }
    this.profiles.forget(from);
  }

  /** Forgets messageIds older than the retention; the event log's unique key still catches older retries. */
  pruneApplied(nowMs: number): void {
    this.applied.prune(nowMs);
  }

  suppress(idHashes: readonly IdHash[]): void {
    this.suppressed.add(idHashes);
  }

  /**
   * The profile a visitor has now, without creating one: the customer's for
   * a proven userId (`userVerified`), else the browser's. A customer id is
   * not a password: a bare userId finds nothing.
   */
  profileIdOf(ids: VisitorIds): string | undefined {
    return currentProfileOf(this.identities, ids);
  }

  /**
   * A slot's answer. `audiences` tells the shopper's audiences (where the
   * profiles' memberships are kept), read only when a rule asks.
   * `aggregates`: where the ranking reads them when they live in their own
   * objects (aggregates/snapshot-reader.ts).
   */
  recommend(input: RecommendInput, audiences?: AudienceMemberships, aggregates?: AggregateReader, people?: StoredShop): RecommendationResponse {
    const { profileId, profile } = this.profileAsIfStored(input, people);
    // A first-time visitor has no profile yet, but the id it will get is known: its group will not change.
    // A visitor without ids (no consent yet), or with only an unproven userId, is outside the experiment: not personalised, not measured.
    const userId = input.userVerified ? input.userId : undefined;
    const anonymous = !input.anonymousId && !userId;
    const groupId = profileId ?? profileIdFor(userId ? `user:${userId}` : `anonymous:${input.anonymousId ?? ''}`);
    const variant = anonymous
      ? 'treatment'
      : inGlobalHoldout(input.writeKey, groupId, input.globalHoldoutPercent ?? 0)
        ? 'control'
        : variantFor(input.writeKey, groupId, input.holdoutPercent);
    const request = {
      slot: input.slot,
      variant,
      limit: input.limit,
      productId: input.productId,
      region: regionKey(input.geo),
      nowMs: input.nowMs,
      ...(input.regionalMinShoppers !== undefined ? { regionalMinShoppers: input.regionalMinShoppers } : {}),
      ...(input.exclude?.length ? { exclude: input.exclude } : {}),
    };
    const sources = this.rankSources(aggregates);
    const ranked = rankCandidates(request, profile, sources);
    const { rules, notApplied } = this.rulesFor(input, profileId, profile, audiences);
    const answer = merchandise(ranked, request, sources, rules);
    const response: RecommendationResponse = { recId: crypto.randomUUID(), slot: input.slot, variant, strategy: ranked.strategy, items: answer.items };
    if (input.explain) {
      response.explain = explainAnswer({
        ...answer,
        withoutRules: toItems(ranked.items, request, sources, ranked.exclude),
        applied: rules,
        notApplied: [...input.explain.notApplied, ...notApplied],
      });
    }
    if (!this.warmer.done) this.warmer.step();
    return response;
  }

  /** Of the request's rules, those whose conditions on the shopper hold (the category they are in, their audiences), and the others with why not. */
  private rulesFor(
    input: RecommendInput,
    profileId: string | undefined,
    profile: Profile | undefined,
    audiences: AudienceMemberships | undefined,
  ): { rules: Rule[]; notApplied: RuleNotApplied[] } {
    if (!input.rules?.length) return { rules: [], notApplied: [] };
    const needsCategory = input.rules.some((rule) => rule.when?.category !== undefined);
    const onScreen = needsCategory && input.productId ? this.catalog.items([input.productId]).get(input.productId) : undefined;
    const shopper = {
      category: needsCategory ? shopperCategory(profile, onScreen) : undefined,
      memberOf: memberships(profileId, audiences),
    };
    const rules: Rule[] = [];
    const notApplied: RuleNotApplied[] = [];
    for (const rule of input.rules) {
      const because = shopperMismatch(rule, shopper);
      if (because === undefined) rules.push(rule);
      else notApplied.push({ id: rule.id, action: rule.action, because });
    }
    return { rules, notApplied };
  }

  /**
   * The visitor's profile as it will be once their pending events are stored
   * (recommend/as-if-stored.ts): events the drain has already applied (it
   * records each messageId) or that it will drop (erased ids) are left out,
   * as the drain would.
   */
  private profileAsIfStored(input: RecommendInput, people?: StoredShop): { profileId?: string; profile?: Profile } {
    const suppressed = new Map<string, boolean>();
    const isSuppressed = (hashes: readonly IdHash[]) =>
      hashes.some((id) => {
        const key = `${id.kind}:${id.hash}`;
        if (!suppressed.has(key)) suppressed.set(key, this.suppressed.includesAny([id]));
        return suppressed.get(key)!;
      });
    // An order the visitor counted already will count nowhere when drained (seen-orders.ts): nor here.
    let visitor: { profileId: string | undefined } | undefined;
    const counted = (message: StoredMessage) => {
      const orderId = orderIdOf(message);
      if (orderId === undefined) return false;
      visitor ??= { profileId: currentProfileOf(this.identities, input) };
      return visitor.profileId !== undefined && this.orders.claimedBy(orderId, visitor.profileId);
    };
    const pending = (input.pending ?? []).filter(
      ({ message, idHashes }) => !this.applied.find(message.messageId) && !isSuppressed(idHashes) && !counted(message),
    );
    // `people`: the identities and documents of a site whose profiles live in shards, as read for this request.
    if (pending.length === 0) {
      // Nothing pending (most requests): the ids and the document as stored.
      const stored = people ?? this.storedReads;
      const profileId = currentProfileOf(stored.identities, input);
      return { profileId, profile: profileId ? stored.findProfile(profileId) : undefined };
    }
    const shop = people ?? { identities: this.identities, findProfile: (id: string) => this.profiles.find(id) };
    return asIfStored(
      shop,
      input,
      pending.map((item) => item.message),
      {
        currency: input.currency ?? this.policy.currency,
        identityVerification: input.identityVerification ?? this.policy.identityVerification,
      },
    );
  }

  rankSources(aggregates: AggregateReader = this.aggregateReads): RankSources {
    return {
      aggregates,
      catalog: (ids) => this.catalog.items(ids),
      anyInStock: (limit) => this.catalog.anyInStock(limit),
      repurchaseIntervals: (ids) => aggregates.repurchaseIntervals(ids),
      sessions: this.sessions,
    };
  }

  /** The admin's catalog: authoritative, whatever events say later. */
  loadCatalog(products: ProductFacts[], atMs: number): void {
    this.catalog.load(products, atMs);
  }

  /** The profile for the admin API; money in `currency` (the site's), and per currency. */
  profileView(id: string, nowMs: number, lifecycle: LifecycleThresholds, currency: string = DEFAULT_CURRENCY): ProfileView | undefined {
    // An anonymousId or userId first; else a profile id (the people lists' and members exports' `profileId`).
    const linked = this.identities.linkedTo(id) ?? this.identities.linkedToProfile(id);
    if (!linked) return undefined;
    const profile = this.profiles.find(linked.profileId);
    if (!profile) return undefined;
    return this.viewOf({ ...linked, userId: this.identities.userOf(linked.profileId) }, profile, nowMs, lifecycle, currency);
  }

  /** The profile API's view of a document and its ids (wherever they are kept), with the catalog's names. */
  viewOf(
    linked: { profileId: string; anonymousIds: string[]; userIds: string[]; profileIds: string[]; userId?: string },
    profile: Profile,
    nowMs: number,
    lifecycle: LifecycleThresholds,
    currency: string = DEFAULT_CURRENCY,
  ): ProfileView {
    const iso = (ms: number) => new Date(ms).toISOString();
    const names = this.catalog.items([...profile.recentViews.map((v) => v.productId), ...Object.keys(profile.cart), ...Object.keys(profile.purchases)]);
    const nameOf = (productId: string) => names.get(productId)?.name;
    const userId = linked.userId;
    return {
      profileId: linked.profileId,
      ...(userId ? { userId } : {}),
      anonymousIds: linked.anonymousIds,
      userIds: linked.userIds,
      mergedProfileIds: linked.profileIds.filter((p) => p !== linked.profileId),
      firstSeen: iso(profile.firstSeen),
      lastSeen: iso(profile.lastSeen),
      lifecycle: lifecycleStage(profile, nowMs, lifecycle),
      region: profile.geo,
      device: profile.device,
      sessions: profile.sessionCount,
      counts: profile.counts,
      currency,
      revenue: cents(revenueByCurrency(profile, currency)[currency] ?? 0),
      revenueByCurrency: Object.fromEntries(Object.entries(revenueByCurrency(profile, currency)).map(([code, amount]) => [code, cents(amount)])),
      interests: interestTags(profile, nowMs),
      recentViews: [...profile.recentViews].reverse().map((v) => ({ productId: v.productId, name: nameOf(v.productId), at: iso(v.at) })),
      recentCategories: [...profile.recentLists].reverse().map((l) => ({ category: l.category, at: iso(l.at) })),
      searches: [...profile.searches].reverse().map((s) => ({ query: s.query, at: iso(s.at) })),
      cart: Object.entries(profile.cart).map(([productId, line]) => ({ productId, name: nameOf(productId), quantity: line.quantity, price: line.price })),
      orders: [...profile.orders].reverse().map((o) => ({ ...o, at: iso(o.at) })),
      purchaseCycles: Object.entries(profile.purchases)
        .sort((a, b) => b[1].lastAt - a[1].lastAt)
        .map(([productId, h]) => ({
          productId,
          name: nameOf(productId),
          purchases: h.count,
          lastAt: iso(h.lastAt),
          ...(h.meanIntervalMs ? { meanIntervalDays: Math.round((h.meanIntervalMs / 86_400_000) * 10) / 10 } : {}),
        })),
    };
  }
}

const cents = (amount: number) => Math.round(amount * 100) / 100;
