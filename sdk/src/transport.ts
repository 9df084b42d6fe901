/**
 * Delivery: messages are gathered for a moment, then sent in batches to
 * `POST /v1/batch` as `text/plain` (a "simple" request: no CORS preflight),
 * with the write key, `sentAt` and the device's context (locale, time zone,
 * screen) in the body.
 *
 * - Sent from memory first. Only what could not be delivered goes into the
 *   persisted queue (queue.ts): what failed, what was recorded offline, and
 *   what was waiting or under way when the page was hidden. The usual
 *   event thus costs no IndexedDB work at all.
 * - Every send uses `fetch` with `keepalive`, so a request under way when
 *   the page goes away still completes. Browsers allow 64 KiB of keepalive
 *   bodies in flight per page (Fetch spec, "inflight keepalive bytes"), so
 *   batches stay under that and the bytes in flight are counted.
 * - When the page is hidden (tab switch, navigation, close) whatever waits
 *   goes at once. `sendBeacon` only for what no longer fits the budget, as a
 *   last resort: it cannot see a 503, so those messages stay queued.
 * - Network errors, 5xx, 408 and 429 are retried from the queue with
 *   exponential backoff and jitter, never sooner than `Retry-After`, by one
 *   tab at a time. Other 4xx are final.
 * - A message leaves the queue only once the collector has answered; one
 *   sent again after an answer was lost carries the same `messageId`, which
 *   the collector stores once.
 * - No timer runs while nothing waits to be sent.
 */
import { KEEPALIVE_BUDGET_BYTES, type Message } from '@trailmark/schema';
import { deviceContext } from './context';
import { backoff } from './lib/backoff';
import { batchBySize, type Batch, type Entry } from './lib/batchBySize';
import { onHidden } from './lib/onHidden';
import { retryAfter } from './lib/retryAfter';
import { warn } from './lib/warn';
import { whileOwningQueue, type QueueStore } from './queue';

/** Largest request body: under the keepalive budget, leaving room for a small send beside it. */
export const MAX_BATCH_BYTES = KEEPALIVE_BUDGET_BYTES - 4096;

export interface Transport {
  send(message: Message): void;
  /** Sends what waits and the persisted queue; settles once each message is delivered or persisted. */
  flush(): Promise<void>;
}

/** Whether a status means "try again later" rather than a final answer. */
export function isRetryable(status: number): boolean {
  return status == 408 || status == 429 || status >= 500;
}

