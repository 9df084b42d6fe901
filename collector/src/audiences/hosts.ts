/**
 * Where a site's profiles live: the one seam every audience fan-out goes
 * through (replicating definitions, backfill status and sizes, members,
 * preview, RFM summaries) and the one place a single profile is looked up.
 *
 * In the single-object layout one ShopState object per site holds all of its
 * profiles, so both answer that object. With profile shards (site setting
 * `profileShards`) they are the shards, which host audiences/audience-host.ts
 * the way ShopState does; every caller already treats the answer as many
 * hosts whose figures add up. The setting is read from the site directory's
 * cache (no call to ShopState on the way): until ShopState has moved the
 * profiles (shop/profile-layout.ts, at the next batch) the shards are empty
 * but already take definitions, and ShopState hands on what reaches it
 * after the move.
 */
import type { ProfileShard } from '../profiles/profile-shard';
import { profileShardOf, profileShardStub } from '../profiles/profile-shard';
import type { ShopState } from '../shop/shop-state';
import { findSite } from '../sites/site-directory';

/** A profile host's stub: the audience and campaign methods both kinds expose (profiles/profile-host-object.ts). */
export type AudienceHostStub = DurableObjectStub<ShopState> | DurableObjectStub<ProfileShard>;

/** The site's profile shards; 0: its profiles are in ShopState. */
export async function profileShardCount(env: Env, writeKey: string): Promise<number> {
  return (await findSite(env, writeKey))?.settings.profileShards ?? 0;
}

/** Every object holding some of the site's profiles, in a fixed order (members cursors name a host by its place). */
export async function profileHosts(env: Env, writeKey: string): Promise<AudienceHostStub[]> {
  const shards = await profileShardCount(env, writeKey);
  if (shards === 0) return [env.SHOP_STATE.getByName(writeKey)];
  return Array.from({ length: shards }, (_, i) => profileShardStub(env, writeKey, i));
}

/** The object holding this profile. */
export async function hostOfProfile(env: Env, writeKey: string, profileId: string): Promise<AudienceHostStub> {
  const shards = await profileShardCount(env, writeKey);
  return shards === 0 ? env.SHOP_STATE.getByName(writeKey) : profileShardStub(env, writeKey, profileShardOf(profileId, shards));
}

/** The place in profileHosts() of the host holding a profile. */
export async function profileHostPlace(env: Env, writeKey: string): Promise<(profileId: string) => number> {
  const shards = await profileShardCount(env, writeKey);
  return (profileId) => (shards === 0 ? 0 : profileShardOf(profileId, shards));
}
