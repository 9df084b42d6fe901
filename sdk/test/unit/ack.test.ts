/**
 * The ack token a slot request passes (`ack=`): the transport keeps the
 * batch answer's token (its Trailmark-Ack header) in localStorage only while
 * it stands for everything the browser sent, and settles that as the answer
 * comes, without waiting for any lazy chunk; slot requests pass it only when
 * it is a token (not a send's mark) and consent allows storing.
 *
 * fetch is played by hand here: each request waits until the test answers it,
 * so sends can overlap in any order. Timers and the clock are fake,
 * localStorage is a Map.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ACK_HEADER, type Message } from '@trailmark/schema';
import { ACK_KEY, forgetIdentity } from '../../src/identity';
import { recommend } from '../../src/slots';
import type { Host } from '../../src/tracker';
import { ACK_MARK_MS, createTransport, type QueueChunk } from '../../src/transport';
import type { Entry } from '../../src/lib/batchBySize';

/** A request under way: its messageIds, what localStorage held for the token as it left, and how to answer it. */
interface Pending {
  ids: string[];
  storedAsItLeft: string | null;
  answer(status: number, ack?: string): Promise<void>;
  fail(): Promise<void>;
}

let pending: Pending[];
let storage: Map<string, string>;
/** localStorage refuses every write (QuotaExceededError), as when it is full. */
let full: boolean;
/** How many times a lazy chunk was asked for. */
let chunkLoads: number;

const message = (n: number): Message => ({
  type: 'track',
  event: `E${n}`,
  messageId: `m${n}`,
  anonymousId: 'a',
  timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, n)).toISOString(),
});
const stored = () => storage.get(ACK_KEY) ?? null;
/** A send's mark: "~" and the time it began (then a random number, or bare when put back for an older send). */
const MARK = /^~\d{13}(0\.\d+|\d\.?\d*e-\d+)?$/;

beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2026, 0, 1), toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  pending = [];
  chunkLoads = 0;
  storage = new Map();
  full = false;
  vi.stubGlobal('addEventListener', () => {});
  vi.stubGlobal('document', { visibilityState: 'visible', addEventListener: () => {} });
  vi.stubGlobal('navigator', { language: 'de-DE', onLine: true });
  vi.stubGlobal('localStorage', {
    getItem: (key: string) => storage.get(key) ?? null,
    setItem: (key: string, value: string) => {
      if (full) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      storage.set(key, String(value));
    },
    removeItem: (key: string) => storage.delete(key),
    key: (i: number) => [...storage.keys()][i] ?? null,
    get length() {
      return storage.size;
    },
  });
  vi.stubGlobal(
    'fetch',
    (_url: string, init: RequestInit) =>
      new Promise<Response>((resolve, reject) => {
        const settle = async (settled: () => void) => {
          settled();
          await vi.advanceTimersByTimeAsync(0);
        };
        pending.push({
          ids: JSON.parse(init.body as string).batch.map((m: Message) => m.messageId),
          storedAsItLeft: stored(),
          answer: (status, ack) =>
            settle(() => resolve(new Response('{"ok":true,"accepted":1,"rejected":[]}', { status, headers: ack ? { [ACK_HEADER]: ack } : {} }))),
          fail: () => settle(() => reject(new TypeError('Failed to fetch'))),
        });
      }),
  );
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

/**
 * A transport whose lazy queue chunk never arrives (as on a page that goes, or a slow network), unless `loadQueue`
 * says otherwise: whatever the token needs is settled without it. `mayStore`: whether consent allows storing.
 */
function start({ mayStore = () => true, loadQueue }: { mayStore?: () => boolean; loadQueue?: () => Promise<QueueChunk> } = {}) {
  const serialize = (m: Message): Entry => [m.timestamp! + m.messageId, JSON.stringify(m)];
  const neverLoads = () => {
    chunkLoads++;
    return new Promise<QueueChunk>(() => {});
  };
  return createTransport(
    'https://c.example/v1/batch',
    'key',
    500,
    serialize,
    () => '{}',
    mayStore,
    loadQueue || neverLoads,
    () => {},
    () => {},
  );
}

