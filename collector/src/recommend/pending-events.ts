/**
 * Read-your-writes, the reading half: a browser's events its IngestShard has
 * acknowledged but not drained (storage/pending-view.ts). Asked by the
 * recommendation route, or by ShopState when the request's ack token is not
 * applied yet (recommend/ack-token.ts). Without the shard the answer is
 * still given, from what is stored.
 */
import type { StoredMessage } from '@trailmark/schema';
import { callObject } from '../lib/object-call';

/** The ids whose pending events a request may see: its anonymousId, and its userId only when the request proved it. */
export function pendingIds(req: { anonymousId?: string; userId?: string; userVerified?: boolean }): { anonymousId?: string; userId?: string } {
  return { anonymousId: req.anonymousId, ...(req.userVerified ? { userId: req.userId } : {}) };
}

/** The key a browser's events are sharded by at ingest (its anonymousId, or its userId without one); undefined: none. */
export const shardKeyOf = (ids: { anonymousId?: string; userId?: string }): string | undefined => ids.anonymousId ?? ids.userId;

/** `shard` makes the stub of the browser's IngestShard (a new one for each attempt: lib/object-call.ts). */
export async function pendingEventsOf(
  shard: () => { pendingEvents(ids: { anonymousId?: string; userId?: string }): Promise<StoredMessage[]> },
  ids: { anonymousId?: string; userId?: string },
): Promise<StoredMessage[]> {
  try {
    // A read: safe to repeat after a transient failure.
    return await callObject(shard, (stub) => stub.pendingEvents(ids), { label: 'ingest shard pendingEvents' });
  } catch (err) {
    console.error('pending events unavailable; answering from stored state', err);
    return [];
  }
}
