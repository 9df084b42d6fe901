/**
 * Lazy chunk: delivery when something goes wrong, loaded only then. The
 * queue of messages that could not be delivered yet (a send failed, the
 * browser is offline, or a page left something behind: the `tm_q` mark),
 * and what the collector said about a refusal. It keeps them in IndexedDB (idb-keyval's store,
 * with the three operations it needs written here), so that they survive
 * offline periods, crashes and reloads, and it sends them with backoff,
 * never sooner than `Retry-After`, from one tab at a time (Web Locks).
 *
 * What pages stashed in localStorage as they were hidden (transport.ts) is
 * sent with the rest. A message leaves the queue only once the collector
 * has answered; one sent again after an answer was lost carries the same
 * `messageId`, which the collector stores once.
 *
 * IndexedDB can be missing, blocked, full or broken; then the queue lives in
 * memory for the rest of the page and nothing is thrown.
 */
import { createStore, promisifyRequest, type UseStore } from 'idb-keyval';
import type { IngestResponse } from '@trailmark/schema';
import type { Outcome, Queue, Sender } from './transport';
import { backoff } from './lib/backoff';
import { batchBySize, ENVELOPE_BYTES, type Entry } from './lib/batchBySize';
import { markQueued, QUEUED } from './lib/queued';
import { refusal } from './lib/refusal';
import { retryAfter } from './lib/retryAfter';
import { readStorage, writeStorage } from './lib/storage';
import { warnOnce } from './lib/warn';
import { MAX_BATCH_BYTES } from './transport';

/**
 * Says once, on the console, what the collector said: why it refused a
 * request (its message tells what to do), or (an accepted batch's answer)
 * which messages it rejected or dropped because of the site's settings.
 */
export async function report(response: Response): Promise<void> {
  if (!response.ok) return void refusal(response, 'refused, not retried: ');
  try {
    const { rejected, dropReasons = [] }: IngestResponse = await response.json();
    if (rejected[0]) warnOnce('rejected', `the collector rejected ${rejected.length} events (kept for the site's admins), e.g.: ${rejected[0].reason}`);
    for (const drop of dropReasons) warnOnce(drop.reason, `${drop.count} events dropped: ${drop.message}`);
  } catch {
    // Not an answer of ours.
  }
}

export interface QueueStore {
  put(entries: Entry[]): Promise<void>;
  /** Every queued entry, oldest first. */
  all(): Promise<Entry[]>;
  remove(keys: string[]): Promise<void>;
}

/**
 * An IndexedDB call that has not answered in this time is taken as broken:
 * an open blocked by another tab's old connection, or Safari's open that
 * never settles (https://bugs.webkit.org/show_bug.cgi?id=226547).
 */
const IDB_TIMEOUT_MS = 3000;
/** At most this many messages wait; beyond it the oldest go (an offline week must not fill the disk). */
export const MAX_QUEUED = 2000;

export function createQueueStore(name: string): QueueStore {
  const memory = new Map<string, string>();
  let idb: UseStore | undefined;
  try {
    idb = createStore(name, 'queue');
  } catch {
    // No indexedDB at all (some webviews, old Firefox private windows).
  }

  /** Runs an IndexedDB operation; on failure or timeout this page goes on in memory. */
  async function attempt<T>(operation: (store: UseStore) => Promise<T>): Promise<T | undefined> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      return idb && (await Promise.race([operation(idb), new Promise<never>((_, reject) => (timer = setTimeout(reject, IDB_TIMEOUT_MS)))]));
    } catch {
      idb = undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  /** One transaction on the object store, settled when it commits. */
  const write = (change: (store: IDBObjectStore) => void) =>
    attempt((use) =>
      use('readwrite', (store) => {
        change(store);
        // Commit now rather than when the task ends: a write made as the page is hidden or closed
        // then gets to disk before the document goes (https://w3c.github.io/IndexedDB/#dom-idbtransaction-commit).
        store.transaction.commit?.();
        return promisifyRequest(store.transaction).then(() => true);
      }),
    );

  const store: QueueStore = {
    async put(list) {
      if (!(await write((s) => list.forEach(([key, json]) => s.put(json, key))))) list.forEach(([key, json]) => memory.set(key, json));
    },
    async all() {
      const [keys = [], values = []] =
        (await attempt((use) => use('readonly', (s) => Promise.all([promisifyRequest(s.getAllKeys()), promisifyRequest(s.getAll())])))) || [];
      // A Map merges what a timed-out write may have put in both places; keys sort oldest first.
      const list = [...new Map([...keys.map((key, i): Entry => [key as string, values[i]]), ...memory])].sort(byKey);
      if (list.length > MAX_QUEUED) await store.remove(list.splice(0, list.length - MAX_QUEUED).map((e) => e[0]));
      return list;
    },
    async remove(keys) {
      keys.forEach((key) => memory.delete(key));
      await write((s) => keys.forEach((key) => s.delete(key)));
    },
  };
  return store;
}

const byKey = (a: Entry, b: Entry) => (a[0] < b[0] ? -1 : 1);

/**
 * Runs `task` as the one tab sending the queue: other tabs wait for their
 * turn, and by then the messages sent are gone from the queue, so no two
 * tabs send the same message. Web Locks exist in secure contexts only
 * (https, localhost) and since Safari 15.4; without them `task` runs at once
 * and is told it is not alone (`exclusive` false).
 */
