/**
 * The delivery loop with the browser around it stubbed: fetch answers as a
 * collector would, timers are fake, IndexedDB is absent (so the queue chunk
 * runs in memory, as it does when IndexedDB is broken), localStorage is a
 * Map.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Message } from '@trailmark/schema';
import * as queueChunk from '../../src/queue';
import { createQueueStore, MAX_QUEUED } from '../../src/queue';
import { createTransport, MAX_BATCH_BYTES, type Sender } from '../../src/transport';
import { deviceContext } from '../../src/context';
import { ENVELOPE_BYTES, type Entry } from '../../src/lib/batchBySize';
import { QUEUED } from '../../src/lib/queued';

type Answer = { status: number; headers?: Record<string, string> } | 'network-error';

let answers: Answer[];
let requests: { at: number; ids: string[]; keepalive: boolean; context: unknown }[];
let listeners: Record<string, (() => void)[]>;
let online: boolean;

const message = (n: number): Message => ({
  type: 'track',
  event: `E${n}`,
  messageId: `m${n}`,
  anonymousId: 'a',
  timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, n)).toISOString(),
});

beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2026, 0, 1), toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  answers = [];
  requests = [];
  listeners = {};
  online = true;
  const on = (type: string, fn: () => void) => (listeners[type] ||= []).push(fn);
  vi.stubGlobal('addEventListener', on);
  vi.stubGlobal('document', { visibilityState: 'visible', addEventListener: on });
  vi.stubGlobal('navigator', {
    language: 'de-DE',
    get onLine() {
      return online;
    },
  });
  const storage = new Map<string, string>();
  vi.stubGlobal('localStorage', {
    getItem: (key: string) => storage.get(key) ?? null,
    setItem: (key: string, value: string) => storage.set(key, String(value)),
    removeItem: (key: string) => storage.delete(key),
    key: (i: number) => [...storage.keys()][i] ?? null,
    get length() {
      return storage.size;
    },
  });
  vi.stubGlobal('screen', { width: 1280, height: 720 });
  vi.stubGlobal('devicePixelRatio', 2);
  vi.stubGlobal('fetch', async (_url: string, init: RequestInit) => {
    const body = JSON.parse(init.body as string);
    requests.push({ at: Date.now(), ids: body.batch.map((m: Message) => m.messageId), keepalive: !!init.keepalive, context: body.context });
    const answer = answers.shift() ?? { status: 200 };
    if (answer === 'network-error') throw new TypeError('Failed to fetch');
    return new Response('{}', { status: answer.status, headers: answer.headers });
  });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

/** A transport whose drafts are messages, and whose queue (the lazy chunk) keeps its entries in `store`. */
const start = () => {
  const store = createQueueStore('test');
  const serialize = (m: Message): Entry => [m.timestamp! + m.messageId, JSON.stringify(m)];
  const loadQueue = async () => ({ ...queueChunk, createQueue: (sender: Sender) => queueChunk.createQueue(sender, store) });
  return {
    store,
    transport: createTransport(
      'https://c.example',
      'key',
      500,
      serialize,
      deviceContext,
      () => true,
      loadQueue,
      () => {},
      () => {},
    ),
  };
};

