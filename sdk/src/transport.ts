/**
 * Delivery: messages are gathered for a moment, then sent as one request to
 * `POST /v1/batch` as `text/plain` (a "simple" request: no CORS preflight),
 * with the write key, `sentAt` and the device's context (locale, time zone,
 * screen) in the body.
 *
 * - Sent from memory. Whatever goes wrong is the business of a lazy chunk
 *   (queue.ts), loaded only then: the persisted queue in IndexedDB (what
 *   failed, what was recorded offline, a backlog too large for one request),
 *   retries, and saying what the collector refused and why. So a page view
 *   costs no IndexedDB work, no Web Lock, and no code for either.
 * - Every send uses `fetch` with `keepalive`, so a request under way when
 *   the page goes away still completes. Browsers allow 64 KiB of keepalive
 *   bodies in flight per page (Fetch spec, "inflight keepalive bytes"), so
 *   requests stay under that and the bytes in flight are counted.
 * - When the page is hidden (tab switch, navigation, close) whatever waits
 *   goes at once, and what has no answer yet is stashed in localStorage,
 *   synchronously (an IndexedDB write may not finish before the page is
 *   gone): if the page dies before the answers come, the next page sends it
 *   again, and the collector keeps one copy. What no longer fits the
 *   keepalive budget is left to the next page (not to sendBeacon, which
 *   cannot see a 503).
 * - Network errors, 5xx, 408 and 429 are retried by the queue with backoff,
 *   never sooner than `Retry-After`. Any other 4xx is final: the collector's
 *   message is said once on the console, and after 401, 403 or 404 (wrong
 *   key, origin or address) the tag stops sending for the page.
 * - No timer runs while nothing waits to be sent.
 * - The answer's ack token (its `Trailmark-Ack` header), which slot
 *   requests pass (slots.ts), is kept in localStorage only while it stands
 *   for everything this browser sent: each send puts its mark there before
 *   it goes, and its answer puts the token back only when no other send
 *   may have been under way meanwhile (post, below).
 */
import { ACK_HEADER, KEEPALIVE_BUDGET_BYTES } from '@trailmark/schema';
import { ACK_KEY } from './identity';
import type { Entry } from './lib/batchBySize';
import { onHidden } from './lib/onHidden';
import { markQueued, QUEUED } from './lib/queued';
import { readStorage, writeStorage } from './lib/storage';
import { uuid } from './lib/uuid';

/** Largest request body: under the keepalive budget, leaving room for a small send beside it. */
export const MAX_BATCH_BYTES = KEEPALIVE_BUDGET_BYTES - 4096;

/** Whether a status means "try again later" rather than a final answer: 408, 429, 5xx (a status has three digits). */
export const isRetryable = (status: number) => /^(5|408|429)/.test(status as unknown as string);

/**
 * The outcome of one request: undefined once answered for good; to retry, the answer (the queue reads its Retry-After),
 * '' (too large: the queue splits it), or null after a network error.
 */
export type Outcome = Response | '' | null | undefined;

/** A send's mark stands for a send that may be under way for this long (one of a page gone before its answer came). */
export const ACK_MARK_MS = 30_000;

/** What the queue chunk uses of the transport. */
export interface Sender {
  /** One request; the queue keeps each under MAX_BATCH_BYTES. */
  post(entries: Entry[]): Promise<Outcome>;
  /** IndexedDB database and Web Lock name. */
  name: string;
  /** This tab's stash in localStorage. */
  stashKey: string;
  /** Whether earlier pages had left something queued when this one started (a tab without Web Locks sends it once). */
  leftovers: boolean;
  /** Delivered: out of this tab's stash. */
  unstash(entries: Entry[]): void;
}

/** The queue chunk (queue.ts): what the transport hands over when something goes wrong. */
export interface Queue {
  put(entries: Entry[]): Promise<void>;
  /** Schedules a retry after a failed request. */
  retry(outcome: Outcome): void;
  /** Whether a retry is scheduled: fresh messages then join the queue instead of going ahead. */
  waiting(): boolean;
  /** Sends the queue (one tab at a time); settles when done or when it must wait. */
  drain(): Promise<void>;
}

