/**
 * The raw event archive in R2: every drained batch of stored events, as gzip
 * NDJSON, partitioned Hive-style by the hour it was received
 * (events/write_key=…/dt=YYYY-MM-DD/hour=HH/<digest>.ndjson.gz), which
 * warehouse loaders and external tables read as they are. The event log in D1
 * keeps a recent window (EVENT_RETENTION_DAYS); the archive keeps everything.
 *
 * The object key is a digest of the batch's messageIds, so a retried drain
 * rewrites the same object. A message the client sent twice may appear in two
 * objects: consumers deduplicate on messageId, as with any Segment-style feed.
 */
import { contentDigest } from '../lib/hash';
import type { EventRow } from './event-log';

export async function archiveEvents(bucket: R2Bucket | undefined, writeKey: string, rows: EventRow[]): Promise<void> {
  if (!bucket || rows.length === 0) return;
  const byHour = new Map<string, EventRow[]>();
  for (const row of rows) {
    const hour = row.message.receivedAt.slice(0, 13);
    const group = byHour.get(hour);
    if (group) group.push(row);
    else byHour.set(hour, [row]);
  }
  await Promise.all(
    [...byHour].map(async ([hour, group]) => {
      const digest = contentDigest(group.map((r) => r.message.messageId).join('\n'));
      const key = `events/write_key=${encodeURIComponent(writeKey)}/dt=${hour.slice(0, 10)}/hour=${hour.slice(11, 13)}/${digest}.ndjson.gz`;
      const ndjson = group.map(({ message, profileId }) => JSON.stringify({ ...message, writeKey, profileId })).join('\n') + '\n';
      const gzipped = await new Response(new Blob([ndjson]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer();
      await bucket.put(key, gzipped, {
        httpMetadata: { contentType: 'application/x-ndjson', contentEncoding: 'gzip' },
        customMetadata: { events: String(group.length) },
      });
    }),
  );
}
