/** Consent configured once: the tag learns the site's settings from the collector. */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { BASE, createSite } from './support/collector';

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
});
