/**
 * Which IngestShard holds a browser's messages. A site's accept buffer is
 * split over `INGEST_SHARDS` objects named `<writeKey>#<index>`; a browser
 * always goes to the same one, chosen by a hash of its anonymousId (or its
 * userId without one), so its identify and events keep their order and a
 * recommendation request finds its not-yet-drained events in one place.
 */
import { hash53 } from '../lib/hash';

/** The `INGEST_SHARDS` setting: at least one shard. */
export const ingestShardCount = (env: Env): number => Math.max(1, Math.floor(Number(env.INGEST_SHARDS)) || 1);

/** The shard index of a browser key among `shards`. */
export const ingestShardOf = (browserKey: string, shards: number): number => hash53(browserKey) % shards;

export const ingestShardName = (writeKey: string, index: number): string => `${writeKey}#${index}`;

/** The site and index an ingest shard's name says; undefined for a name not made by ingestShardName. */
export function ingestShardOfName(name: string): { writeKey: string; index: number } | undefined {
  const match = /^(.*)#(\d+)$/s.exec(name);
  return match ? { writeKey: match[1]!, index: Number(match[2]) } : undefined;
}

/** The shard a browser's messages go to. */
export function browserShard(env: Env, writeKey: string, browserKey: string) {
  return env.INGEST_SHARD.getByName(ingestShardName(writeKey, ingestShardOf(browserKey, ingestShardCount(env))));
}

/** Every ingest shard of a site, in index order (status, erasure, dead letters). */
export function ingestShards(env: Env, writeKey: string) {
  return Array.from({ length: ingestShardCount(env) }, (_, i) => env.INGEST_SHARD.getByName(ingestShardName(writeKey, i)));
}
