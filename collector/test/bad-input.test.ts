/** Every malformed request gets a clear 4xx JSON error, never a 5xx; valid messages beside bad ones are still stored. */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { gzipSync } from 'fflate';
import { BASE, basic, createSite, drainAll, exportEvents, post, rejected, track } from './support/collector';
import { countedStream } from './support/counted-stream';
import { gzipBomb } from './support/gzip-bomb';

async function expectError(res: Response, status: number, code?: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/json');
  const body = (await res.json()) as { ok: boolean; error: string; message: string };
  expect(body.ok).toBe(false);
  expect(body.message.length).toBeGreaterThan(10);
  if (code) expect(body.error).toBe(code);
}

describe('unusable requests', () => {
  it('rejects a body that is not JSON', async () => {
    const writeKey = await createSite();
    await expectError(await post('/v1/batch', '{"batch": [', { headers: { 'x-write-key': writeKey } }), 400, 'invalid_json');
  });

  it('rejects JSON that is not an object, and a batch that is not an array', async () => {
    const writeKey = await createSite();
    const headers = { 'x-write-key': writeKey };
    await expectError(await post('/v1/batch', '[1,2]', { headers }), 400, 'invalid_body');
    await expectError(await post('/v1/batch', '"text"', { headers }), 400, 'invalid_body');
    await expectError(await post('/v1/batch', { batch: { a: 1 } }, { headers }), 400, 'no_batch');
    await expectError(await post('/v1/batch', {}, { headers }), 400, 'no_batch');
  });

  it('rejects a missing or unknown write key with 401', async () => {
    await expectError(await post('/v1/batch', { batch: [track()] }), 401, 'missing_write_key');
    await expectError(await post('/v1/batch', { batch: [track()], writeKey: 'nope' }), 401, 'unknown_write_key');
    await expectError(await post('/v1/batch', { batch: [track()] }, { headers: { authorization: 'Basic !!!' } }), 401);
  });

  it('rejects bad gzip and unknown encodings', async () => {
    const writeKey = await createSite();
    const headers = { 'x-write-key': writeKey };
    await expectError(await post('/v1/batch', 'definitely not gzip', { headers: { ...headers, 'content-encoding': 'gzip' } }), 400, 'bad_encoding');
    await expectError(await post('/v1/batch', '{}', { headers: { ...headers, 'content-encoding': 'br' } }), 415);
  });

  it('rejects bodies over 500 KB (also after decompression) and batches over 2,500 messages', async () => {
    const writeKey = await createSite();
    const big = JSON.stringify({ writeKey, batch: [track({ properties: { pad: 'x'.repeat(600 * 1024) } })] });
    await expectError(await post('/v1/batch', big), 413, 'too_large');
    const bomb = new Blob([JSON.stringify({ writeKey, batch: [], pad: ' '.repeat(2_000_000) })]).stream().pipeThrough(new CompressionStream('gzip'));
    const compressed = new Uint8Array(await new Response(bomb).arrayBuffer());
    expect(compressed.byteLength).toBeLessThan(50_000);
    await expectError(await post('/v1/batch', compressed, { headers: { 'content-encoding': 'gzip' } }), 413, 'too_large');
    const many = { writeKey, batch: Array.from({ length: 2501 }, () => ({ type: 'track', event: 'x', anonymousId: 'a' })) };
    await expectError(await post('/v1/batch', many), 413, 'too_many_messages');
  });

  it('answers other methods on ingest paths with 405', async () => {
    const res = await SELF.fetch(`${BASE}/v1/batch`);
    await expectError(res, 405, 'method_not_allowed');
    expect(res.headers.get('allow')).toContain('POST');
    await expectError(await SELF.fetch(`${BASE}/v1/track`, { method: 'PUT', body: '{}' }), 405);
    await expectError(await SELF.fetch(`${BASE}/v1/nothing-here`), 404, 'not_found');
  });

  it('rejects invalid UTF-8 bodies', async () => {
    const writeKey = await createSite();
    const bytes = new Uint8Array([...new TextEncoder().encode(`{"writeKey":"${writeKey}","batch":[`), 0xff, 0xfe, ...new TextEncoder().encode(']}')]);
    await expectError(await post('/v1/batch', bytes), 400, 'bad_encoding');
  });
});

