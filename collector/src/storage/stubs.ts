/** Typed stubs of the Durable Objects, named the one way they are addressed everywhere. */
import { hash53 } from '../lib/hash';
import type { ShopState } from '../shop/shop-state';
import type { IngestShard } from './ingest-shard';

export const shardCount = (env: Env) => Math.max(1, Math.floor(Number(env.INGEST_SHARDS)) || 1);

export function shardStub(env: Env, writeKey: string, index: number): DurableObjectStub<IngestShard> {
  return env.INGEST_SHARD.get(env.INGEST_SHARD.idFromName(`${writeKey}#${index}`)) as DurableObjectStub<IngestShard>;
}

/**
 * The shard a browser's messages go to, keyed by its anonymousId (or userId
 * without one): its events keep their order, and the recommendation route
 * finds its not-yet-drained events there.
 */
export function browserShard(env: Env, writeKey: string, key: string): DurableObjectStub<IngestShard> {
  return shardStub(env, writeKey, hash53(key) % shardCount(env));
}

export function shardStubs(env: Env, writeKey: string): DurableObjectStub<IngestShard>[] {
  return Array.from({ length: shardCount(env) }, (_, i) => shardStub(env, writeKey, i));
}

export function shopState(env: Env, writeKey: string): DurableObjectStub<ShopState> {
  return env.SHOP_STATE.get(env.SHOP_STATE.idFromName(writeKey)) as DurableObjectStub<ShopState>;
}