export async function whileOwningQueue(name: string, task: (exclusive: boolean) => Promise<void>): Promise<void> {
  const locks = navigator.locks;
  if (locks) {
    try {
      return await locks.request(name, () => task(true));
    } catch {
      // A document without a usable lock manager (opaque origin): fall through.
    }
  }
  return task(false);
}

/** The stashes pages left in localStorage as they were hidden (`tm_q.<tab>`), by key. */
function stashes(): [key: string, entries: Map<string, string>][] {
  const found: [string, Map<string, string>][] = [];
  try {
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i)!;
      if (key.startsWith(`${QUEUED}.`)) found.push([key, new Map(JSON.parse(localStorage.getItem(key)!))]);
    }
  } catch {
    // Storage blocked, or a damaged stash: what can be read is sent.
  }
  return found;
}

/** @param store where the queue is kept: IndexedDB, named after the write key */
export function createQueue(sender: Sender, store = createQueueStore(sender.name)): Queue {
  /** Keys this tab queued: without Web Locks a tab drains only its own (and, once, what it found at start). */
  const mine = new Set<string>();
  let adoptLeftovers = sender.leftovers;
  let retryTimer: ReturnType<typeof setTimeout> | 0 = 0;
  let attempts = 0;
  let networkFailed = false;
  let draining: Promise<void> | undefined;
  let drainAgain = false;
  /**
   * Bytes by which this device's request envelope exceeds what batchBySize assumes (a long write key and user agent),
   * learnt from post() refusing a batch as too large: kept for the page, so that later batches fit at once.
   */
  let slack = 0;

  /** Everything queued: IndexedDB and the stashes, oldest first. */
  async function all(): Promise<Entry[]> {
    const entries = new Map(await store.all());
    for (const [, stash] of stashes()) stash.forEach((json, key) => entries.set(key, json));
    return [...entries].sort(byKey);
  }

  async function remove(entries: Entry[]): Promise<void> {
    const keys = entries.map((e) => e[0]);
    keys.forEach((key) => mine.delete(key));
    for (const [name, stash] of stashes()) {
      if (keys.filter((key) => stash.delete(key)).length) writeStorage(name, stash.size ? JSON.stringify([...stash]) : null);
    }
    await store.remove(keys);
  }

  function retryIn(ms: number): void {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => {
      retryTimer = 0;
      queue.drain();
    }, ms);
  }

  /** Sends the queue, oldest first, stopping at the first failure. */
  async function send(exclusive: boolean): Promise<void> {
    const mark = readStorage(QUEUED);
    if (!navigator.onLine || !mark) return; // the `online` event resumes; or nothing is queued anywhere
    let entries = await all();
    if (!exclusive) {
      const own = new Map(stashes().find(([name]) => name == sender.stashKey)?.[1]);
      if (!adoptLeftovers) entries = entries.filter((e) => mine.has(e[0]) || own.has(e[0]));
      adoptLeftovers = false;
    }
    while (entries[0]) {
      const batch = batchBySize(entries, MAX_BATCH_BYTES - slack)[0]!.entries;
      const outcome = await sender.post(batch);
      // Too large after all: the request's envelope (write key, device context) is longer than batchBySize assumes.
      // Retrying the same batch would fail forever, so the batches shrink, and the queue goes on at once. (It ends:
      // a single message is never refused so; one too large on its own goes alone, and the collector says why.)
      if (outcome === '') {
        slack += ENVELOPE_BYTES;
        continue;
      }
      if (outcome !== undefined) return queue.retry(outcome);
      attempts = 0;
      sender.unstash(batch);
      await remove(batch);
      entries = entries.slice(batch.length);
    }
    // Nothing left, and nobody queued meanwhile: the next pages need not open IndexedDB.
    if (readStorage(QUEUED) == mark && !(await all()).length) writeStorage(QUEUED, null);
  }

  const queue: Queue = {
    async put(entries) {
      if (!entries.length) return;
      entries.forEach((e) => mine.add(e[0]));
      // Marked before the write (a page that dies meanwhile still leaves the mark) and after it.
      markQueued();
      await store.put(entries);
      markQueued();
    },
    retry(outcome: Outcome) {
      networkFailed = outcome === null;
      // Too large for one request (the transport sends what it has in one): nothing to wait for, the queue's batches go now.
      retryIn(outcome === '' ? 0 : Math.max(backoff(attempts++), retryAfter(outcome && outcome.headers.get('Retry-After')) || 0));
    },
    waiting: () => !!retryTimer,
    drain() {
      if (draining) {
        drainAgain = true;
        return draining;
      }
      return (draining = (async () => {
        try {
          do {
            drainAgain = false;
            await whileOwningQueue(sender.name, send);
          } while (drainAgain && !retryTimer);
        } finally {
          draining = undefined;
        }
      })());
    },
  };

  addEventListener('online', () => {
    // Back online: a wait caused by the network is over; one the collector asked for (429, 503) is not.
    if (networkFailed) {
      clearTimeout(retryTimer);
      retryTimer = attempts = 0;
    }
    if (!retryTimer) queue.drain();
  });

  return queue;
}
