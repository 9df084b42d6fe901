import { describe, expect, it } from 'vitest';
import { backoff } from '../../src/lib/backoff';
import { batchBySize, ENVELOPE_BYTES, type Entry } from '../../src/lib/batchBySize';
import { retryAfter } from '../../src/lib/retryAfter';
import { isRetryable, MAX_BATCH_BYTES } from '../../src/transport';
import { KEEPALIVE_BUDGET_BYTES } from '@trailmark/schema';

const entry = (key: string, json: string): Entry => [key, json];
const bodyBytes = (entries: Entry[]) => ENVELOPE_BYTES + entries.reduce((n, e) => n + Buffer.byteLength(e[1]) + 1, 0);

describe('batchBySize', () => {
  it('keeps the order and puts everything in one batch when it fits', () => {
    const entries = [entry('a', '{"n":1}'), entry('b', '{"n":2}'), entry('c', '{"n":3}')];
    const batches = batchBySize(entries, 10_000);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.entries).toEqual(entries);
    expect(batches[0]!.bytes).toBe(bodyBytes(entries));
  });

  it('splits so that no request body exceeds the byte budget', () => {
    const entries = Array.from({ length: 200 }, (_, i) => entry(String(i).padStart(3, '0'), JSON.stringify({ i, pad: 'x'.repeat(900) })));
    const batches = batchBySize(entries, MAX_BATCH_BYTES);
    expect(batches.length).toBeGreaterThan(2);
    for (const batch of batches) {
      expect(batch.bytes).toBeLessThanOrEqual(MAX_BATCH_BYTES);
      expect(bodyBytes(batch.entries)).toBe(batch.bytes);
    }
    expect(batches.flatMap((b) => b.entries)).toEqual(entries);
    expect(MAX_BATCH_BYTES).toBeLessThan(KEEPALIVE_BUDGET_BYTES);
  });

  it('counts UTF-8 bytes, not UTF-16 units', () => {
    const text = JSON.stringify({ name: 'Grüße aus 東京 🎒' });
    const [batch] = batchBySize([entry('k', text)], 10_000);
    expect(batch!.bytes).toBe(ENVELOPE_BYTES + Buffer.byteLength(text) + 1);
    expect(Buffer.byteLength(text)).toBeGreaterThan(text.length);
  });

  it('sends a message larger than the budget alone, and caps the message count', () => {
    const big = entry('b', JSON.stringify({ pad: 'x'.repeat(2000) }));
    const batches = batchBySize([entry('a', '{}'), big, entry('c', '{}')], 1000);
    expect(batches.map((b) => b.entries.map((e) => e[0]))).toEqual([['a'], ['b'], ['c']]);
    expect(
      batchBySize(
        Array.from({ length: 5 }, (_, i) => entry(String(i), '{}')),
        10_000,
        2,
      ).map((b) => b.entries.length),
    ).toEqual([2, 2, 1]);
  });
});

describe('backoff', () => {
  it('grows exponentially from about a second, with jitter between half and all of the ceiling', () => {
    expect(backoff(0, () => 0)).toBe(500);
    expect(backoff(0, () => 1)).toBe(1000);
    expect(backoff(3, () => 0)).toBe(4000);
    expect(backoff(3, () => 1)).toBe(8000);
  });

  it('is capped at five minutes', () => {
    expect(backoff(30, () => 1)).toBe(300_000);
    expect(backoff(1000, () => 0.5)).toBeLessThanOrEqual(300_000);
  });

  it('spreads retries of many clients', () => {
    const delays = new Set(Array.from({ length: 50 }, () => Math.round(backoff(2))));
    expect(delays.size).toBeGreaterThan(40);
    for (const d of delays) (expect(d).toBeGreaterThanOrEqual(2000), expect(d).toBeLessThanOrEqual(4000));
  });
});

describe('retryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('reads delay-seconds', () => {
    expect(retryAfter('2', now)).toBe(2000);
    expect(retryAfter(' 0 ', now)).toBe(0);
  });
  it('reads an HTTP-date', () => {
    expect(retryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(retryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
  });
  it('ignores what it cannot read and caps absurd waits', () => {
    expect(retryAfter(null, now)).toBeUndefined();
    expect(retryAfter('', now)).toBeUndefined();
    expect(retryAfter('soon', now)).toBeUndefined();
    expect(retryAfter('-5', now)).toBeUndefined();
    expect(retryAfter('999999', now)).toBe(600_000);
  });
});

describe('isRetryable', () => {
  it('retries 5xx, 408 and 429, and takes other answers as final', () => {
    for (const status of [408, 429, 500, 502, 503, 504]) expect(isRetryable(status)).toBe(true);
    for (const status of [200, 204, 400, 401, 403, 404, 413]) expect(isRetryable(status)).toBe(false);
  });
});

describe('utf8Length', () => {
  it('counts like an encoder, for every width of character', async () => {
    const { utf8Length } = await import('../../src/lib/utf8Length');
    for (const text of ['', 'ascii', 'é', 'Grüße', '東京', '🎒', 'a🎒b東é', '\u0000\u007f\u0080\u07ff\u0800\uffff', '\ud83d', 'x\udc00y']) {
      expect(utf8Length(text), JSON.stringify(text)).toBe(Buffer.byteLength(text));
    }
  });
});
