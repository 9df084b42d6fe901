/** The destinations admin API: create, read, list, delete, validation, secrets, and SSRF refusals. */
import { SELF, env } from 'cloudflare:test';
import { afterEach, describe, expect, it } from 'vitest';
import { destinationStub } from '../src/destinations/destination-directory';
import { useResolver } from '../src/destinations/resolver';
import { BASE, createSite, uniqueId } from './support/collector';
import { admin, putDestination } from './support/destinations';
import { DEV_ONLY_URLS, HOSTILE_URLS } from './support/hostile-urls';

afterEach(() => useResolver());

describe('destinations admin API', () => {
  it('creates a webhook destination and shows its secret once', async () => {
    const writeKey = await createSite();
    const id = uniqueId('hook');
    const first = await putDestination(
      id,
      { url: 'http://localhost:8787/dev/webhooks/in/x', audiences: ['idle-carts', 'idle-carts', 'vip'] },
      `?writeKey=${writeKey}`,
    );
    expect(first.status).toBe(200);
    const created = (await first.json()) as Record<string, any>;
    expect(created).toMatchObject({ ok: true, created: true, destination: { id, site: writeKey, kind: 'webhook', audiences: ['idle-carts', 'vip'] } });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    expect(created.destination.secret).toBe(created.secret);

    const again = (await (await putDestination(id, { url: 'http://127.0.0.1:9000/hook', audiences: ['vip'] })).json()) as Record<string, any>;
    expect(again).toMatchObject({ ok: true, created: false, destination: { url: 'http://127.0.0.1:9000/hook', audiences: ['vip'], site: writeKey } });
    expect(JSON.stringify(again)).not.toContain('whsec_');

    const one = await (await admin(`/v1/admin/destinations/${id}`)).text();
    expect(one).not.toContain('whsec_');
    expect(JSON.parse(one)).toMatchObject({ destination: { id, kind: 'webhook', status: { pending: 0, dead: 0, delivered: 0 } } });
    const list = await (await admin(`/v1/admin/destinations?writeKey=${writeKey}`)).text();
    expect(list).not.toContain('whsec_');
    expect(JSON.parse(list).destinations.map((d: { id: string }) => d.id)).toEqual([id]);
  });

  it('rotates the secret on request; the previous one keeps signing for a day', async () => {
    const writeKey = await createSite();
    const id = uniqueId('hook');
    const { secret } = (await (await putDestination(id, { url: 'http://localhost:9/h', audiences: [] }, `?writeKey=${writeKey}`)).json()) as { secret: string };
    const rotated = (await (await putDestination(id, { url: 'http://localhost:9/h', audiences: [], rotateSecret: true })).json()) as Record<string, any>;
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(secret);
    expect(Date.parse(rotated.destination.previousSecretUntil) - Date.now()).toBeGreaterThan(23 * 3600_000);
  });

  it('creates a segment destination; its write key is required and never shown', async () => {
    const writeKey = await createSite();
    const id = uniqueId('seg');
    const missing = await putDestination(id, { url: 'http://localhost:9', audiences: ['a'], kind: 'segment' }, `?writeKey=${writeKey}`);
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { message: string }).message).toMatch(/^writeKey: /);
    const res = await putDestination(
      id,
      { url: 'http://localhost:9', audiences: ['a'], kind: 'segment', writeKey: 'target-secret-key' },
      `?writeKey=${writeKey}`,
    );
    expect(res.status).toBe(200);
    expect(await res.text()).not.toContain('target-secret-key');
    const shown = await (await admin(`/v1/admin/destinations/${id}`)).text();
    expect(shown).not.toContain('target-secret-key');
    expect(JSON.parse(shown).destination).toMatchObject({ kind: 'segment', writeKeySet: true });
    // Changing it later keeps the key when none is given.
    expect((await putDestination(id, { url: 'http://localhost:10', audiences: ['a'], kind: 'segment' })).status).toBe(200);
  });

  it('shows a secret when a PUT that failed halfway is repeated', async () => {
    const writeKey = await createSite();
    const id = uniqueId('hook');
    // The object was configured, the directory write never happened, the caller saw an error.
    await destinationStub(env, id).configure({ id, site: writeKey, kind: 'webhook', url: 'http://localhost:9/h', audiences: [] });
    const again = (await (await putDestination(id, { url: 'http://localhost:9/h', audiences: [] }, `?writeKey=${writeKey}`)).json()) as Record<string, any>;
    expect(again).toMatchObject({ created: true, secret: expect.stringMatching(/^whsec_/) });
  });

  it('deletes a destination and what it had to deliver', async () => {
    const writeKey = await createSite();
    const id = uniqueId('hook');
    await putDestination(id, { url: 'http://localhost:9/h', audiences: [] }, `?writeKey=${writeKey}`);
    const res = await admin(`/v1/admin/destinations/${id}`, { method: 'DELETE' });
    expect(await res.json()).toMatchObject({ ok: true, deleted: id, dropped: { pending: 0, dead: 0 } });
    expect((await admin(`/v1/admin/destinations/${id}`)).status).toBe(404);
    expect((await admin(`/v1/admin/destinations/${id}`, { method: 'DELETE' })).status).toBe(404);
    // Created again, it starts afresh with a new secret.
    const again = (await (await putDestination(id, { url: 'http://localhost:9/h', audiences: [] }, `?writeKey=${writeKey}`)).json()) as Record<string, any>;
    expect(again).toMatchObject({ created: true, secret: expect.stringMatching(/^whsec_/) });
  });

  it('answers bad input with a 4xx that names the field', async () => {
    const writeKey = await createSite();
    const id = uniqueId('hook');
    const cases: [unknown, number, RegExp][] = [
      ['not json', 400, /JSON/],
      ['', 400, /JSON/],
      [[], 400, /JSON object/],
      [{ audiences: [] }, 400, /url: is required/],
      [{ url: 'http://localhost:9' }, 400, /audiences: is required/],
      [{ url: 42, audiences: [] }, 400, /url must be a string/],
      [{ url: 'http://localhost:9', audiences: 'vip' }, 400, /audiences must be an array/],
      [{ url: 'http://localhost:9', audiences: ['has space'] }, 400, /audiences\.0: each audience id is/],
      [{ url: 'http://localhost:9', audiences: [], kind: 'sms' }, 400, /kind must be "webhook" or "segment"/],
      [{ url: 'http://localhost:9', audiences: [], secret: 'whsec_mine' }, 400, /secret: is not a field/],
      [{ url: 'http://localhost:9', audiences: [], rotateSecret: 'yes' }, 400, /rotateSecret must be true or false/],
      [{ url: 'http://localhost:9', audiences: [], writeKey: 'someone-else' }, 400, /writeKey: for a webhook destination/],
      [{ url: 'https://10.0.0.1/', audiences: [] }, 400, /^url: 10\.0\.0\.1 is a private address/],
      [{ url: `http://localhost:9/${'x'.repeat(2100)}`, audiences: [] }, 400, /url is at most 2048/],
    ];
    for (const [body, status, message] of cases) {
      const res = await putDestination(id, body, `?writeKey=${writeKey}`);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(status);
      const answer = (await res.json()) as { ok: boolean; message: string };
      expect(answer.ok).toBe(false);
      expect(answer.message.replace(/^Invalid destination: /, ''), JSON.stringify(body).slice(0, 80)).toMatch(message);
    }
    expect((await putDestination('bad id!', { url: 'http://localhost:9', audiences: [] })).status).toBe(400);
    expect((await putDestination(uniqueId('h'), { url: 'http://localhost:9', audiences: [] }, '?writeKey=no-such-site')).status).toBe(404);
    expect((await admin('/v1/admin/destinations/nope/deliveries')).status).toBe(404);
    expect((await admin(`/v1/admin/destinations/${id}/deliveries?limit=0`)).status).toBe(404);
    await putDestination(id, { url: 'http://localhost:9', audiences: [] }, `?writeKey=${writeKey}`);
    expect((await admin(`/v1/admin/destinations/${id}/deliveries?limit=0`)).status).toBe(400);
    expect((await admin(`/v1/admin/destinations/${id}/deliveries?cursor=abc`)).status).toBe(400);
    expect((await admin(`/v1/admin/destinations/${id}/deliveries?outcome=lost`)).status).toBe(400);
    expect((await admin(`/v1/admin/destinations/${id}/replay`, { method: 'POST', body: '{"webhookIds":["nope"]}' })).status).toBe(400);
    const otherSite = await createSite();
    expect((await putDestination(id, { url: 'http://localhost:9', audiences: [] }, `?writeKey=${otherSite}`)).status).toBe(409);
  });

  it('needs the admin token', async () => {
    for (const [method, path] of [
      ['GET', '/v1/admin/destinations'],
      ['PUT', '/v1/admin/destinations/x'],
      ['GET', '/v1/admin/destinations/x/deliveries'],
      ['POST', '/v1/admin/destinations/x/replay'],
    ]) {
      const res = await SELF.fetch(`${BASE}${path!}`, { method, body: method === 'GET' ? undefined : '{}' });
      expect(res.status, `${method} ${path}`).toBe(401);
    }
  });

  it.each(HOSTILE_URLS)('refuses the destination URL %s', async (url) => {
    const writeKey = await createSite();
    const res = await putDestination(uniqueId('ssrf'), { url, audiences: ['a'] }, `?writeKey=${writeKey}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/url/);
  });

  it.each(DEV_ONLY_URLS)('allows %s in local development', async (url) => {
    const writeKey = await createSite();
    expect((await putDestination(uniqueId('dev'), { url, audiences: ['a'] }, `?writeKey=${writeKey}`)).status).toBe(200);
  });

  it('refuses a public name that resolves to a private address (DNS), and takes one that does not', async () => {
    const writeKey = await createSite();
    const answers: Record<string, string[]> = {
      'rebind.example.com': ['93.184.216.34', '127.0.0.1'],
      'meta.example.com': ['169.254.169.254'],
      'v6.example.com': ['fd00:ec2::254'],
      'mapped.example.com': ['::ffff:10.1.2.3'],
      'hooks.example.com': ['93.184.216.34', '2606:4700::1111'],
    };
    useResolver(async (name) => answers[name] ?? []);
    for (const name of ['rebind', 'meta', 'v6', 'mapped', 'nowhere']) {
      const res = await putDestination(uniqueId('dns'), { url: `https://${name}.example.com/hook`, audiences: [] }, `?writeKey=${writeKey}`);
      expect(res.status, name).toBe(400);
      expect(((await res.json()) as { message: string }).message).toMatch(new RegExp(`^url: ${name}\\.example\\.com (resolves to|does not resolve)`));
    }
    expect((await putDestination(uniqueId('dns'), { url: 'https://hooks.example.com/hook', audiences: [] }, `?writeKey=${writeKey}`)).status).toBe(200);
  });

  it('answers 503 (not 400) when the name cannot be checked right now', async () => {
    const writeKey = await createSite();
    const { ResolverUnavailable } = await import('../src/destinations/resolver');
    useResolver(async () => {
      throw new ResolverUnavailable('resolver down');
    });
    const res = await putDestination(uniqueId('dns'), { url: 'https://hooks.example.com/hook', audiences: [] }, `?writeKey=${writeKey}`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
  });
});
