import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ACK_HEADER } from '@trailmark/schema';
import { BASE, createSite, post, track } from './support/collector';

const preflight = (path: string, origin: string, headers = 'content-type, authorization') =>
  SELF.fetch(`${BASE}${path}`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': headers },
  });

describe('CORS', () => {
  it('answers preflights from allowed origins on every ingest and config path, with the peers’ headers', async () => {
    await createSite({ allowedOrigins: ['https://cors-shop.example'] });
    for (const path of ['/v1/batch', '/v1/t', '/v1/projects/k/settings', '/sourceConfig/?writeKey=k', '/beacon/v1/batch?writeKey=k']) {
      const res = await preflight(path, 'https://cors-shop.example', 'authorization, content-type, anonymousid, sentat, x-write-key, rsa-retry-attempt');
      expect(res.status, path).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe('https://cors-shop.example');
      const allowed = res.headers.get('access-control-allow-headers')!.split(', ');
      expect(allowed).toEqual(expect.arrayContaining(['authorization', 'content-type', 'anonymousid', 'sentat', 'x-write-key', 'rsa-retry-attempt']));
    }
  });

  it('grants nothing to other origins', async () => {
    const res = await preflight('/v1/batch', 'https://evil.example');
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a request from an origin its site does not allow, even if another site allows it; the refusal is readable', async () => {
    await createSite({ allowedOrigins: ['https://other-shop.example'] });
    const writeKey = await createSite({ allowedOrigins: ['https://my-shop.example'] });
    const foreign = await post('/v1/batch', { writeKey, batch: [track()] }, { headers: { origin: 'https://other-shop.example' } });
    expect(foreign.status).toBe(403);
    // The page that sent it may read why (and its developer learn what to fix), with no credentials and no data.
    expect(foreign.headers.get('access-control-allow-origin')).toBe('https://other-shop.example');
    expect(foreign.headers.get('access-control-allow-credentials')).toBeNull();
    expect(await foreign.json()).toEqual({ ok: false, error: 'origin_not_allowed', message: expect.stringContaining("add it to the site's allowed origins") });
    const own = await post('/v1/batch', { writeKey, batch: [track()] }, { headers: { origin: 'https://my-shop.example' } });
    expect(own.status).toBe(200);
    expect(own.headers.get('access-control-allow-origin')).toBe('https://my-shop.example');
    // The page may read the ack token it passes to its slot requests, and how long to wait when told to.
    expect(own.headers.get('access-control-expose-headers')!.split(', ')).toEqual(expect.arrayContaining(['Retry-After', ACK_HEADER]));
    expect(own.headers.get(ACK_HEADER)).toMatch(/^[0-9a-z]+\.[0-9a-z]+\.[0-9a-z]+$/);
  });

  it('matches port and subdomain wildcards', async () => {
    const writeKey = await createSite({ allowedOrigins: ['http://localhost:*', 'https://*.brand.example'] });
    for (const origin of ['http://localhost:5173', 'https://eu.brand.example']) {
      expect((await post('/v1/batch', { writeKey, batch: [track()] }, { headers: { origin } })).status).toBe(200);
    }
    for (const origin of ['http://localhost.evil:80', 'https://brand.example.evil', 'https://evilbrand.example']) {
      expect((await post('/v1/batch', { writeKey, batch: [track()] }, { headers: { origin } })).status).toBe(403);
    }
  });

  it('makes refusals readable to origins no site allows, and grants them nothing else', async () => {
    const writeKey = await createSite({ allowedOrigins: ['https://my-shop.example'] });
    const origin = 'https://nobody.example';
    const refused = await post('/v1/batch', { writeKey, batch: [track()] }, { headers: { origin } });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBe(origin);
    const unknownKey = await post('/v1/batch', { batch: [track()] }, { headers: { origin, 'x-write-key': 'no-such-key' } });
    expect(unknownKey.status).toBe(401);
    expect(unknownKey.headers.get('access-control-allow-origin')).toBe(origin);
    expect(((await unknownKey.json()) as { message: string }).message).toContain('check the key in your snippet');
    const recommendations = await SELF.fetch(`${BASE}/v1/recommendations?writeKey=${writeKey}&slot=home`, { headers: { origin } });
    expect(recommendations.status).toBe(403);
    expect(recommendations.headers.get('access-control-allow-origin')).toBe(origin);
    expect(((await recommendations.json()) as { items?: unknown }).items).toBeUndefined();
  });

  it('never grants CORS on admin paths', async () => {
    const res = await preflight('/v1/admin/export', 'http://localhost:3000');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
