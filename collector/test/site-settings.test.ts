/** The settings a site's events are applied with: PUT/GET /v1/admin/sites/:writeKey. */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ADMIN, BASE, uniqueId } from './support/collector';

async function putSite(writeKey: string, body: unknown) {
  const res = await SELF.fetch(`${BASE}/v1/admin/sites/${writeKey}`, {
    method: 'PUT',
    headers: { ...ADMIN, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe('site settings for untrusted events', () => {
  it('defaults: learn new products, no asset hosts', async () => {
    const { status, body } = await putSite(uniqueId('wk'), { allowedOrigins: ['https://shop.example'] });
    expect(status).toBe(200);
    expect(body.site.settings).toMatchObject({ learnCatalog: 'new', assetHosts: [] });
  });

  it('keeps valid values and answers bad ones with a 400 that names the field', async () => {
    const writeKey = uniqueId('wk');
    const ok = await putSite(writeKey, { settings: { learnCatalog: 'off', assetHosts: ['cdn.shop.example', '*.shop-cdn.example', 'img.example:8443'] } });
    expect(ok.body.site.settings).toMatchObject({ learnCatalog: 'off', assetHosts: ['cdn.shop.example', '*.shop-cdn.example', 'img.example:8443'] });
    const bad: [unknown, string][] = [
      [{ learnCatalog: 'sometimes' }, 'learnCatalog'],
      [{ assetHosts: ['https://cdn.example'] }, 'assetHosts'],
      [{ assetHosts: ['cdn.example/path'] }, 'assetHosts'],
      [{ assetHosts: 'cdn.example' }, 'assetHosts'],
    ];
    for (const [settings, field] of bad) {
      const res = await putSite(writeKey, { settings });
      expect(res.status, JSON.stringify(settings)).toBe(400);
      expect(res.body.message).toContain(field);
    }
  });
});

describe('site currency', () => {
  it('is USD by default, kept upper case, and must be an ISO 4217 code', async () => {
    const writeKey = uniqueId('wk');
    expect((await putSite(writeKey, {})).body.site.settings.currency).toBe('USD');
    expect((await putSite(writeKey, { settings: { currency: 'eur' } })).body.site.settings.currency).toBe('EUR');
    for (const currency of ['EURO', '€', 'XYZ', 978]) {
      const res = await putSite(writeKey, { settings: { currency } });
      expect(res.status, String(currency)).toBe(400);
      expect(res.body.message).toContain('currency');
    }
  });
});
