/**
 * One slot answer, as the recommendations endpoint and the rule preview
 * give it: the browser's not-yet-drained events from its IngestShard
 * (read-your-writes), the merchandiser's rules as far as the request
 * decides them (slot, time, region, product on screen), then ShopState for
 * the answer. With the browser's ack token (ack-token.ts) the route calls
 * ShopState alone, which asks the shard only if the token's row is not
 * applied yet: one object call when the browser has nothing pending.
 */
import type { RecommendationResponse, Rule, RuleNotApplied, Slot } from '@trailmark/schema';
import { callObject } from '../lib/object-call';
import { requestMismatch } from '../merchandising/rules';
import type { Site } from '../sites/site';
import type { ShopRecommendInput } from '../shop/shop-state';
import { browserShard, ingestShardCount, ingestShardOf } from '../storage/ingest-shard-choice';
import { ackForBrowser, type AckToken } from './ack-token';
import { pendingEventsOf, pendingIds, shardKeyOf } from './pending-events';

export interface ServeRequest {
  slot: Slot;
  anonymousId?: string;
  userId?: string;
  /** The request proved userId (a valid userHash, or an admin asked). */
  userVerified: boolean;
  productId?: string;
  limit: number;
  exclude: string[];
  geo: { country?: string; region?: string };
  nowMs: number;
  /** The site's rules; a failure to read them answers without them. */
  rules: Promise<Rule[]>;
  /** Add `explain` (admins only). */
  explain?: boolean;
  /** The browser's ack token (`ack=`), when the tag sent one. */
  ack?: AckToken;
}

export async function serveRecommendation(env: Env, site: Site, req: ServeRequest): Promise<RecommendationResponse> {
  const input = await recommendInput(env, site, req);
  // A read (the snapshot caches it refreshes hold the same answer twice): safe to repeat.
  return callObject(
    () => env.SHOP_STATE.getByName(site.writeKey),
    (shop) => shop.recommend(input),
    { label: 'ShopState recommend' },
  );
}

/**
 * The same answer as JSON text, as ShopState wrote it: the route sends it
 * on as it is, instead of the runtime copying the answer's objects across
 * the call and the route writing them out again.
 */
export async function serveRecommendationJson(env: Env, site: Site, req: ServeRequest): Promise<string> {
  const input = await recommendInput(env, site, req);
  // A read, as above: safe to repeat.
  return callObject(
    () => env.SHOP_STATE.getByName(site.writeKey),
    (shop) => shop.recommendJson(input),
    { label: 'ShopState recommend' },
  );
}

/** ShopState's input: the request, the browser's pending events and the rules the request itself does not rule out. */
async function recommendInput(env: Env, site: Site, req: ServeRequest): Promise<ShopRecommendInput> {
  const { writeKey } = site;
  const ids = pendingIds(req);
  const key = shardKeyOf(ids);
  const shards = ingestShardCount(env);
  // A token for this browser's shard: ShopState asks the shard itself, and only if the token's row is not applied yet.
  const ack = key === undefined ? undefined : ackForBrowser(req.ack, ingestShardOf(key, shards), shards);
  const [pending, all] = await Promise.all([
    key === undefined || ack ? [] : pendingEventsOf(() => browserShard(env, writeKey, key), ids),
    req.rules.catch((err: unknown) => {
      console.error('merchandising rules unavailable; answering without them', err);
      return [] as Rule[];
    }),
  ]);
  const context = { slot: req.slot, nowMs: req.nowMs, geo: req.geo, productId: req.productId };
  const rules: Rule[] = [];
  const notApplied: RuleNotApplied[] = [];
  for (const rule of all) {
    const because = requestMismatch(rule, context);
    if (because === undefined) rules.push(rule);
    else if (req.explain) notApplied.push({ id: rule.id, action: rule.action, because });
  }
  return {
    writeKey,
    slot: req.slot,
    anonymousId: req.anonymousId,
    userId: req.userId,
    userVerified: req.userVerified,
    productId: req.productId,
    limit: req.limit,
    geo: { country: req.geo.country, region: req.geo.region },
    holdoutPercent: site.settings.holdoutPercent,
    globalHoldoutPercent: site.settings.globalHoldoutPercent,
    regionalMinShoppers: site.settings.regionalMinShoppers,
    nowMs: req.nowMs,
    currency: site.settings.currency,
    identityVerification: site.settings.identityVerification,
    ...(req.exclude.length ? { exclude: req.exclude } : {}),
    ...(pending.length ? { pending } : {}),
    ...(ack ? { ack } : {}),
    ...(rules.length ? { rules } : {}),
    ...(req.explain ? { explain: { notApplied } } : {}),
  };
}
