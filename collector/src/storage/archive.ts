/**
 * The raw event archive in R2: every drained batch of stored events, as gzip
 * NDJSON, partitioned Hive-style by the hour it was received
 * (events/write_key=…/dt=YYYY-MM-DD/hour=HH/<digest>.ndjson.gz), which
 * warehouse loaders and external tables read as they are. The event log in D1
 * keeps a recent window (EVENT_RETENTION_DAYS); the archive keeps everything
 * but erased people (archive-erasure.ts rewrites the objects that held them).
 *
 * The object key is a digest of the batch's messageIds, so a retried drain
 * rewrites the same object. A message the client sent twice may appear in two
 * objects: consumers deduplicate on messageId, as with any Segment-style feed.
 *
 * Each object's metadata carries a Bloom filter of the people in it (digests
 * of their profile ids and userIds), so an erasure reads only the objects
 * that may hold the person.
 */
import { bloomOf } from '../lib/bloom';
import { contentDigest, idHash } from '../lib/hash';
import { messageJson, type EventRow } from './event-log';

/** One archived line: the stored message with its write key and the profile it was stored under. */
export type ArchiveLine = Record<string, unknown> & { messageId: string; profileId?: string; userId?: string };

export interface ArchivedObject {
  key: string;
  rows: EventRow[];
}

export const archivePrefix = (writeKey: string) => `events/write_key=${encodeURIComponent(writeKey)}/`;

/**
 * The keys an erasure looks for in a line: the digest of its profile id and
 * of its userId (as the D1 log is erased: by profile, merged profile and userId).
 */
export async function personKeysOf(writeKey: string, line: { profileId?: unknown; userId?: unknown }, cache: Map<string, Promise<string>>): Promise<string[]> {
  const digest = (id: string) => {
    let hash = cache.get(id);
    if (!hash) cache.set(id, (hash = idHash(writeKey, id)));
    return hash;
  };
  const keys: string[] = [];
  if (typeof line.profileId === 'string') keys.push(`p:${await digest(line.profileId)}`);
  if (typeof line.userId === 'string' && line.userId) keys.push(`u:${await digest(line.userId)}`);
  return keys;
}

/** Writes one object of lines (or replaces it: the key is the same), with its count and people filter. */
export async function putArchiveObject(
  bucket: R2Bucket,
  writeKey: string,
  key: string,
  lines: ArchiveLine[],
  cache = new Map<string, Promise<string>>(),
): Promise<void> {
  await putArchiveText(
    bucket,
    writeKey,
    key,
    lines.map((line) => JSON.stringify(line)),
    lines,
    cache,
  );
}

/**
 * One drained group's lines: each stored message's JSON (serialised once by
 * the drain, also for D1) with its write key and profile id appended, as the
 * export does.
 */
function archiveText(writeKey: string, rows: readonly EventRow[]): string[] {
  const tail = `,"writeKey":${JSON.stringify(writeKey)},"profileId":`;
  return rows.map((row) => {
    // A message naming either field itself gets ours in its place, as a spread would.
    if ('writeKey' in row.message || 'profileId' in row.message) return JSON.stringify({ ...row.message, writeKey, profileId: row.profileId });
    const json = messageJson(row);
    return `${json.slice(0, -1)}${tail}${JSON.stringify(row.profileId)}}`;
  });
}

async function putArchiveText(
  bucket: R2Bucket,
  writeKey: string,
  key: string,
  texts: readonly string[],
  people: readonly { profileId?: unknown; userId?: unknown }[],
  cache: Map<string, Promise<string>>,
): Promise<void> {
  const keys = (await Promise.all(people.map((line) => personKeysOf(writeKey, line, cache)))).flat();
  const ndjson = texts.join('\n') + '\n';
  const gzipped = await new Response(new Blob([ndjson]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer();
  await bucket.put(key, gzipped, {
    httpMetadata: { contentType: 'application/x-ndjson', contentEncoding: 'gzip' },
    customMetadata: { events: String(texts.length), persons: bloomOf(keys) },
  });
}

export async function readArchiveObject(bucket: R2Bucket, key: string): Promise<ArchiveLine[] | undefined> {
  const object = await bucket.get(key);
  if (!object) return undefined;
  const text = await new Response(object.body.pipeThrough(new DecompressionStream('gzip'))).text();
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ArchiveLine);
}

export async function archiveEvents(bucket: R2Bucket | undefined, writeKey: string, rows: EventRow[]): Promise<ArchivedObject[]> {
  if (!bucket || rows.length === 0) return [];
  const byHour = new Map<string, EventRow[]>();
  for (const row of rows) {
    const hour = row.message.receivedAt.slice(0, 13);
    const group = byHour.get(hour);
    if (group) group.push(row);
    else byHour.set(hour, [row]);
  }
  const cache = new Map<string, Promise<string>>();
  return Promise.all(
    [...byHour].map(async ([hour, group]) => {
      const digest = contentDigest(group.map((r) => r.message.messageId).join('\n'));
      const key = `${archivePrefix(writeKey)}dt=${hour.slice(0, 10)}/hour=${hour.slice(11, 13)}/${digest}.ndjson.gz`;
      await putArchiveText(
        bucket,
        writeKey,
        key,
        archiveText(writeKey, group),
        group.map((row) => ({ profileId: row.profileId, userId: row.message.userId })),
        cache,
      );
      return { key, rows: group };
    }),
  );
}
