import { SELF, env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { ADMIN, BASE, createSite, drainAll, exportEvents, post, track } from './support/collector';

const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;

describe('admin authentication', () => {
  it('answers 503 when no ADMIN_TOKEN is configured, never open', async () => {
    const app = createApp('');
    const res = await app.fetch(new Request(`${BASE}/v1/admin/export`, { headers: ADMIN }), { ...env, ADMIN_TOKEN: undefined }, ctx);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: 'admin_disabled' });
  });

  it('answers 401 for a missing or wrong token', async () => {
    expect((await SELF.fetch(`${BASE}/v1/admin/export`)).status).toBe(401);
    expect((await SELF.fetch(`${BASE}/v1/admin/export`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await SELF.fetch(`${BASE}/v1/admin/export`, { headers: { authorization: `Bearer ${env.ADMIN_TOKEN}x` } })).status).toBe(401);
    expect((await SELF.fetch(`${BASE}/v1/admin/export`, { headers: ADMIN })).status).toBe(200);
  });
});

describe('export', () => {
  it('pages with a cursor, oldest first, and filters by since', async () => {
    const writeKey = await createSite();
    const messages = Array.from({ length: 7 }, () => track());
    await post('/v1/batch', { writeKey, batch: messages });
    await drainAll(writeKey);
    const seen: string[] = [];
    let cursor = '';
    let pages = 0;
    do {
      const res = await SELF.fetch(`${BASE}/v1/admin/export?writeKey=${writeKey}&limit=3${cursor ? `&cursor=${cursor}` : ''}`, { headers: ADMIN });
      expect(res.headers.get('content-type')).toContain('application/x-ndjson');
      seen.push(
        ...(await res.text())
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line).messageId),
      );
      cursor = res.headers.get('next-cursor') ?? '';
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(messages.map((m) => m.messageId));

    // Tailing: the Cursor header of the last page returns only what arrives later.
    const tail = await SELF.fetch(`${BASE}/v1/admin/export?writeKey=${writeKey}`, { headers: ADMIN });
    const position = tail.headers.get('cursor')!;
    expect(tail.headers.get('next-cursor')).toBeNull();
    const later = track();
    await post('/v1/batch', { writeKey, batch: [later] });
    await drainAll(writeKey);
    const newer = await SELF.fetch(`${BASE}/v1/admin/export?writeKey=${writeKey}&cursor=${position}`, { headers: ADMIN });
    expect(
      (await newer.text())
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).messageId),
    ).toEqual([later.messageId]);

    const future = new Date(Date.now() + 3600_000).toISOString();
    const none = await SELF.fetch(`${BASE}/v1/admin/export?writeKey=${writeKey}&since=${future}`, { headers: ADMIN });
    expect(await none.text()).toBe('');
  });

  it('rejects bad parameters with 400', async () => {
    for (const query of ['since=notadate', 'since=0', 'since=2026-02-30', 'since=1%2F2%2F2026', 'limit=0', 'limit=abc', 'cursor=x1']) {
      const res = await SELF.fetch(`${BASE}/v1/admin/export?${query}`, { headers: ADMIN });
      expect(res.status, query).toBe(400);
    }
  });

  it('answers a write key no site has with a 404 that names it, not an empty export', async () => {
    for (const path of ['export', 'rejected']) {
      const res = await SELF.fetch(`${BASE}/v1/admin/${path}?writeKey=no-such-site`, { headers: ADMIN });
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { message: string }).message, path).toContain('no-such-site');
    }
  });

  it('answers every out-of-range date in any admin query with a 400, never a 500 or a filter turned inside out', async () => {
    const writeKey = await createSite();
    await post('/v1/batch', { writeKey, batch: [track()] });
    await drainAll(writeKey);
    const dates = ['+275760-09-13', '99999-01-01', '+099999-01-01', '-271821-04-20', '-000001-01-01', '1969-12-31'];
    for (const date of dates) {
      for (const query of [`export?since=${date}`, `stats?from=${date}`, `stats?to=${date}`, `stats?from=2026-01-01&to=${date}`]) {
        const res = await SELF.fetch(`${BASE}/v1/admin/${query.replace(date, encodeURIComponent(date))}&writeKey=${writeKey}`, { headers: ADMIN });
        expect(res.status, query).toBe(400);
        expect(((await res.json()) as { message: string }).message, query).toMatch(/1970 and 9999|ISO 8601|before/);
      }
    }
  });
});

describe('sites', () => {
  it('validates site definitions', async () => {
    const res = await SELF.fetch(`${BASE}/v1/admin/sites/new-site`, {
      method: 'PUT',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify({ allowedOrigins: ['not an origin'] }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain('allowedOrigins');
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After once a write key exceeds its rate', async () => {
    const writeKey = await createSite({ settings: { rateLimit: { perSecond: 1, burst: 3 } } });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 5; i++) {
      const res = await post('/v1/batch', { writeKey, batch: [track()] });
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
    }
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });
});

describe('path prefix (first-party mounting)', () => {
  it('serves every API path under BASE_PATH as well as at the root', async () => {
    const writeKey = await createSite();
    const app = createApp('/t');
    const message = track();
    const res = await app.fetch(new Request(`${BASE}/t/v1/batch`, { method: 'POST', body: JSON.stringify({ writeKey, batch: [message] }) }), env, ctx);
    expect(res.status).toBe(200);
    const settings = await app.fetch(new Request(`${BASE}/t/v1/projects/${writeKey}/settings`), env, ctx);
    const doc = (await settings.json()) as { integrations: Record<string, { apiHost: string }> };
    expect(doc.integrations['Segment.io']!.apiHost).toBe('collector.test/t/v1');
    expect((await app.fetch(new Request(`${BASE}/t/healthz`), env, ctx)).status).toBe(200);
    await drainAll(writeKey);
    expect(await exportEvents(writeKey)).toHaveLength(1);
  });
});
