/** Consent configured once: the tag learns the site's settings from the collector. */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ADMIN, BASE, createSite } from './support/collector';

const settingsOf = (writeKey: string, origin = 'https://shop.example') => SELF.fetch(`${BASE}/v1/tag-settings/${writeKey}`, { headers: { origin } });

describe('tag settings', () => {
  it('tells the tag whether the site requires consent and honours GPC, cached by the browser', async () => {
    const plain = await createSite();
    const strict = await createSite({ settings: { requireConsent: true, honorGpc: true } });
    const res = await settingsOf(plain);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ requireConsent: false, honorGpc: false });
    expect(res.headers.get('cache-control')).toMatch(/max-age=300/);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(res.headers.get('vary')).toContain('Origin');
    expect(await (await settingsOf(strict)).json()).toEqual({ requireConsent: true, honorGpc: true });
  });

  it('refuses an unknown key or a foreign origin in words the page can read, never cached', async () => {
    const writeKey = await createSite();
    const unknown = await settingsOf('no-such-key');
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('cache-control')).toBe('no-store');
    expect(((await unknown.json()) as { message: string }).message).toContain('data-write-key');
    const foreign = await settingsOf(writeKey, 'https://elsewhere.example');
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('cache-control')).toBe('no-store');
    expect(foreign.headers.get('access-control-allow-origin')).toBe('https://elsewhere.example');
    expect(await foreign.json()).toMatchObject({ error: 'origin_not_allowed', message: expect.stringContaining('https://elsewhere.example') });
  });

  it("names the shop's origin for the catalog's relative links: its siteUrl, else this collector when it serves the shop", async () => {
    const named = await createSite({ settings: { siteUrl: 'https://shop.example/' } });
    expect(await (await settingsOf(named)).json()).toMatchObject({ siteUrl: 'https://shop.example' });
    // First-party serving (or the demo): the collector's own origin is one of the site's.
    const firstParty = await createSite({ allowedOrigins: ['https://shop.example', BASE] });
    expect(await (await settingsOf(firstParty)).json()).toMatchObject({ siteUrl: BASE });
    // Another collector, no siteUrl: the tag resolves them against the page, as before.
    expect(await (await settingsOf(await createSite())).json()).not.toHaveProperty('siteUrl');
  });

  it('refuses a siteUrl that is not an origin, saying what to send', async () => {
    const res = await SELF.fetch(`${BASE}/v1/admin/sites/wk-bad-site-url`, {
      method: 'PUT',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', allowedOrigins: ['https://shop.example'], settings: { siteUrl: 'shop.example/path' } }),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('https://shop.example');
  });
});
