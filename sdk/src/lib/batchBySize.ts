import { utf8Length } from './utf8Length';

/** A queued message: its store key (time, sequence, id: keys sort oldest first) and its JSON text. */
export type Entry = [key: string, json: string];

export interface Batch {
  entries: Entry[];
  /** UTF-8 bytes of the request body these entries make, envelope included. */
  bytes: number;
}

/**
 * Bytes of `{"writeKey":…,"sentAt":"…","context":{…},"batch":[…]}` around the messages, with room for long values.
 * A device whose envelope is longer still (a long write key and an in-app browser's user agent) has a batch refused
 * as too large by the transport: the queue then makes its batches smaller (queue.ts).
 */
export const ENVELOPE_BYTES = 600;

/**
 * Splits entries, in order, into batches whose request body stays within
 * `maxBytes` and `maxCount` messages. A single message larger than the limit
 * travels alone (the collector then keeps it among the rejected, with its reason).
 */
export function batchBySize(entries: Entry[], maxBytes: number, maxCount = 500): Batch[] {
  const batches: Batch[] = [];
  let current: Batch | undefined;
  for (const entry of entries) {
    const size = utf8Length(entry[1]) + 1; // +1: the comma

    if (!current || current.bytes + size > maxBytes || current.entries.length >= maxCount) {
      batches.push((current = { entries: [], bytes: ENVELOPE_BYTES }));
    }
    current.entries.push(entry);
    current.bytes += size;
  }
  return batches;
}
