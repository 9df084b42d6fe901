import { describe, expect, it } from 'vitest';
import { ACK_HEADER } from '@trailmark/schema';
import { basic, createSite, drainAll, exportEvents, post, rejected, track, uniqueId } from './support/collector';

const cf = { country: 'DE', region: 'Bavaria', regionCode: 'BY', city: 'Munich', continent: 'EU', timezone: 'Europe/Berlin' };
const CHROME_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

describe('POST /v1/batch', () => {
  it('stores each accepted message once, enriched, with its profile id', async () => {
    const writeKey = await createSite();
    const messages = [track(), track({ event: 'Product Added' })];
    // A browser request: its own User-Agent describes the shopper's device.
    const res = await post('/v1/batch', { batch: messages, writeKey }, { cf, headers: { 'user-agent': CHROME_UA, origin: 'https://shop.example' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, accepted: 2, rejected: [] });
    // The ack token the browser passes to its recommendation requests (recommend/ack-token.ts), in a header: the body is the contract's.
    expect(res.headers.get(ACK_HEADER)).toMatch(/^[0-9a-z]+\.2\.[0-9a-z]+$/);

    await drainAll(writeKey);
    const stored = await exportEvents(writeKey);
    expect(stored.map((e) => e.messageId).sort()).toEqual(messages.map((m) => m.messageId).sort());
    const first = stored[0]!;
    expect(first.context.geo).toEqual(cf);
    expect(first.context.device).toEqual({ type: 'desktop', browser: 'Chrome', os: 'Windows' });
    expect(first.context.bot).toBe(false);
    expect(Date.parse(first.receivedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(first.profileId).toMatch(/^[0-9a-f-]{36}$/);
    expect(stored[1]!.profileId).toBe(first.profileId);
    expect(first.writeKey).toBe(writeKey);
  });

  it('stores a retried message once (idempotent on write key + messageId)', async () => {
    const writeKey = await createSite();
    const message = track();
    for (let i = 0; i < 3; i++) {
      expect((await post('/v1/batch', { batch: [message], writeKey })).status).toBe(200);
      if (i === 1) await drainAll(writeKey); // a retry after the first copy was already stored
    }
    await drainAll(writeKey);
    expect((await exportEvents(writeKey)).filter((e) => e.messageId === message.messageId)).toHaveLength(1);
  });

  it('corrects client clock skew from sentAt and keeps the original timestamp', async () => {
    const writeKey = await createSite();
    // The client clock runs one hour ahead: it says the event happened 5 s before sending.
    const clientNow = Date.now() + 3600_000;
    const message = track({ timestamp: new Date(clientNow - 5000).toISOString() });
    await post('/v1/batch', { batch: [message], writeKey, sentAt: new Date(clientNow).toISOString() });
    await drainAll(writeKey);
    const [stored] = await exportEvents(writeKey);
    expect(stored!.originalTimestamp).toBe(message.timestamp);
    const skewFixed = Date.parse(stored!.timestamp);
    expect(Math.abs(Date.parse(stored!.receivedAt) - 5000 - skewFixed)).toBeLessThan(5);
  });

  it('falls back to originalTimestamp, fills a missing messageId, treats userId null or "" as absent', async () => {
    const writeKey = await createSite();
    const original = '2026-01-02T03:04:05.000Z';
    const res = await post('/v1/batch', {
      writeKey,
      batch: [
        { type: 'track', event: 'A', anonymousId: 'a1', userId: null, originalTimestamp: original },
        { type: 'track', event: 'B', anonymousId: 'a1', userId: '', timestamp: original },
      ],
    });
    expect(await res.json()).toMatchObject({ accepted: 2, rejected: [] });
    await drainAll(writeKey);
    const stored = await exportEvents(writeKey);
    expect(stored).toHaveLength(2);
    for (const event of stored) {
      expect(event.timestamp).toBe(original);
      expect(event.messageId).toMatch(/^auto-/);
      expect(event.userId).toBeUndefined();
    }
  });

  it('takes a backend library’s message as a server-side event of a shopper, not a bot', async () => {
    const writeKey = await createSite();
    await post('/v1/batch', { writeKey, batch: [track({ event: 'Order Completed' })] }, { headers: { 'user-agent': 'analytics-node-next/latest' } });
    await drainAll(writeKey);
    const [stored] = await exportEvents(writeKey);
    expect(stored!.context.device).toEqual({ type: 'server' });
    expect(stored!.context.bot).toBe(false);
  });

  it('flags bots and headless browsers, and never stores the IP', async () => {
    const writeKey = await createSite();
    const headless = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/147.0.0.0 Safari/537.36';
    await post(
      '/v1/batch',
      {
        writeKey,
        batch: [
          track({ context: { userAgent: headless, ip: '203.0.113.9' } }),
          track({ context: { userAgent: 'Googlebot/2.1 (+http://www.google.com/bot.html)' } }),
        ],
      },
      { headers: { 'cf-connecting-ip': '203.0.113.9', 'x-forwarded-for': '203.0.113.9' } },
    );
    await drainAll(writeKey);
    const stored = await exportEvents(writeKey);
    expect(stored.map((e) => e.context.bot)).toEqual([true, true]);
    expect(stored[0]!.context.device.type).toBe('bot');
    expect(JSON.stringify(stored)).not.toContain('203.0.113.9');
  });

  it('keeps valid messages and lists invalid ones with their reason', async () => {
    const writeKey = await createSite();
    const good = track();
    const res = await post('/v1/batch', {
      writeKey,
      batch: [good, { type: 'track', messageId: 'bad-1', anonymousId: 'a' }, { type: 'teleport', messageId: 'bad-2', anonymousId: 'a' }],
    });
    const body = (await res.json()) as { accepted: number; rejected: { index: number; messageId: string; reason: string }[] };
    expect(res.status).toBe(200);
    expect(body.accepted).toBe(1);
    expect(body.rejected).toEqual([
      { index: 1, messageId: 'bad-1', reason: expect.stringContaining('event') },
      { index: 2, messageId: 'bad-2', reason: expect.stringContaining('unknown type "teleport"') },
    ]);
    await drainAll(writeKey);
    expect((await exportEvents(writeKey)).map((e) => e.messageId)).toEqual([good.messageId]);
    const kept = await rejected(writeKey);
    expect(kept.map((r) => r.messageId).sort()).toEqual(['bad-1', 'bad-2']);
    expect(kept[0]!.reason).toBeTruthy();
  });
});

describe('single-message paths and write keys', () => {
  const paths: [string, Record<string, unknown>][] = [
    ['/v1/track', { event: 'Signed Up' }],
    ['/v1/t', { event: 'Signed Up' }],
    ['/v1/page', { name: 'Home' }],
    ['/v1/p', { name: 'Home' }],
    ['/v1/screen', { name: 'Home' }],
    ['/v1/s', { name: 'Home' }],
    ['/v1/identify', { userId: 'u-1', traits: { email: 'a@b.c' } }],
    ['/v1/i', { userId: 'u-1', traits: {} }],
    ['/v1/group', { groupId: 'g-1', traits: {} }],
    ['/v1/g', { groupId: 'g-1' }],
    ['/v1/alias', { userId: 'u-2', previousId: 'anon-x' }],
    ['/v1/a', { userId: 'u-2', previousId: 'anon-x' }],
  ];

  it.each(paths)('%s accepts a message without a type field', async (path, fields) => {
    const writeKey = await createSite();
    const messageId = uniqueId('m');
    const res = await post(path, { anonymousId: 'anon-x', messageId, ...fields }, { headers: { authorization: basic(writeKey) } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, accepted: 1, rejected: [] });
    await drainAll(writeKey);
    const [stored] = await exportEvents(writeKey);
    expect(stored!.messageId).toBe(messageId);
    const expectedType = { t: 'track', p: 'page', s: 'screen', i: 'identify', g: 'group', a: 'alias' }[path.slice(4, 5)] ?? path.slice(4);
    expect(stored!.type).toBe(expectedType);
  });

  it('takes the write key from Basic auth, X-Write-Key, the body, each message, or ?writeKey=', async () => {
    const writeKey = await createSite();
    const ways: [string, unknown, Record<string, string>][] = [
      ['/v1/batch', { batch: [track()] }, { authorization: basic(writeKey) }],
      ['/v1/batch', { batch: [track()] }, { 'x-write-key': writeKey }],
      ['/v1/batch', { batch: [track()], writeKey }, {}],
      ['/v1/batch', { batch: [track({ writeKey })] }, {}],
      [`/beacon/v1/batch?writeKey=${writeKey}`, { batch: [track()] }, {}],
      ['/v1/b', { batch: [track()], writeKey }, { 'content-type': 'text/plain;charset=UTF-8' }],
    ];
    for (const [path, body, headers] of ways) {
      const res = await post(path, body, { headers });
      expect(res.status, `${path} ${JSON.stringify(headers)}`).toBe(200);
    }
    await drainAll(writeKey);
    expect(await exportEvents(writeKey)).toHaveLength(ways.length);
  });

  it('accepts gzip-compressed bodies', async () => {
    const writeKey = await createSite();
    const body = new Blob([JSON.stringify({ batch: [track(), track()], writeKey })]).stream().pipeThrough(new CompressionStream('gzip'));
    const gz = new Uint8Array(await new Response(body).arrayBuffer());
    const res = await post('/v1/batch', gz, { headers: { 'content-encoding': 'gzip' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 2 });
  });
});

describe('dev-only geo override', () => {
  it('takes X-Geo-* headers and the tm_dev_geo cookie in local development, and ignores both in production', async () => {
    const writeKey = await createSite();
    const austin = { country: 'US', region: 'Texas', city: 'Austin' };
    await post(
      '/v1/batch',
      { writeKey, batch: [track({ event: 'Header' })] },
      { cf: austin, headers: { 'x-geo-country': 'JP', 'x-geo-region': 'Tokyo', 'x-geo-city': 'Shibuya' } },
    );
    await post(
      '/v1/batch',
      { writeKey, batch: [track({ event: 'Cookie' })] },
      { cf: austin, headers: { cookie: `a=1; tm_dev_geo=${encodeURIComponent('BR|São Paulo|')}` } },
    );
    const { env } = await import('cloudflare:test');
    const { createApp } = await import('../src/app');
    const production = { ...env, DEV_MODE: 'false' };
    const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
    await createApp('').fetch(
      new Request('http://collector.test/v1/batch', {
        method: 'POST',
        body: JSON.stringify({ writeKey, batch: [track({ event: 'Production' })] }),
        headers: { 'x-geo-country': 'JP', cookie: 'tm_dev_geo=BR' },
        cf: austin,
      } as RequestInit),
      production,
      ctx,
    );
    await drainAll(writeKey);
    const geoOf = (name: string) => exportEvents(writeKey).then((events) => events.find((e) => e.event === name)!.context.geo);
    expect(await geoOf('Header')).toEqual({ country: 'JP', region: 'Tokyo', city: 'Shibuya' });
    expect(await geoOf('Cookie')).toEqual({ country: 'BR', region: 'São Paulo' });
    expect(await geoOf('Production')).toEqual(austin);
  });
});
