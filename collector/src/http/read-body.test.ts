/// <reference types="node" />
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { countedStream } from '../../test/support/counted-stream';
import { gzipBomb } from '../../test/support/gzip-bomb';
import { apiFailure } from '../../test/support/api-failure';
import { readBodyText, type ReadStats } from './read-body';

const LIMIT = 500 * 1024;

const gzipRequest = (body: Uint8Array, headers: Record<string, string> = {}) =>
  new Request('http://collector.test/v1/batch', { method: 'POST', headers: { 'content-encoding': 'gzip', ...headers }, body });

/** CPU time (user + system, µs) of one call. */
async function cpu(fn: () => Promise<unknown>): Promise<number> {
  const start = process.cpuUsage();
  await fn().catch(() => {});
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

describe('readBodyText', () => {
  const json = JSON.stringify({
    batch: Array.from({ length: 1500 }, (_, i) => ({
      type: 'track',
      event: 'Product Viewed',
      anonymousId: `a-${i}`,
      properties: { product_id: `p${i}`, price: 12.5, name: 'A fine product with a name' },
    })),
  });

  it('inflates gzip and deflate bodies within the limit, streamed or not', async () => {
    const bytes = new TextEncoder().encode(json);
    expect(bytes.byteLength).toBeGreaterThan(200_000);
    expect(await readBodyText(gzipRequest(gzipSync(bytes)), LIMIT)).toBe(json);
    const { stream } = countedStream(gzipSync(bytes), 1000);
    expect(
      await readBodyText(
        new Request('http://x/', { method: 'POST', headers: { 'content-encoding': 'gzip' }, body: stream, duplex: 'half' } as RequestInit),
        LIMIT,
      ),
    ).toBe(json);
    const { zlibSync } = await import('fflate');
    expect(await readBodyText(gzipRequest(zlibSync(bytes), { 'content-encoding': 'deflate' }), LIMIT)).toBe(json);
  });

  it('answers 400 for data that is not what its encoding says, and for a truncated body', async () => {
    expect((await apiFailure(readBodyText(gzipRequest(new TextEncoder().encode('definitely not gzip')), LIMIT))).status).toBe(400);
    const whole = gzipSync(new TextEncoder().encode(json));
    expect((await apiFailure(readBodyText(gzipRequest(whole.slice(0, whole.length - 100)), LIMIT))).code).toBe('bad_encoding');
  });

  it('refuses a compressed body declared larger than any compressed body within the limit, without reading it', async () => {
    const { stream, pulled } = countedStream(new Uint8Array(2_000_000));
    const request = new Request('http://x/', {
      method: 'POST',
      headers: { 'content-encoding': 'gzip', 'content-length': '2000000' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect((await apiFailure(readBodyText(request, LIMIT))).status).toBe(413);
    expect(pulled()).toBeLessThanOrEqual(64 * 1024);
  });

  it('stops a 1 GiB gzip bomb at the limit: bounded reading, inflating and CPU', async () => {
    const bomb = gzipBomb();
    expect(bomb.byteLength).toBeLessThan(1_100_000);
    const { stream, pulled } = countedStream(bomb);
    const stats: ReadStats = { bodyBytes: 0, inflatedBytes: 0 };
    const request = new Request('http://x/', { method: 'POST', headers: { 'content-encoding': 'gzip' }, body: stream, duplex: 'half' } as RequestInit);
    expect((await apiFailure(readBodyText(request, LIMIT, stats))).status).toBe(413);
    // Work done: at most the limit plus one slice's worth of output, and the first network chunk of input.
    expect(stats.inflatedBytes).toBeLessThan(LIMIT + 600 * 1024);
    expect(pulled()).toBeLessThanOrEqual(2 * 64 * 1024);

    // CPU against an ordinary request of the same size class (a 300 KB batch, gzip), medians of five.
    const normal = gzipSync(new TextEncoder().encode(json));
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1]!;
    const normalCpu: number[] = [];
    const bombCpu: number[] = [];
    for (let i = 0; i < 5; i++) {
      normalCpu.push(await cpu(() => readBodyText(gzipRequest(normal), LIMIT)));
      bombCpu.push(await cpu(() => readBodyText(gzipRequest(bomb), LIMIT)));
    }
    const ratio = median(bombCpu) / median(normalCpu);
    console.log(
      `gzip bomb (1 GiB): ${(median(bombCpu) / 1000).toFixed(1)} ms CPU, ${ratio.toFixed(2)}x an ordinary ${(json.length / 1024).toFixed(0)} KB gzip batch`,
    );
    expect(ratio).toBeLessThan(5);
  });
});
