/**
 * Erasure in the R2 archive. The D1 log and ShopState forget a person at
 * once; the archive holds their raw events in hourly objects among everyone
 * else's. An erasure:
 *
 *  1. writes a tombstone, erasures/write_key=…/<requestedAt>-<id>.json, with
 *     the digests (SHA-256 of "<writeKey>\n<id>") of the person's userIds and
 *     profile ids: a warehouse that copied the archive applies it to its copy;
 *  2. walks the site's archive objects, reading only those whose people
 *     filter (archive.ts) may hold the person, and rewrites each that does
 *     without the person's lines (or deletes it when nothing else is left).
 *
 * The walk starts in the erasure request and goes on, from where it stopped,
 * at each cron trigger until it is done (archive_erasures in D1, migration
 * 0007). A drain that archived a person's events while they were being
 * erased checks the suppression list after writing and removes them itself
 * (ingest-shard.ts), so no object escapes the walk.
 */
import { bloomMayContain } from '../lib/bloom';
import { idHash } from '../lib/hash';
import { archivePrefix, personKeysOf, putArchiveObject, readArchiveObject } from './archive';

export interface ArchiveErasure {
  erasureId: string;
  requestedAt: string;
  /** Digests of the person's userIds. */
  userIdHashes: string[];
  /** Digests of every profile id the person had (merged ones too). */
  profileIdHashes: string[];
}

export interface WalkResult {
  done: boolean;
  /** Objects listed, objects read, objects rewritten without the person, objects deleted (nothing else in them), lines removed. */
  listed: number;
  read: number;
  rewritten: number;
  deleted: number;
  eventsRemoved: number;
}

export async function archiveErasureOf(writeKey: string, person: { profileIds: string[]; userIds: string[] }, requestedAt: string): Promise<ArchiveErasure> {
  return {
    erasureId: crypto.randomUUID(),
    requestedAt,
    userIdHashes: await Promise.all(person.userIds.map((id) => idHash(writeKey, id))),
    profileIdHashes: await Promise.all(person.profileIds.map((id) => idHash(writeKey, id))),
  };
}

export const tombstoneKey = (writeKey: string, erasure: ArchiveErasure) =>
  `erasures/write_key=${encodeURIComponent(writeKey)}/${erasure.requestedAt.replace(/[:.]/g, '')}-${erasure.erasureId}.json`;

/** Records the erasure: the tombstone in R2, and the walk still to do in D1. */
export async function beginArchiveErasure(env: Pick<Env, 'DB' | 'ARCHIVE'>, writeKey: string, erasure: ArchiveErasure): Promise<void> {
  if (!env.ARCHIVE) return;
  await env.ARCHIVE.put(
    tombstoneKey(writeKey, erasure),
    JSON.stringify({
      writeKey,
      ...erasure,
      digest: 'hex(SHA-256(writeKey + "\\n" + id)); a line is the person\'s if the digest of its profileId or of its userId is listed',
    }),
    { httpMetadata: { contentType: 'application/json' } },
  );
  await env.DB.prepare('INSERT INTO archive_erasures (write_key, erasure_id, requested_at, user_hashes, profile_hashes) VALUES (?, ?, ?, ?, ?)')
    .bind(writeKey, erasure.erasureId, erasure.requestedAt, JSON.stringify(erasure.userIdHashes), JSON.stringify(erasure.profileIdHashes))
    .run();
}

/**
 * Walks on with the erasures still pending (of one site, or of every site),
 * oldest first, until each is done or `maxObjects` objects were listed in all.
 */