/** Sends message n now (flush), without waiting for its answer. */
async function send(transport: ReturnType<typeof start>, n: number): Promise<Pending> {
  transport.send(message(n));
  void transport.flush();
  await vi.advanceTimersByTimeAsync(0);
  return pending.at(-1)!;
}

describe('the ack token kept for slot requests', () => {
  it('is this send’s mark while it is under way, and the answer’s token once it comes, with no chunk loaded', async () => {
    const transport = start();
    const first = await send(transport, 1);
    expect(first.ids).toEqual(['m1']);
    expect(stored()).toMatch(MARK);
    await first.answer(200, '1.4.a');
    expect(stored()).toBe('1.4.a');
    // Settled before any chunk could have run: the queue chunk (asked for the answer's report) never arrived.
    expect(chunkLoads).toBeGreaterThan(0);

    const second = await send(transport, 2);
    expect(second.storedAsItLeft).toMatch(MARK);
    await second.answer(200, '1.4.b');
    expect(stored()).toBe('1.4.b');
  });

  it('keeps no token from two sends of the page that overlapped, whichever is answered first', async () => {
    for (const order of [
      [0, 1],
      [1, 0],
    ]) {
      storage.clear();
      const transport = start();
      const sends = [await send(transport, 1), await send(transport, 2)];
      await sends[order[0]!]!.answer(200, '1.4.x');
      await sends[order[1]!]!.answer(200, '1.4.y');
      expect(stored(), `answered in the order ${order}`).toMatch(MARK);
    }
  });

  it('keeps no token from a send that began while one of the page’s own was under way for longer than a mark counts', async () => {
    const transport = start();
    const slow = await send(transport, 1);
    await vi.advanceTimersByTimeAsync(ACK_MARK_MS + 5000);
    const quick = await send(transport, 2);
    await quick.answer(200, '1.4.q');
    // The slow send may still land after the quick one: the quick one's token would leave it out.
    expect(stored()).toMatch(MARK);
    await slow.answer(200, '1.4.s');
    expect(stored()).toMatch(MARK);
    // Once nothing overlaps, the next answer's token is kept (the quick send's mark is then more than 30 s older).
    await vi.advanceTimersByTimeAsync(ACK_MARK_MS + 1);
    await (await send(transport, 3)).answer(200, '1.4.t');
    expect(stored()).toBe('1.4.t');
  });

  it('keeps no token when another tab began a send meanwhile', async () => {
    const transport = start();
    const ours = await send(transport, 1);
    storage.set(ACK_KEY, `~${Date.now()}0.5`);
    await ours.answer(200, '1.4.o');
    expect(stored()).toBe(`~${Date.now()}0.5`);
  });

  it('keeps no token from two tabs’ sends that overlapped, whichever is answered first', async () => {
    for (const order of [
      [0, 1],
      [1, 0],
    ]) {
      storage.clear();
      // Two transports on one localStorage: two tabs of the browser.
      const sends = [await send(start(), 1), await send(start(), 2)];
      await sends[order[0]!]!.answer(200, '1.4.x');
      await sends[order[1]!]!.answer(200, '1.4.y');
      expect(stored(), `answered in the order ${order}`).toMatch(MARK);
    }
  });

  it('after a mark less than 30 s older (a page gone before its answer came), puts back that mark until 30 s after it', async () => {
    const gone = Date.now() - 1000;
    storage.set(ACK_KEY, `~${gone}0.25`);
    const transport = start();
    await (await send(transport, 1)).answer(200, '1.4.c');
    // Bare: no send's own mark, so that no answer takes it for its own; it counts from the gone page's send.
    expect(stored()).toBe(`~${gone}`);
    await vi.advanceTimersByTimeAsync(10_000);
    await (await send(transport, 2)).answer(200, '1.4.d');
    expect(stored()).toBe(`~${gone}`);
    // A send that began 30 s after the gone page's keeps its token.
    await vi.advanceTimersByTimeAsync(gone + ACK_MARK_MS - Date.now());
    await (await send(transport, 3)).answer(200, '1.4.e');
    expect(stored()).toBe('1.4.e');
  });

  it('keeps the mark after a failed send (it may have been stored), a refusal, or an answer without a token', async () => {
    const outcomes: ((p: Pending) => Promise<void>)[] = [(p) => p.fail(), (p) => p.answer(503), (p) => p.answer(400), (p) => p.answer(200)];
    for (const [i, outcome] of outcomes.entries()) {
      storage.set(ACK_KEY, '1.4.h');
      await outcome(await send(start(), i));
      expect(stored(), `outcome ${i}`).toMatch(MARK);
    }
  });

  it('tells apart the marks of two tabs’ sends begun in the same millisecond', async () => {
    // Random numbers that differ only beyond the 12 bits a fraction added to the time would keep.
    vi.spyOn(Math, 'random')
      .mockReturnValueOnce(0.5)
      .mockReturnValueOnce(0.5 + 2 ** -30);
    const first = await send(start(), 1);
    const marked = stored();
    await send(start(), 2);
    expect(stored()).not.toBe(marked);
    // The first tab's answer must not take the second's mark for its own.
    await first.answer(200, '1.4.a');
    expect(stored()).toMatch(MARK);
  });

  it('keeps no earlier token while a send is under way when localStorage is full', async () => {
    storage.set(ACK_KEY, '1.4.old');
    full = true;
    const under = await send(start(), 1);
    // The mark could not be written: no token either, or the slot request would leave this send's events out.
    expect(stored()).toBeNull();
    await under.answer(200, '1.4.new');
    expect(stored()).toBeNull();
  });

  it('writes nothing once consent is withdrawn, for what was recorded before and still goes', async () => {
    storage.set(ACK_KEY, '1.4.a');
    let mayStore = true;
    const transport = start({ mayStore: () => mayStore });
    transport.send(message(1)); // recorded while consent allowed it: it waits for the interval
    // What the tracker does on a denial.
    mayStore = false;
    forgetIdentity();
    await vi.advanceTimersByTimeAsync(500);
    expect(pending).toHaveLength(1);
    expect(stored()).toBeNull();
    await pending[0]!.answer(200, '1.4.b');
    expect(stored()).toBeNull();
  });

  it('raises nothing when the queue chunk cannot be loaded as an answer comes (blocked, gone)', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const transport = start({ loadQueue: () => Promise.reject(new TypeError('Failed to fetch dynamically imported module')) });
      await (await send(transport, 1)).answer(200, '1.4.a');
      // Unhandled rejections are reported after the microtasks of a macrotask have run.
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
      expect(stored()).toBe('1.4.a');
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('is forgotten with the visitor (consent withdrawn, or a reset)', () => {
    storage.set(ACK_KEY, '1.4.f');
    forgetIdentity(undefined, 'old-id');
    expect(stored()).toBeNull();
    storage.set(ACK_KEY, '1.4.g');
    forgetIdentity();
    expect(stored()).toBeNull();
  });
});

describe('recommend() and the ack token', () => {
  /** The query of the slot request made with `kept` in the token's place, consent given or not. */
  async function queryWith(kept: string | null, mayStore = true): Promise<URLSearchParams> {
    if (kept === null) storage.delete(ACK_KEY);
    else storage.set(ACK_KEY, kept);
    let asked = '';
    vi.stubGlobal('fetch', async (url: string) => {
      asked = url;
      return new Response('{"items":[]}', { status: 200 });
    });
    const host = {
      options: { apiHost: 'https://c.example', writeKey: 'key' },
      mayStore: () => mayStore,
      tracker: { anonymousId: () => 'anon-1', user: () => ({ id: () => null }) },
    } as unknown as Host;
    await recommend(host, 'home');
    return new URL(asked).searchParams;
  }

  it('passes the token of the browser’s last answered batch', async () => {
    expect((await queryWith('1.4.z')).get('ack')).toBe('1.4.z');
  });

  it('passes none while a send may be under way (a mark), without a token, or without consent', async () => {
    expect((await queryWith(`~${Date.now()}0.5`)).has('ack')).toBe(false);
    expect((await queryWith(`~${Date.now()}`)).has('ack')).toBe(false);
    expect((await queryWith(null)).has('ack')).toBe(false);
    expect((await queryWith('1.4.z', false)).has('ack')).toBe(false);
  });
});
