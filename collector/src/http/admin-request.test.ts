import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../app-env';
import { apiFailure } from '../../test/support/api-failure';
import { existingEntry, namedSite, readJsonBody, resourceId, type ResourceKind } from './admin-request';
import { onError } from './errors';

const AUDIENCE: ResourceKind = { noun: 'audience', article: 'an' };
const CAMPAIGN: ResourceKind = { noun: 'campaign', article: 'a' };

const put = (body: string) => new Request('http://collector.test/v1/admin/audiences/a', { method: 'PUT', body });

describe('readJsonBody', () => {
  it('parses a JSON body', async () => {
    expect(await readJsonBody(put('{"name":"Idle carts"}'), '{ "name" }')).toEqual({ name: 'Idle carts' });
  });

  it('answers an empty body and a body that is not JSON with a 400 showing the shape to send', async () => {
    const empty = await apiFailure(readJsonBody(put('  '), '{ "name", "definition" }'));
    expect([empty.status, empty.message]).toEqual([400, 'The body must be JSON: { "name", "definition" }.']);
    const broken = await apiFailure(readJsonBody(put('{"name":'), '{ "name", "definition" }'));
    expect([broken.status, broken.message]).toEqual([400, 'The body is not valid JSON; send { "name", "definition" }.']);
  });

  it('refuses a body over the limit with a 413', async () => {
    const large = await apiFailure(readJsonBody(put(JSON.stringify({ name: 'x'.repeat(2048) })), '{ "name" }', 1024));
    expect(large.status).toBe(413);
  });
});

describe('namedSite', () => {
  it('takes the query or the body, and refuses two different sites', () => {
    expect(namedSite(undefined, undefined)).toBeUndefined();
    expect(namedSite('shop', undefined)).toBe('shop');
    expect(namedSite(undefined, 'shop')).toBe('shop');
    expect(namedSite('shop', 'shop')).toBe('shop');
    expect(() => namedSite('shop', 'other')).toThrow('writeKey: the body names the site "other" and the query "shop"; name one.');
  });
});

describe('resourceId and existingEntry', () => {
  const entries = [
    { site: 'shop-a', id: 'idle' },
    { site: 'shop-a', id: 'both' },
    { site: 'shop-b', id: 'both' },
  ];
  const app = new Hono<AppEnv>();
  app.get('/campaigns/:id', (c) => c.json({ id: resourceId(c, CAMPAIGN) }));
  app.get('/audiences/:id', async (c) => c.json(await existingEntry(c, AUDIENCE, async (id) => entries.filter((e) => e.id === id))));
  app.onError(onError);
  const get = async (path: string) => {
    const res = await app.request(path);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('takes a valid id and names the kind when it refuses one', async () => {
    expect(await get('/campaigns/spring.sale')).toEqual({ status: 200, body: { id: 'spring.sale' } });
    const refused = await get('/campaigns/spring%20sale');
    expect(refused.status).toBe(400);
    expect(refused.body.message).toBe('A campaign id is 1–128 letters, digits, "_", "-", "." or ":".');
  });

  it('finds the one entry, says to create an unknown one, and to name the site when several have it', async () => {
    expect(await get('/audiences/idle')).toEqual({ status: 200, body: { site: 'shop-a', id: 'idle' } });
    expect(await get('/audiences/gone')).toEqual({
      status: 404,
      body: { ok: false, error: 'unknown_audience', message: 'No audience has the id "gone"; create it with PUT.' },
    });
    const several = await get('/audiences/both');
    expect(several.status).toBe(400);
    expect(several.body.message).toBe('Several sites have an audience "both": name the site with ?writeKey=…');
  });
});