export async function continueArchiveErasures(
  env: Pick<Env, 'DB' | 'ARCHIVE'>,
  options: { writeKey?: string; maxObjects: number },
): Promise<{ erasureId: string; writeKey: string; result: WalkResult }[]> {
  if (!env.ARCHIVE) return [];
  const { results } = await env.DB.prepare(
    `SELECT write_key, erasure_id, requested_at, user_hashes, profile_hashes, cursor FROM archive_erasures
     WHERE ?1 IS NULL OR write_key = ?1 ORDER BY requested_at`,
  )
    .bind(options.writeKey ?? null)
    .all<{ write_key: string; erasure_id: string; requested_at: string; user_hashes: string; profile_hashes: string; cursor: string | null }>();
  const outcomes = [];
  let budget = options.maxObjects;
  for (const row of results) {
    if (budget <= 0) break;
    const erasure: ArchiveErasure = {
      erasureId: row.erasure_id,
      requestedAt: row.requested_at,
      userIdHashes: JSON.parse(row.user_hashes) as string[],
      profileIdHashes: JSON.parse(row.profile_hashes) as string[],
    };
    const { result, cursor } = await walkArchive(env.ARCHIVE, row.write_key, erasure, { cursor: row.cursor ?? undefined, maxObjects: budget });
    budget -= result.listed;
    if (result.done) {
      await env.DB.prepare('DELETE FROM archive_erasures WHERE write_key = ? AND erasure_id = ?').bind(row.write_key, row.erasure_id).run();
    } else {
      await env.DB.prepare('UPDATE archive_erasures SET cursor = ? WHERE write_key = ? AND erasure_id = ?')
        .bind(cursor ?? null, row.write_key, row.erasure_id)
        .run();
    }
    outcomes.push({ erasureId: row.erasure_id, writeKey: row.write_key, result });
  }
  return outcomes;
}

/** One stretch of the walk over a site's archive objects, from `cursor`, listing at most `maxObjects`. */
export async function walkArchive(
  bucket: R2Bucket,
  writeKey: string,
  erasure: ArchiveErasure,
  options: { cursor?: string; maxObjects: number },
): Promise<{ result: WalkResult; cursor?: string }> {
  const wanted = new Set([...erasure.profileIdHashes.map((h) => `p:${h}`), ...erasure.userIdHashes.map((h) => `u:${h}`)]);
  const result: WalkResult = { done: false, listed: 0, read: 0, rewritten: 0, deleted: 0, eventsRemoved: 0 };
  if (wanted.size === 0) return { result: { ...result, done: true } };
  const cache = new Map<string, Promise<string>>();
  let cursor = options.cursor;
  while (result.listed < options.maxObjects) {
    const page = await bucket.list({
      prefix: archivePrefix(writeKey),
      cursor,
      limit: Math.min(1000, options.maxObjects - result.listed),
      include: ['customMetadata'],
    });
    for (const object of page.objects) {
      result.listed++;
      const filter = object.customMetadata?.persons;
      if (![...wanted].some((key) => bloomMayContain(filter, key))) continue;
      const lines = await readArchiveObject(bucket, object.key);
      if (!lines) continue;
      result.read++;
      const keep = [];
      for (const line of lines) {
        const keys = await personKeysOf(writeKey, line, cache);
        if (keys.some((key) => wanted.has(key))) result.eventsRemoved++;
        else keep.push(line);
      }
      if (keep.length === lines.length) continue;
      if (keep.length === 0) {
        await bucket.delete(object.key);
        result.deleted++;
      } else {
        await putArchiveObject(bucket, writeKey, object.key, keep, cache);
        result.rewritten++;
      }
    }
    if (!page.truncated) return { result: { ...result, done: true } };
    cursor = page.cursor;
  }
  return { result, cursor };
}

/** Objects an erasure request lists itself before leaving the rest of the walk to the cron trigger. */
const OBJECTS_PER_REQUEST = 5000;

/**
 * Erases a person from the archive: the tombstone, then as much of the walk
 * as one request may do (all of it for an archive of up to a few thousand
 * objects); the cron trigger does the rest.
 */
export async function eraseFromArchive(
  env: Pick<Env, 'DB' | 'ARCHIVE'>,
  writeKey: string,
  person: { profileIds: string[]; userIds: string[] },
  nowMs = Date.now(),
): Promise<(Omit<WalkResult, 'done'> & { erasureId: string; done: boolean }) | undefined> {
  if (!env.ARCHIVE) return undefined;
  const erasure = await archiveErasureOf(writeKey, person, new Date(nowMs).toISOString());
  await beginArchiveErasure(env, writeKey, erasure);
  const walked = await continueArchiveErasures(env, { writeKey, maxObjects: OBJECTS_PER_REQUEST });
  const mine = walked.find((w) => w.erasureId === erasure.erasureId);
  return { erasureId: erasure.erasureId, ...(mine?.result ?? { done: false, listed: 0, read: 0, rewritten: 0, deleted: 0, eventsRemoved: 0 }) };
}