export function createTransport(apiHost: string, writeKey: string, store: QueueStore, interval: number): Transport {
  const url = `${apiHost}/v1/batch`;
  /** Recorded, not sent yet. */
  let waiting: Entry[] = [];
  /** Sent from memory, no answer yet: persisted if the page is hidden meanwhile. */
  const underWay = new Set<Entry>();
  /** Keys this tab put in the queue: without Web Locks a tab drains only its own (and, once, what it found at start). */
  const mine = new Set<string>();
  let adoptLeftovers = true;
  /** Whether the persisted queue may hold something (unknown at start: an earlier page may have left some). */
  let queued = true;
  let flushTimer: ReturnType<typeof setTimeout> | 0 = 0;
  let retryTimer: ReturnType<typeof setTimeout> | 0 = 0;
  let networkFailed = false;
  let attempts = 0;
  let keepaliveBytes = 0;
  /** Counts page hides, to know whether what came back from a send was persisted meanwhile. */
  let hides = 0;
  let draining: Promise<void> | undefined;
  let drainAgain = false;
  let hiddenSendQueued = false;
  /** Orders the messages of one millisecond, whose keys sort by time. */
  let sequence = 0;

  const body = (entries: Entry[]) =>
    `{"writeKey":${JSON.stringify(writeKey)},"sentAt":"${new Date().toISOString()}","context":${deviceContext()},"batch":[${entries.map((e) => e[1]).join()}]}`;
  const keysOf = (entries: Entry[]) => entries.map((e) => e[0]);

  function persist(entries: Entry[]): Promise<void> {
    queued = true;
    entries.forEach((e) => mine.add(e[0]));
    return store.put(entries);
  }

  async function unqueue(entries: Entry[]): Promise<void> {
    const keys = keysOf(entries);
    keys.forEach((key) => mine.delete(key));
    await store.remove(keys);
  }

  function retryIn(ms: number): void {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => {
      retryTimer = 0;
      drain();
    }, ms);
  }

  /** One request. Resolves to the delay before a retry, or undefined once the collector has answered for good. */
  async function post(batch: Batch): Promise<number | undefined> {
    const keepalive = keepaliveBytes + batch.bytes <= KEEPALIVE_BUDGET_BYTES;
    if (keepalive) keepaliveBytes += batch.bytes;
    let delay: number | undefined;
    try {
      const response = await fetch(url, { method: 'POST', body: body(batch.entries), keepalive });
      networkFailed = false;
      if (isRetryable(response.status)) delay = Math.max(backoff(attempts), retryAfter(response.headers.get('Retry-After')) || 0);
      else if (!response.ok) warn(`collector refused ${batch.entries.length} events: HTTP ${response.status}`);
    } catch {
      // Offline, DNS, a dropped connection, or a CORS refusal: fetch cannot tell them apart.
      networkFailed = true;
      delay = backoff(attempts);
    } finally {
      if (keepalive) keepaliveBytes -= batch.bytes;
    }
    attempts = delay == undefined ? 0 : attempts + 1;
    return delay;
  }

  /** Sends entries from memory; what cannot go now, or fails, is persisted for a retry. */
  async function sendFresh(entries: Entry[]): Promise<void> {
    const batches = batchBySize(entries, MAX_BATCH_BYTES);
    for (let i = 0; i < batches.length; i++) {
      const batch = batches[i]!;
      if (!navigator.onLine || retryTimer) return persist(batches.slice(i).flatMap((b) => b.entries)); // the `online` event or the retry resumes
      const hidesBefore = hides;
      batch.entries.forEach((e) => underWay.add(e));
      const delay = await post(batch);
      batch.entries.forEach((e) => underWay.delete(e));
      if (delay != undefined) {
        await persist(batches.slice(i).flatMap((b) => b.entries));
        return retryIn(delay);
      }
      // Persisted when the page was hidden meanwhile: delivered now, so out of the queue again.
      if (hides != hidesBefore) await unqueue(batch.entries);
    }
  }

  /** Sends the persisted queue, oldest first, stopping at the first failure. */
  async function sendQueue(exclusive: boolean): Promise<void> {
    if (!navigator.onLine) return; // the `online` event resumes
    let entries = await store.all();
    if (!exclusive) {
      if (!adoptLeftovers) entries = entries.filter((e) => mine.has(e[0]));
      adoptLeftovers = false;
    }
    if (!entries.length) queued = false;
    for (const batch of batchBySize(entries, MAX_BATCH_BYTES)) {
      const delay = await post(batch);
      if (delay != undefined) return retryIn(delay);
      await unqueue(batch.entries);
    }
  }

  /** Sends the persisted queue as the one tab doing so (Web Locks). */
  function drain(): Promise<void> {
    if (draining) {
      drainAgain = true;
      return draining;
    }
    return (draining = (async () => {
      try {
        do {
          drainAgain = false;
          await whileOwningQueue(`trailmark:${writeKey}`, sendQueue);
        } while (drainAgain && !retryTimer);
      } finally {
        draining = undefined;
      }
    })());
  }

  function take(): Entry[] {
    clearTimeout(flushTimer);
    flushTimer = 0;
    const entries = waiting;
    waiting = [];
    return entries;
  }

  async function flush(): Promise<void> {
    const entries = take();
    if (entries.length) await sendFresh(entries);
    if (queued && !retryTimer) await drain();
  }

  /**
   * The page is being hidden and may never run again. What waits goes now,
   * without the queue lock; it is persisted too, with what is under way, in
   * case the page dies before the answers come (the next page then sends it
   * again, and the collector keeps one copy).
   */
  function sendHidden(): void {
    hiddenSendQueued = false;
    hides++;
    const entries = take();
    const unanswered = [...entries, ...underWay];
    if (!unanswered.length) return;
    persist(unanswered);
    if (!navigator.onLine || retryTimer) return;
    for (const batch of batchBySize(entries, MAX_BATCH_BYTES)) {
      if (keepaliveBytes + batch.bytes <= KEEPALIVE_BUDGET_BYTES) {
        post(batch).then((delay) => (delay == undefined ? unqueue(batch.entries) : retryIn(delay)));
      } else {
        try {
          navigator.sendBeacon(url, body(batch.entries));
        } catch {
          // No sendBeacon: the next page sends these.
        }
      }
    }
  }

  onHidden(sendHidden);
  addEventListener('online', () => {
    // Back online: a wait caused by the network is over; one the collector asked for (429, 503) is not.
    if (networkFailed) {
      clearTimeout(retryTimer);
      retryTimer = attempts = 0;
    }
    if (!retryTimer) drain();
  });

  return {
    send(message) {
      waiting.push([message.timestamp! + (1e6 + (sequence++ % 1e6)) + message.messageId, JSON.stringify(message)]);
      if (document.visibilityState == 'hidden') {
        // Reported while hidden (web vitals at page hide): send in this turn, as timers may never fire again.
        if (!hiddenSendQueued) queueMicrotask(sendHidden);
        hiddenSendQueued = true;
      } else flushTimer ||= setTimeout(flush, interval);
    },
    flush,
  };
}