/** What the transport loads when something goes wrong (queue.ts). */
export interface QueueChunk {
  createQueue(sender: Sender): Queue;
  /** Says once what the collector said: about a request it refused, or about messages of an accepted batch it did not store. */
  report(response: Response): Promise<void>;
}

export interface Transport<D> {
  send(draft: D): void;
  /** Sends what waits (and the persisted queue); settles once each message is delivered or persisted. */
  flush(): Promise<void>;
}

/**
 * @param serialize a recorded call as a queue entry (key, JSON); undefined when it cannot be sent
 * @param device the device's context, as JSON: the batch's `context`
 * @param mayStore whether consent allows storing on the device (the ack token's mark)
 * @param delivered told of each request and its answer (what `debug(true)` logs)
 * @param onStop called when the collector refused the page (401, 403, 404): nothing more is recorded
 */
export function createTransport<D>(
  url: string,
  writeKey: string,
  interval: number,
  serialize: (draft: D) => Entry | undefined,
  device: () => string,
  mayStore: () => boolean,
  loadQueue: () => Promise<QueueChunk>,
  delivered: (...details: unknown[]) => void,
  onStop: () => void,
): Transport<D> {
  /** Recorded, not sent yet. */
  let waiting: D[] = [];
  /** Sent from memory, no answer yet: stashed if the page is hidden meanwhile. */
  const underWay = new Set<Entry>();
  let queue: Queue | undefined;
  let loading: Promise<Queue | undefined> | undefined;
  /** The queue; undefined when its chunk cannot be had (offline before it ever loaded): asked again next time. */
  const useQueue = () =>
    (loading ||= loadQueue().then(
      (chunk) => (queue = chunk.createQueue(sender)),
      () => (loading = undefined),
    ));
  /** What this tab stashed at a page hide and has no answer for yet. */
  const stash = new Map<string, string>();
  let flushTimer: ReturnType<typeof setTimeout> | 0 = 0;
  /** A failed send on its way into the queue: until its retry is scheduled, a flush must not send it again at once. */
  let failing: Promise<void> | undefined;
  let keepaliveBytes = 0;
  /** This page's sends under way. */
  let flying = 0;
  let stopped = false;

  async function post(entries: Entry[]): Promise<Outcome> {
    if (stopped) return;
    const body = `{"writeKey":${JSON.stringify(writeKey)},"sentAt":"${new Date().toISOString()}","context":${device()},"batch":[${entries.map((e) => e[1])}]}`;
    const bytes = new Blob([body]).size;
    // Too large for one request: the queue splits it.
    if (bytes > MAX_BATCH_BYTES && entries[1]) return '';
    // Counted while in flight, when it goes with keepalive.
    const counted = keepaliveBytes + bytes > KEEPALIVE_BUDGET_BYTES ? 0 : bytes;
    keepaliveBytes += counted;
    // Until this send is answered, the ack token kept for slot requests would leave its events out: this send's mark
    // (unique: "~", the time, then a random number whole: added to the time as a fraction it would keep about 12 bits)
    // stands in its place, in every tab.
    const was = readStorage(ACK_KEY);
    const began = Date.now();
    const sent = '~' + began + Math.random();
    const alone = !flying++;
    // The token goes first: where localStorage is full the mark cannot be written, and the token must not stay.
    writeStorage(ACK_KEY);
    // The mark only while consent allows storing: after a withdrawal, what was recorded before it and the queue's
    // retries still go, and leave nothing on the device (without their mark, their answers' tokens are not kept).
    writeStorage(ACK_KEY, mayStore() && sent);
    let response: Response | undefined;
    try {
      response = await fetch(url, { method: 'POST', body, keepalive: !!counted });
    } catch {
      // Offline, DNS, a dropped connection: try again later.
      return null;
    } finally {
      flying--;
      keepaliveBytes -= counted;
      delivered(entries.length, 'events:', response?.status || 'network error');
    }
    // Settled here, as the answer comes (the page may go before a chunk would run): the answer's token is kept if no
    // send began since (the mark is still this one) and none was under way when this one began: none of this page,
    // and none of another page or tab whose mark is less than ACK_MARK_MS older (a page gone before reading its
    // answer leaves its mark). Otherwise that older mark is put back, without its random part (no send's own), so
    // that it counts from the older send's start. Tokens sort before "~"; without a token (a failure, nothing
    // stored) this send's mark stays.
    // (Lower case: header names are case-insensitive, and so it compresses with the tag's other "trailmark"s.)
    const ack = response.headers.get(ACK_HEADER.toLowerCase());
    if (ack && alone && readStorage(ACK_KEY) == sent) writeStorage(ACK_KEY, was! > `~${began - ACK_MARK_MS}` ? was!.slice(0, 14) : ack);
    if (isRetryable(response.status)) return response;
    // A refusal, or an accepted batch's answer, which may name messages rejected or dropped: the queue chunk reads it
    // and says so (leaving the answer to that chunk keeps the initial tag small). A chunk that cannot be had (blocked,
    // gone after a deploy) throws nothing into the page: debug(true) logs why.
    loadQueue().then((chunk) => chunk.report(response), delivered);
    // 401, 403, 404.
    if (/^40[134]/.test(response.status as unknown as string)) {
      stopped = true;
      waiting = [];
      stash.clear();
      onStop();
    }
    unstash(entries);
  }

  const sender: Sender = { post, name: `trailmark:${writeKey}`, stashKey: `${QUEUED}.${uuid()}`, leftovers: !!readStorage(QUEUED), unstash };

  /** Delivered (or refused for good): out of this tab's stash, if it was there. */
  function unstash(entries: Entry[]): void {
    if (entries.filter(([key]) => stash.delete(key))[0] || stopped) writeStash();
  }

  /** Into this tab's stash (localStorage, written at once): what must outlive the page, or wait for the queue chunk. */
  function keep(entries: Entry[]): void {
    entries.forEach(([key, json]) => stash.set(key, json));
    writeStash();
  }

  function writeStash(): void {
    writeStorage(sender.stashKey, stash.size ? JSON.stringify([...stash]) : null);
    if (stash.size) markQueued();
  }

  /**
   * Hands messages to the queue, and a retry to schedule after `outcome` (a
   * failed request). When the queue's chunk cannot be had (offline before it
   * was ever loaded, the collector that serves it down), they wait in this
   * tab's stash, tried again once the browser is back online, at the next
   * send, or by the next page.
   */
  async function persist(entries: Entry[], outcome?: Outcome): Promise<void> {
    try {
      const q = (await useQueue())!;
      await q.put(entries);
      if (outcome !== undefined) q.retry(outcome);
    } catch {
      keep(entries);
      addEventListener('online', flush, { once: true });
    }
  }

  function take(): Entry[] {
    clearTimeout(flushTimer);
    flushTimer = 0;
    const drafts = waiting;
    waiting = [];
    return drafts.map(serialize).filter((e): e is Entry => !!e);
  }

  /** Sends entries now, or hands them to the queue: offline, or while the collector asked to wait. */
  async function sendNow(entries: Entry[]): Promise<void> {
    if (!navigator.onLine || queue?.waiting()) return persist(entries);
    entries.forEach((e) => underWay.add(e));
    const outcome = await post(entries);
    entries.forEach((e) => underWay.delete(e));
    if (outcome !== undefined) await (failing = persist(entries, outcome));
  }

  async function flush(): Promise<void> {
    await failing;
    const entries = take();
    if (entries[0]) await sendNow(entries);
    // What earlier pages or failed sends left, unless the collector asked to wait.
    if (readStorage(QUEUED) && !queue?.waiting()) await (await useQueue())?.drain();
  }

  /**
   * The page is being hidden and may never run again. What waits goes now,
   * in this task; it is stashed too, with what is under way, in case the page
   * dies before the answers come.
   */
  function sendHidden(): void {
    const entries = take();
    if (stopped) return;
    keep([...entries, ...underWay]);
    if (entries[0]) sendNow(entries);
  }

  onHidden(sendHidden);

  return {
    send(draft) {
      if (stopped) return;
      waiting.push(draft);
      // Recorded while hidden (web vitals at page hide): send in this turn, as timers may never fire again.
      if (document.visibilityState == 'hidden') queueMicrotask(() => waiting[0] && sendHidden());
      else flushTimer ||= setTimeout(flush, interval);
    },
    flush,
  };
}
