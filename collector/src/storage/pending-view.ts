/**
 * Read-your-writes: an IngestShard's in-memory view of the events it has
 * acknowledged but not yet drained, by browser, so a recommendation request
 * that follows an acknowledged event can take it into account whatever the
 * drain is doing (recommend/as-if-stored.ts applies them).
 *
 * Accepting must stay cheap, so a request's items are kept as the JSON the
 * shard writes anyway and parsed only when that browser asks for
 * recommendations (then once). The view is bounded: per browser the latest
 * MAX_ENTRIES_PER_OWNER requests, MAX_MESSAGES_RETURNED messages per answer,
 * no request over MAX_ENTRY_CHARS (a bulk import from a server, not a browser
 * waiting for its next page), and MAX_TOTAL_CHARS in all, the oldest evicted
 * first. What it forgets only loses immediacy: the drain still stores
 * everything.
 *
 * An entry stays until the drain has settled every pending row up to the one
 * it was written in (`forgetBefore`); an event the drain already applied but
 * whose row is still pending (a drain that failed after the profiles) is
 * recognised by its messageId where it is applied. Pure: tested beside.
 */
import type { StoredMessage } from '@trailmark/schema';

/** Requests kept per browser (anonymousId or userId). */
export const MAX_ENTRIES_PER_OWNER = 16;
/** Pending messages handed to one recommendation request, the latest. */
export const MAX_MESSAGES_RETURNED = 50;
/** A request larger than this (characters of JSON) is not kept: a bulk import, not a browser. */
export const MAX_ENTRY_CHARS = 256 * 1024;
/** Characters of JSON kept in all. */
export const MAX_TOTAL_CHARS = 8 * 1024 * 1024;

/** The ids a pending message is found by: its anonymousId and its userId. */
export const ownerKeys = (ids: { anonymousId?: string; userId?: string }): string[] => [
  ...(ids.anonymousId ? [`a:${ids.anonymousId}`] : []),
  ...(ids.userId ? [`u:${ids.userId}`] : []),
];

/** The shape of the buffer's items that the view reads (ingest-shard.ts, PendingItem). */
type Item = { kind: string; message?: StoredMessage };

interface Entry {
  /** The last pending row of the commit that wrote it. */
  seq: number;
  /** Arrival order, for answers in acceptance order. */
  order: number;
  owners: string[];
  chars: number;
  /** JSON arrays of items, until first read. */
  json?: string[];
  /** The events, once read. */
  events?: StoredMessage[];
  evicted?: boolean;
}

export class PendingView {
  private readonly byOwner = new Map<string, Entry[]>();
  /** Every entry, oldest first (arrival and seq both increase along it). */
  private readonly queue: Entry[] = [];
  private head = 0;
  private totalChars = 0;
  private order = 0;

  constructor(private readonly limits = { totalChars: MAX_TOTAL_CHARS, entryChars: MAX_ENTRY_CHARS, perOwner: MAX_ENTRIES_PER_OWNER }) {}

  /** Keeps a request's items (JSON arrays of PendingItem, unparsed) under the ids of its events. */
  add(owners: readonly string[], json: readonly string[], seq: number): void {
    const chars = json.reduce((sum, part) => sum + part.length, 0);
    if (owners.length === 0 || chars > this.limits.entryChars) return;
    this.insert({ seq, order: this.order++, owners: [...new Set(owners)], chars, json: [...json] });
  }

  /** Keeps events already read (the view rebuilt from pending rows after a restart). */
  addEvents(events: readonly StoredMessage[], seq: number, chars: number): void {
    const owners = [...new Set(events.flatMap((m) => ownerKeys(m)))];
    if (owners.length === 0) return;
    this.insert({ seq, order: this.order++, owners, chars, events: [...events] });
  }

  /** The pending events of a browser (its anonymousId or userId), in acceptance order, each messageId once, the latest MAX_MESSAGES_RETURNED. */
  eventsOf(ids: { anonymousId?: string; userId?: string }, max = MAX_MESSAGES_RETURNED): StoredMessage[] {
    const entries = new Set<Entry>();
    for (const key of ownerKeys(ids)) for (const entry of this.byOwner.get(key) ?? []) entries.add(entry);
    const mine = (m: StoredMessage) =>
      (ids.anonymousId !== undefined && m.anonymousId === ids.anonymousId) || (ids.userId !== undefined && m.userId === ids.userId);
    // A batch accepted twice (the tag resent it, or the ingest route retried a call whose answer was lost)
    // is applied once by the drain, which knows each messageId: so here too, at its first acceptance.
    const seen = new Set<string>();
    const first = (m: StoredMessage) => {
      if (seen.has(m.messageId)) return false;
      seen.add(m.messageId);
      return true;
    };
    const events = [...entries].sort((a, b) => a.order - b.order).flatMap((entry) => read(entry).filter((m) => mine(m) && first(m)));
    return events.slice(-max);
  }

  /** Forgets what was written in rows before `seq`: the drain has settled every one of them. */
  forgetBefore(seq: number): void {
    while (this.head < this.queue.length && this.queue[this.head]!.seq < seq) this.remove(this.queue[this.head++]!);
    this.compact();
  }

  get size(): { entries: number; chars: number } {
    return { entries: this.queue.length - this.head, chars: this.totalChars };
  }

  private insert(entry: Entry): void {
    this.queue.push(entry);
    this.totalChars += entry.chars;
    for (const owner of entry.owners) {
      const list = this.byOwner.get(owner) ?? [];
      list.push(entry);
      // The browser's oldest requests go first; they stay in the queue until evicted or settled.
      if (list.length > this.limits.perOwner) list.splice(0, list.length - this.limits.perOwner);
      this.byOwner.set(owner, list);
    }
    while (this.totalChars > this.limits.totalChars && this.head < this.queue.length) this.remove(this.queue[this.head++]!);
    this.compact();
  }

  private remove(entry: Entry): void {
    if (entry.evicted) return;
    entry.evicted = true;
    this.totalChars -= entry.chars;
    for (const owner of entry.owners) {
      const list = this.byOwner.get(owner);
      if (!list) continue;
      const left = list.filter((e) => e !== entry);
      if (left.length) this.byOwner.set(owner, left);
      else this.byOwner.delete(owner);
    }
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }
}

/** An entry's events, parsed on first read (rejected items are not events). */
function read(entry: Entry): StoredMessage[] {
  if (!entry.events) {
    entry.events = (entry.json ?? []).flatMap((part) =>
      (JSON.parse(part) as Item[]).flatMap((item) => (item.kind === 'event' && item.message ? [item.message] : [])),
    );
    entry.json = undefined;
  }
  return entry.events;
}
