/**
 * One slot answer, as the recommendations endpoint and the rule preview
 * give it: the browser's not-yet-drained events from its IngestShard
 * (read-your-writes), the merchandiser's rules as far as the request
 * decides them (slot, time, region, product on screen), then ShopState for
 * the answer — two objects, whatever the history.
 */
import type { RecommendationResponse, Rule, RuleNotApplied, Slot, StoredMessage } from '@trailmark/schema';
import { requestMismatch } from '../merchandising/rules';
import type { Site } from '../sites/site';
import type { ShopRecommendInput } from '../shop/shop-state';
import { browserShard } from '../storage/ingest-shard-choice';

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
}

export async function serveRecommendation(env: Env, site: Site, req: ServeRequest): Promise<RecommendationResponse> {
  return env.SHOP_STATE.getByName(site.writeKey).recommend(await recommendInput(env, site, req));
}

/**
 * The same answer as JSON text, as ShopState wrote it: the route sends it
 * on as it is, instead of the runtime copying the answer's objects across
 * the call and the route writing them out again.
 */
export async function serveRecommendationJson(env: Env, site: Site, req: ServeRequest): Promise<string> {
  return env.SHOP_STATE.getByName(site.writeKey).recommendJson(await recommendInput(env, site, req));
}

/** ShopState's input: the request, the browser's pending events and the rules the request itself does not rule out. */
async function recommendInput(env: Env, site: Site, req: ServeRequest): Promise<ShopRecommendInput> {
  const { writeKey } = site;
  const [pending, all] = await Promise.all([
    pendingEvents(env, writeKey, { anonymousId: req.anonymousId, ...(req.userVerified ? { userId: req.userId } : {}) }),
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
    ...(rules.length ? { rules } : {}),
    ...(req.explain ? { explain: { notApplied } } : {}),
  };
}

/**
 * The browser's events its IngestShard has acknowledged but not drained
 * (read-your-writes). The shard is the one its events go to (the same key
 * as at ingest). Without it the answer is still given, from what is stored.
 */
async function pendingEvents(env: Env, writeKey: string, ids: { anonymousId?: string; userId?: string }): Promise<StoredMessage[]> {
  const key = ids.anonymousId ?? ids.userId;
  if (!key) return [];
  try {
    return await browserShard(env, writeKey, key).pendingEvents(ids);
  } catch (err) {
    console.error('pending events unavailable; answering from stored state', err);
    return [];
  }
}
