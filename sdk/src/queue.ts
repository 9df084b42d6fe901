/**
 * The queue of unsent messages, kept in IndexedDB (idb-keyval's store, with
 * the three operations it needs written here) so that they
 * survive offline periods, crashes and reloads, and shared by the site's
 * tabs, one of which at a time sends it (Web Locks).
 *
 * IndexedDB can be missing, blocked, full or broken; then the queue lives in
 * memory for the rest of the page and nothing is thrown.
 */
import { createStore, promisifyRequest, type UseStore } from 'idb-keyval';
import type { Entry } from './lib/batchBySize';

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
      const list = [...new Map([...keys.map((key, i): Entry => [key as string, values[i]]), ...memory])].sort((a, b) => (a[0] < b[0] ? -1 : 1));
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