describe('transport', () => {
  it('gathers messages for the interval, then sends them in one keepalive request with the device context', async () => {
    const { store, transport } = start();
    transport.send(message(1));
    transport.send(message(2));
    expect(requests).toEqual([]);
    await vi.advanceTimersByTimeAsync(500);
    expect(requests).toEqual([
      {
        at: expect.any(Number),
        ids: ['m1', 'm2'],
        keepalive: true,
        context: { locale: 'de-DE', timezone: expect.any(String), screen: { width: 1280, height: 720, density: 2 } },
      },
    ]);
    expect(await store.all()).toEqual([]);
  });

  it('retries 503 with backoff and 429 no sooner than Retry-After, with the same messageIds, then stops', async () => {
    const { store, transport } = start();
    answers = [{ status: 503 }, { status: 429, headers: { 'Retry-After': '7' } }, { status: 200 }];
    transport.send(message(1));
    await vi.advanceTimersByTimeAsync(500);
    expect(requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000); // first backoff: 0.5–1 s
    expect(requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(requests[1]!.at + 6990 - Date.now());
    expect(requests).toHaveLength(2); // Retry-After: 7 s
    await vi.advanceTimersByTimeAsync(20);
    expect(requests.map((r) => r.ids)).toEqual([['m1'], ['m1'], ['m1']]);
    expect(requests[2]!.at - requests[1]!.at).toBeGreaterThanOrEqual(7000);
    expect(await store.all()).toEqual([]);
    // Nothing left to send: no timer runs.
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps messages through network errors and sends each once when the collector is back', async () => {
    const { transport } = start();
    answers = ['network-error', 'network-error'];
    for (let i = 1; i <= 3; i++) transport.send(message(i));
    await vi.advanceTimersByTimeAsync(500);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(requests.map((r) => r.ids)).toEqual([
      ['m1', 'm2', 'm3'],
      ['m1', 'm2', 'm3'],
      ['m1', 'm2', 'm3'],
    ]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('takes a 4xx as final: the messages are not resent', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { store, transport } = start();
    answers = [{ status: 400 }];
    transport.send(message(1));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(requests).toHaveLength(1);
    expect(await store.all()).toEqual([]);
    expect(warn).toHaveBeenCalled();
  });

  it('waits while offline, without timers, and sends when the browser is back online', async () => {
    const { store, transport } = start();
    online = false;
    transport.send(message(1));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(requests).toEqual([]);
    expect((await store.all()).map((e) => e[0])).toEqual([expect.stringContaining('m1')]);
    expect(vi.getTimerCount()).toBe(0);
    online = true;
    listeners.online!.forEach((fn) => fn());
    await vi.advanceTimersByTimeAsync(0);
    expect(requests.map((r) => r.ids)).toEqual([['m1']]);
  });

  it('a flush() while a failed send is still being queued waits for its backoff too', async () => {
    // IndexedDB answers a write after the entries are readable by the next transaction: model a slow one.
    const memory = createQueueStore('slow');
    let release = () => {};
    const written = new Promise<void>((resolve) => (release = resolve));
    const slow = {
      ...memory,
      put: async (entries: Entry[]) => {
        const put = memory.put(entries);
        await written;
        return put;
      },
    };
    const loadQueue = async () => ({ ...queueChunk, createQueue: (sender: Sender) => queueChunk.createQueue(sender, slow) });
    const serialize = (m: Message): Entry => [m.timestamp! + m.messageId, JSON.stringify(m)];
    const transport = createTransport(
      'https://c.example',
      'key',
      500,
      serialize,
      deviceContext,
      () => true,
      loadQueue,
      () => {},
      () => {},
    );
    answers = [{ status: 503 }];
    transport.send(message(1));
    await vi.advanceTimersByTimeAsync(500);
    expect(requests).toHaveLength(1);
    const flushed = transport.flush();
    await vi.advanceTimersByTimeAsync(10);
    release();
    await flushed;
    await vi.advanceTimersByTimeAsync(400);
    expect(requests).toHaveLength(1); // not resent before the first backoff (0.5–1 s)
    await vi.advanceTimersByTimeAsync(1000);
    expect(requests.map((r) => r.ids)).toEqual([['m1'], ['m1']]);
  });

  it('flush() settles once what was queued is delivered, or persisted when it cannot be', async () => {
    const { store, transport } = start();
    transport.send(message(1));
    await transport.flush();
    expect(requests.map((r) => r.ids)).toEqual([['m1']]);
    answers = [{ status: 503 }];
    transport.send(message(2));
    await transport.flush();
    expect((await store.all()).map((e) => e[1])).toEqual([JSON.stringify(message(2))]);
  });

  it('sends everything waiting at once when the page is hidden, from memory', async () => {
    const { transport } = start();
    transport.send(message(1));
    listeners.visibilitychange![0]!.call(null);
    (document as { visibilityState: string }).visibilityState = 'hidden';
    listeners.pagehide!.forEach((fn) => fn());
    await vi.advanceTimersByTimeAsync(0);
    expect(requests.map((r) => [r.ids, r.keepalive])).toEqual([[['m1'], true]]);
    // Reported while hidden (e.g. web vitals): sent in the same turn, no timer.
    transport.send(message(2));
    await Promise.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(requests.map((r) => r.ids)).toEqual([['m1'], ['m2']]);
  });
});

describe('requests too large for their envelope', () => {
  /** An in-app browser's user agent (Instagram on Android), as long as they come. */
  const UA =
    'Mozilla/5.0 (Linux; Android 12; SM-A125F Build/SP1A.210812.016; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0.6099.144 Mobile Safari/537.36 Instagram 312.0.0.32.112 Android (31/12; 320dpi; 720x1471; samsung; SM-A125F; a12; mt6765; en_US; 551170318)';
  const device = () =>
    JSON.stringify({
      userAgent: UA,
      locale: 'en-US',
      timezone: 'America/Argentina/ComodRivadavia',
      screen: { width: 412, height: 915, density: 2.625000047683716 },
    });
  /** A long write key (the collector takes up to 128 characters). */
  const writeKey = 'k'.repeat(120);
  /** Message n, its JSON 1,013 bytes: sixty of them fill a batch exactly, as batchBySize counts (ENVELOPE_BYTES + 60 × 1,014). */
  const padded = (n: number): Message => {
    const pad = 1013 - JSON.stringify({ ...message(n), properties: { pad: '' } }).length;
    return { ...message(n), properties: { pad: 'x'.repeat(pad) } } as Message;
  };
  const serialize = (m: Message): Entry => [m.timestamp! + m.messageId, JSON.stringify(m)];
  let bodies: number[];

  beforeEach(() => {
    bodies = [];
    const answer = fetch;
    vi.stubGlobal('fetch', (url: string, init: RequestInit) => (bodies.push(new Blob([init.body as string]).size), answer(url, init)));
  });

  function start() {
    const store = createQueueStore('envelope');
    const loadQueue = async () => ({ ...queueChunk, createQueue: (sender: Sender) => queueChunk.createQueue(sender, store) });
    return {
      store,
      transport: createTransport(
        'https://c.example',
        writeKey,
        500,
        serialize,
        device,
        () => true,
        loadQueue,
        () => {},
        () => {},
      ),
    };
  }

  it('delivers a backlog at once when the envelope is longer than batchBySize assumes (write key, user agent)', async () => {
    const envelope = `{"writeKey":"${writeKey}","sentAt":"2026-01-01T00:00:00.000Z","context":${device()},"batch":[]}`.length;
    expect(envelope).toBeGreaterThan(ENVELOPE_BYTES);
    // A backlog an earlier page left (a run of 503s, a day offline), larger than one request: full batches are too
    // large by a few bytes.
    localStorage.setItem(QUEUED, '1');
    const { store, transport } = start();
    const backlog = Array.from({ length: 70 }, (_, i) => serialize(padded(i + 1)));
    expect(ENVELOPE_BYTES + 60 * (backlog[0]![1].length + 1)).toBe(MAX_BATCH_BYTES);
    await store.put(backlog);
    await transport.flush();
    expect(requests.flatMap((r) => r.ids)).toEqual(backlog.map((e) => JSON.parse(e[1]).messageId));
    expect(requests.length).toBeLessThanOrEqual(3);
    expect(Math.max(...bodies)).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    expect(await store.all()).toEqual([]);
    // Nothing waits for a retry.
    expect(vi.getTimerCount()).toBe(0);
  });

  it('sends what the page recorded at once, in batches, when it is too large for one request', async () => {
    const { store, transport } = start();
    for (let i = 1; i <= 70; i++) transport.send(padded(i));
    await vi.advanceTimersByTimeAsync(500);
    // Not after a backoff (half a second at least): the queue's batches go at once.
    await vi.advanceTimersByTimeAsync(10);
    expect(requests.flatMap((r) => r.ids)).toEqual(Array.from({ length: 70 }, (_, i) => `m${i + 1}`));
    expect(Math.max(...bodies)).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    expect(await store.all()).toEqual([]);
  });
});

describe('queue store without IndexedDB', () => {
  it('keeps entries in memory, oldest first, and drops the oldest beyond the cap', async () => {
    const store = createQueueStore('memory');
    await store.put([
      ['2', 'b'],
      ['1', 'a'],
    ]);
    expect(await store.all()).toEqual([
      ['1', 'a'],
      ['2', 'b'],
    ]);
    await store.remove(['1']);
    expect(await store.all()).toEqual([['2', 'b']]);
    await store.put(Array.from({ length: MAX_QUEUED + 4 }, (_, i) => [`k${String(i).padStart(5, '0')}`, String(i)]));
    const all = await store.all();
    expect(all).toHaveLength(MAX_QUEUED);
    // The oldest 5 of 1 + MAX_QUEUED + 4 went: '2', then k00000 … k00003.
    expect(all[0]![0]).toBe('k00004');
  });
});