describe('bad messages beside good ones', () => {
  const cases: [string, unknown, string][] = [
    ['not an object', 42, 'JSON object'],
    ['missing type', { event: 'x', anonymousId: 'a' }, 'type is missing'],
    ['unknown type', { type: 'explode', anonymousId: 'a' }, 'unknown type'],
    ['no ids', { type: 'track', event: 'x' }, 'anonymousId or a userId'],
    ['wrong id type', { type: 'track', event: 'x', anonymousId: { id: 1 } }, 'anonymousId'],
    ['empty event', { type: 'track', event: ' ', anonymousId: 'a' }, 'event'],
    ['properties not an object', { type: 'track', event: 'x', anonymousId: 'a', properties: [1] }, 'properties'],
    ['bad timestamp', { type: 'track', event: 'x', anonymousId: 'a', timestamp: 'yesterday' }, 'timestamp'],
    ['group without groupId', { type: 'group', anonymousId: 'a' }, 'groupId'],
    ['alias without previousId', { type: 'alias', userId: 'u' }, 'previousId'],
    ['__proto__ key', JSON.parse('{"type":"track","event":"x","anonymousId":"a","properties":{"__proto__":{"admin":true}}}'), '__proto__'],
    ['constructor key', { type: 'track', event: 'x', anonymousId: 'a', properties: { constructor: { prototype: 1 } } }, 'constructor'],
    ['lone surrogate', JSON.parse('{"type":"track","event":"x\\ud800","anonymousId":"a"}'), 'UTF-16'],
    ['lone surrogate in a key', JSON.parse('{"type":"track","event":"x","anonymousId":"a","properties":{"\\udc00":1}}'), 'UTF-16'],
    ['too deep', { type: 'track', event: 'x', anonymousId: 'a', properties: JSON.parse('{"a":'.repeat(40) + '1' + '}'.repeat(40)) }, 'deeper'],
    ['over 32 KB', { type: 'track', event: 'x', anonymousId: 'a', properties: { pad: 'é'.repeat(20_000) } }, '32 KB'],
  ];

  it.each(cases)('rejects %s with a reason and stores the valid message', async (_name, bad, reason) => {
    const writeKey = await createSite();
    const good = track();
    const res = await post('/v1/batch', { writeKey, batch: [bad, good] });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { accepted: number; rejected: { index: number; reason: string }[] };
    expect(body.accepted).toBe(1);
    expect(body.rejected).toHaveLength(1);
    expect(body.rejected[0]!.index).toBe(0);
    expect(body.rejected[0]!.reason).toContain(reason);
    await drainAll(writeKey);
    expect((await exportEvents(writeKey)).map((e) => e.messageId)).toEqual([good.messageId]);
    expect((await rejected(writeKey))[0]!.reason).toContain(reason);
  });

  it('survives nesting far deeper than any parser recursion limit', async () => {
    const writeKey = await createSite();
    const deep = `{"writeKey":"${writeKey}","batch":[{"type":"track","event":"x","anonymousId":"a","properties":${'['.repeat(100_000)}${']'.repeat(100_000)}}]}`;
    const res = await post('/v1/batch', deep);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 0, rejected: [{ index: 0, reason: expect.stringContaining('deeper') }] });
  });

  it('keeps a retried bad message once among the rejected', async () => {
    const writeKey = await createSite();
    const bad = { type: 'track', messageId: 'dup-bad', anonymousId: 'a' };
    await post('/v1/batch', { writeKey, batch: [bad] });
    await post('/v1/batch', { writeKey, batch: [bad] });
    await drainAll(writeKey);
    await post('/v1/batch', { writeKey, batch: [bad] });
    await drainAll(writeKey);
    expect(await rejected(writeKey)).toHaveLength(1);
  });
});

describe('hostile bodies', () => {
  const bomb = gzipBomb();

  it('refuses a gzip bomb without a valid write key or from a foreign origin before inflating any of it', async () => {
    const writeKey = await createSite({ allowedOrigins: ['https://shop.example'] });
    const cases: [Record<string, string>, number][] = [
      [{ origin: 'https://evil.example' }, 403],
      [{ 'x-write-key': 'no-such-key' }, 401],
      [{ 'x-write-key': writeKey, origin: 'https://evil.example' }, 403],
      [{ authorization: basic(writeKey), origin: 'https://evil.example' }, 403],
    ];
    for (const [headers, status] of cases) {
      const { stream, pulled } = countedStream(bomb);
      const res = await post('/v1/batch', stream, { headers: { 'content-encoding': 'gzip', 'content-type': 'text/plain', ...headers } });
      await expectError(res, status);
      // The runtime may have buffered a little of the upload; the collector read none of it.
      expect(pulled(), JSON.stringify(headers)).toBeLessThan(bomb.byteLength / 4);
    }
  });

  it('stops inflating a 1 GiB gzip bomb at the limit, at the cost of an ordinary request', async () => {
    const writeKey = await createSite({ allowedOrigins: ['https://shop.example'] });
    const headers = { 'content-encoding': 'gzip', 'content-type': 'text/plain', origin: 'https://shop.example' };
    const ordinary = gzipSync(
      new TextEncoder().encode(
        JSON.stringify({
          writeKey,
          batch: Array.from({ length: 1000 }, (_, i) =>
            track({ anonymousId: `bomb-baseline-${i % 50}`, properties: { product_id: `p${i}`, name: 'A product with a name', price: 9.5 } }),
          ),
        }),
      ),
    );
    const time = async (body: Uint8Array, extra: Record<string, string>, status: number) => {
      const started = Date.now();
      const res = await post('/v1/batch', body, { headers: { ...headers, ...extra } });
      const elapsed = Date.now() - started;
      expect(res.status).toBe(status);
      await res.arrayBuffer();
      return elapsed;
    };
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1]!;
    const ordinaryMs: number[] = [];
    const bombMs: number[] = [];
    for (let i = 0; i < 3; i++) {
      ordinaryMs.push(await time(ordinary, { 'x-write-key': writeKey }, 200));
      bombMs.push(await time(bomb, { 'x-write-key': writeKey }, 413));
      // The key in the body only (sendBeacon): the body must be read, and is read only up to the limit.
      bombMs.push(await time(bomb, {}, 413));
    }
    const ratio = median(bombMs) / median(ordinaryMs);
    console.log(`1 GiB gzip bomb: ${median(bombMs)} ms to its 413, ${ratio.toFixed(2)}x an ordinary 1,000-message gzip batch (${median(ordinaryMs)} ms)`);
    expect(ratio).toBeLessThan(3);
  });
});
