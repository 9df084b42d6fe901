/**
 * Delivery: messages are gathered for a moment, persisted, and sent in
 * batches to `POST /v1/batch` as `text/plain` (a "simple" request: no CORS
 * preflight), with the write key, `sentAt` and the device's context
 * (locale, time zone, screen) in the body.
 *
 * - Every send uses `fetch` with `keepalive`, so a request under way when
 *   the page goes away still completes. Browsers allow 64 KiB of keepalive
 *   bodies in flight per page (Fetch spec, "inflight keepalive bytes"), so
 *   batches stay under that and the bytes in flight are counted.
 * - When the page is hidden (tab switch, navigation, close) whatever waits
 *   goes at once, from memory. `sendBeacon` only for what no longer fits the
 *   budget, as a last resort: it cannot see a 503, so those messages stay
 *   queued for the next page.
 * - Network errors, 5xx, 408 and 429 are retried with exponential backoff
 *   and jitter, never sooner than `Retry-After`. Other 4xx are final.
 * - Messages leave the queue only once the collector has answered. A resend
 *   after an unanswered attempt carries the same `messageId`, which the
 *   collector stores once.
 * - No timer runs while nothing waits to be sent.
 */
import { KEEPALIVE_BUDGET_BYTES, type Message } from '@trailmark/schema';
import { backoff } from './lib/backoff';
import { batchBySize, type Batch, type Entry } from './lib/batchBySize';
import { onHidden } from './lib/onHidden';
import { retryAfter } from './lib/retryAfter';
import { warn } from './lib/warn';
import { deviceContext } from './context';
import { whileOwningQueue, type QueueStore } from './queue';

/** Largest request body: under the keepalive budget, leaving room for a small send beside it. */
export const MAX_BATCH_BYTES = KEEPALIVE_BUDGET_BYTES - 4096;

export interface Transport {
  send(message: Message): void;
  /** Persists what waits, then sends the queue (unless offline or backing off). */
  flush(): Promise<void>;
}

/** Whether a status means "try again later" rather than a final answer. */
export function isRetryable(status: number): boolean {
  return status == 408 || status == 429 || status >= 500;
}

export function createTransport(apiHost: string, writeKey: string, store: QueueStore, interval: number): Transport {
  const url = `${apiHost}/v1/batch`;
  /** Keys this tab queued: without Web Locks a tab sends only its own (and, once, what it found at start). */
  const mine = new Set<string>();
  let adoptLeftovers = true;
  let waiting: Entry[] = [];
  let flushTimer: ReturnType<typeof setTimeout> | 0 = 0;
  let retryTimer: ReturnType<typeof setTimeout> | 0 = 0;
  let networkFailed = false;
  let attempts = 0;
  let keepaliveBytes = 0;
  let draining: Promise<void> | undefined;
  let drainAgain = false;
  let hiddenSendQueued = false;
  /** Orders the messages of one millisecond in the queue, whose keys sort by time. */
  let sequence = 0;

  let device: string | undefined;
  const body = (entries: Entry[]) =>
    `{"writeKey":${JSON.stringify(writeKey)},"sentAt":"${new Date().toISOString()}","context":${(device ||= JSON.stringify(deviceContext()))},"batch":[${entries.map((e) => e[1]).join()}]}`;

  function retryIn(ms: number): void {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => {
      retryTimer = 0;
      drain();
    }, ms);
  }

  /** One request. True when the collector has answered for good (the messages leave the queue); false after scheduling a retry. */
  async function post(batch: Batch): Promise<boolean> {
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
    if (delay != undefined) {
      attempts++;
      retryIn(delay);
      return false;
    }
    attempts = 0;
    const keys = batch.entries.map((e) => e[0]);
    keys.forEach((key) => mine.delete(key));
    await store.remove(keys);
    return true;
  }

  /** Sends the whole queue, oldest first, stopping at the first failure. */
  async function sendQueue(exclusive: boolean): Promise<void> {
    if (!navigator.onLine) return; // the `online` event resumes
    let entries = await store.all();
    if (!exclusive) {
      if (!adoptLeftovers) entries = entries.filter((e) => mine.has(e[0]));
      adoptLeftovers = false;
    }
    for (const batch of batchBySize(entries, MAX_BATCH_BYTES)) if (!(await post(batch))) return;
  }

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

  /** Takes what waits in memory and queues it in the store. */
  function persist(): [Entry[], Promise<void>] {
    clearTimeout(flushTimer);
    flushTimer = 0;
    const entries = waiting;
    waiting = [];
    return [entries, entries.length ? store.put(entries) : Promise.resolve()];
  }

  async function flush(): Promise<void> {
    await persist()[1];
    if (!retryTimer) await drain();
  }

  /**
   * The page is being hidden and may never run again: what waits goes now,
   * from memory, without waiting for the queue lock. It is queued too, and
   * leaves the queue when the answer comes; if this page dies first, the next
   * one sends it again (the collector keeps one copy).
   */
  function sendHidden(): void {
    hiddenSendQueued = false;
    const [entries] = persist();
    if (!entries.length || !navigator.onLine || retryTimer) return;
    for (const batch of batchBySize(entries, MAX_BATCH_BYTES)) {
      if (keepaliveBytes + batch.bytes <= KEEPALIVE_BUDGET_BYTES) post(batch);
      else {
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
      const entry: Entry = [message.timestamp! + (1e6 + (sequence++ % 1e6)) + message.messageId, JSON.stringify(message)];
      waiting.push(entry);
      mine.add(entry[0]);
      if (document.visibilityState == 'hidden') {
        // Reported while hidden (web vitals at page hide): send in this turn, as timers may never fire again.
        if (!hiddenSendQueued) queueMicrotask(sendHidden);
        hiddenSendQueued = true;
      } else flushTimer ||= setTimeout(flush, interval);
    },
    flush,
  };
}
