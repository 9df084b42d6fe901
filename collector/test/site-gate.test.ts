/** The site gate (http/site-gate.ts): the same checks, in the same order, on every route a page calls with a write key. */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { BASE, createSite, post, track } from './support/collector';

const get = (path: string, headers: Record<string, string> = {}) => SELF.fetch(`${BASE}${path}`, { headers });
const errorOf = async (res: Response) => ({ status: res.status, ...((await res.json()) as { error: string; message: string }) });

describe('site gate', () => {
  it('refuses an unknown key on every route, each in its own words', async () => {
    expect(await errorOf(await post('/v1/batch', { batch: [track()] }, { headers: { 'x-write-key': 'no-such-key' } }))).toEqual({
      status: 401,
      ok: false,
      error: 'unknown_write_key',
      message: 'Unknown write key "no-such-key": check the key in your snippet.',
    });
    expect(await errorOf(await get('/v1/recommendations?writeKey=no-such-key&slot=home'))).toMatchObject({
      status: 401,
      message: 'Unknown write key "no-such-key": check the key in your snippet.',
    });
    expect(await errorOf(await get('/v1/tag-settings/no-such-key'))).toMatchObject({
      status: 401,
      message: 'Unknown write key "no-such-key": check data-write-key on the script tag.',
    });
    expect(await errorOf(await get('/v1/projects/no-such-key/settings'))).toMatchObject({ status: 401, message: 'Unknown write key "no-such-key".' });
    expect(await errorOf(await get('/sourceConfig/?writeKey=no-such-key'))).toMatchObject({ status: 401, message: 'Unknown write key "no-such-key".' });
    expect(await errorOf(await get('/sourceConfig/'))).toMatchObject({
      status: 401,
      error: 'missing_write_key',
      message: 'Give the write key (writeKey query parameter or Basic auth).',
    });
  });

  it('refuses an origin the site does not allow on every route', async () => {
    const writeKey = await createSite({ allowedOrigins: ['https://mine.example'] });
    const origin = { origin: 'https://theirs.example' };
    const paths = [
      `/v1/recommendations?writeKey=${writeKey}&slot=home`,
      `/v1/tag-settings/${writeKey}`,
      `/v1/projects/${writeKey}/settings`,
      `/sourceConfig?writeKey=${writeKey}`,
    ];
    for (const path of paths) expect(await errorOf(await get(path, origin)), path).toMatchObject({ status: 403, error: 'origin_not_allowed' });
    expect(await errorOf(await post('/v1/batch', { writeKey, batch: [track()] }, { headers: origin }))).toMatchObject({
      status: 403,
      message: "Origin https://theirs.example may not send to this site; add it to the site's allowed origins.",
    });
    for (const path of paths) expect((await get(path, { origin: 'https://mine.example' })).status, path).toBe(200);
  });

  it('tells a malformed recommendation request what is wrong before looking at its key', async () => {
    expect(await errorOf(await get('/v1/recommendations?writeKey=no-such-key&slot=nowhere'))).toMatchObject({ status: 400, error: 'invalid_slot' });
    expect(await errorOf(await get('/v1/recommendations?slot=home'))).toMatchObject({ status: 401, error: 'missing_write_key' });
  });

  it('keeps separate rate limits for events and recommendations, and none for the cached settings', async () => {
    const writeKey = await createSite({ settings: { rateLimit: { perSecond: 0.1, burst: 2 } } });
    const statuses = async (send: () => Promise<Response>) => {
      const out: number[] = [];
      for (let i = 0; i < 3; i++) out.push((await send()).status);
      return out;
    };
    expect(await statuses(() => post('/v1/batch', { writeKey, batch: [track()] }))).toEqual([200, 200, 429]);
    expect(await statuses(() => get(`/v1/recommendations?writeKey=${writeKey}&slot=home`))).toEqual([200, 200, 429]);
    expect(await statuses(() => get(`/v1/tag-settings/${writeKey}`))).toEqual([200, 200, 200]);
    expect(await statuses(() => get(`/v1/projects/${writeKey}/settings`))).toEqual([200, 200, 200]);
  });
});
