/**
 * Where a site's profiles live: the one seam every audience fan-out goes
 * through (replicating definitions, backfill status and sizes, members,
 * preview, RFM summaries) and the one place a single profile is looked up.
 *
 * Today one ShopState object per site holds all of its profiles, so both
 * answer that object. When profiles are spread over profile shards, these
 * list the shards instead (and the shards host audiences/audience-host.ts
 * the way ShopState does), and nothing that calls them changes: every
 * caller already treats the answer as many hosts whose figures add up.
 */
import type { ShopState } from '../shop/shop-state';
import { shopState } from '../storage/stubs';

/** A profile host's stub: the audience methods ShopState exposes over RPC. */
export type AudienceHostStub = DurableObjectStub<ShopState>;

/** Every object holding some of the site's profiles, in a fixed order (members cursors name a host by its place). */
export function profileHosts(env: Env, writeKey: string): AudienceHostStub[] {
  return [shopState(env, writeKey)];
}

/** The object holding this profile. */
export function hostOfProfile(env: Env, writeKey: string, _profileId: string): AudienceHostStub {
  return shopState(env, writeKey);
}
