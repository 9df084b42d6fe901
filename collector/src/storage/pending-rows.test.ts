import { describe, expect, it } from 'vitest';
import { MAX_ROW_BYTES, MAX_ROW_MESSAGES, packRows, toChunks } from './pending-rows';

const utf8 = (s: string) => new TextEncoder().encode(s).byteLength;

describe('pending rows', () => {
  it('serialises a request into chunks within the message and byte bounds, in order', () => {
    const items = Array.from({ length: 2500 }, (_, i) => ({ n: i, pad: 'é'.repeat(500) }));
    const chunks = toChunks(items);
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) {
      expect(chunk.count).toBeLessThanOrEqual(MAX_ROW_MESSAGES);
      expect(utf8(chunk.json)).toBeLessThanOrEqual(MAX_ROW_BYTES);
      expect(JSON.parse(chunk.json)).toHaveLength(chunk.count);
    }
    expect(chunks.flatMap((c) => JSON.parse(c.json))).toEqual(items);
    expect(toChunks([])).toEqual([]);
  });

  it('packs the chunks of requests that arrived together into as few rows as the bounds allow', () => {
    const small = Array.from({ length: 30 }, (_, r) => toChunks(Array.from({ length: 20 }, (_, i) => ({ r, i })))).flat();
    const rows = packRows(small);
    expect(rows.map((r) => r.count)).toEqual([600]);
    expect(JSON.parse(rows[0]!.json)).toEqual(small.flatMap((c) => JSON.parse(c.json)));

    // 3.4 MB of requests arriving at once: several rows, each under 2 MB and a thousand messages.
    const big = Array.from({ length: 8 }, (_, r) => toChunks(Array.from({ length: 400 }, (_, i) => ({ r, i, pad: 'x'.repeat(1000) })))).flat();
    const bigRows = packRows(big);
    expect(bigRows.length).toBeGreaterThan(2);
    for (const row of bigRows) {
      expect(row.count).toBeLessThanOrEqual(MAX_ROW_MESSAGES);
      expect(utf8(row.json)).toBeLessThan(2_000_000);
    }
    expect(bigRows.flatMap((r) => JSON.parse(r.json))).toEqual(big.flatMap((c) => JSON.parse(c.json)));
    expect(bigRows.reduce((n, r) => n + r.count, 0)).toBe(3200);
  });
});
