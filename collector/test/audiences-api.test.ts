/**
 * The audiences admin API (contract section 7) inside the Workers runtime:
 * saving, status building → ready over an existing shop in bounded steps,
 * listing, size by day, deleting, members paged as NDJSON and CSV, preview
 * without saving, the profile API's audiences and facts, and a clear 4xx
 * naming the JSON path for every bad input.
 */
import { SELF, env, runInDurableObject } from 'cloudflare:test';
import type { AudienceStore } from '../src/audiences/audience-store';
import type { ShopState } from '../src/shop/shop-state';
import { describe, expect, it } from 'vitest';
import { ADMIN, BASE, createSite, uniqueId } from './support/collector';
import { adminGet, audience, defineAudience, event, memberIds, members, profileOf, putAudience, runAlarm, send } from './support/audiences';

const tent = { product_id: 'tent-1', category: 'Outdoor > Tents', price: 120 };
const VIEWED_TENTS = { fact: 'viewedCategory', category: 'Outdoor > Tents', withinMinutes: 60, op: 'gte', value: 1 };

async function request(method: string, path: string, body?: unknown): Promise<Response> {
  return SELF.fetch(`${BASE}${path}`, {
    method,
    headers: { ...ADMIN, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}

async function error(res: Response): Promise<{ status: number; error: string; message: string; issues?: { path: string; message: string }[] }> {
  const body = (await res.json()) as { error: string; message: string; issues?: { path: string; message: string }[] };
  return { status: res.status, ...body };
}

describe('saving an audience', () => {
  it('answers the audience, building then ready, and lists it with its size', async () => {
    const writeKey = await createSite();
    await send(writeKey, [event(uniqueId('a'), 'Product Viewed', tent), event(uniqueId('b'), 'Product Viewed', tent)]);
    const res = await putAudience(writeKey, 'tents', VIEWED_TENTS, 'Browsing tents');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; created: boolean; audience: Record<string, unknown> };
    // The answer reports the audience as it is when answered: the runtime's own alarm may already have
    // evaluated this two-shopper shop (one backfill step) between the save and the report, as it does on a
    // loaded machine. Either way the figures agree with the status; the 300-shopper test below needs two steps.
    const done = body.audience.status === 'ready';
    expect(body).toEqual({
      ok: true,
      created: true,
      audience: {
        id: 'tents',
        writeKey,
        name: 'Browsing tents',
        kind: 'live',
        definition: VIEWED_TENTS,
        size: done ? 2 : 0,
        status: done ? 'ready' : 'building',
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      },
    });
    await runAlarm(writeKey);
    const ready = await audience(writeKey, 'tents');
    expect(ready).toMatchObject({ status: 'ready', size: 2 });
    const today = new Date().toISOString().slice(0, 10);
    expect(ready.sizeByDay).toEqual([{ day: today, size: 2 }]);

    // A new name alone keeps the members; the answer says it existed.
    const renamed = await putAudience(writeKey, 'tents', VIEWED_TENTS, 'Tent browsers');
    expect(await renamed.json()).toMatchObject({ created: false, audience: { name: 'Tent browsers', size: 2, status: 'ready' } });

    const list = (await (await adminGet(`/v1/admin/audiences?writeKey=${writeKey}`)).json()) as { audiences: Record<string, unknown>[] };
    expect(list.audiences).toEqual([expect.objectContaining({ id: 'tents', name: 'Tent browsers', size: 2, status: 'ready' })]);
    expect(list.audiences[0]).not.toHaveProperty('sizeByDay');
  });

  it('evaluates an existing shop in bounded steps before it is ready', async () => {
    const writeKey = await createSite();
    // 300 shoppers, more than one backfill step; every third viewed a tent.
    const batch = Array.from({ length: 300 }, (_, i) =>
      event(`shopper-${i}`, 'Product Viewed', i % 3 === 0 ? tent : { product_id: 'book', category: 'Books', price: 9 }),
    );
    await send(writeKey, batch);
    // Every backfill step, whoever runs the alarm (the runtime on its own, or this test).
    const steps: { limit: number; evaluated: number }[] = [];
    await runInDurableObject(env.SHOP_STATE.getByName(writeKey), (instance: ShopState) => {
      const store = (instance as unknown as { audiences: { store: AudienceStore } }).audiences.store;
      const step = store.backfillStep.bind(store);
      store.backfillStep = (id, cursor, limit, now) => {
        const result = step(id, cursor, limit, now);
        steps.push({ limit, evaluated: result.evaluated });
        return result;
      };
    });
    const res = await putAudience(writeKey, 'tents', VIEWED_TENTS);
    expect((await res.json()) as object).toMatchObject({ audience: { status: 'building' } });
    for (let i = 0; i < 20 && (await audience(writeKey, 'tents')).status === 'building'; i++) await runAlarm(writeKey);
    expect((await audience(writeKey, 'tents')).status).toBe('ready');
    // Each alarm evaluates at most 250 profiles: 300 take two steps.
    expect(steps.map((s) => s.limit)).toEqual([250, 250]);
    expect(await memberIds(writeKey, 'tents')).toHaveLength(100);
    expect((await audience(writeKey, 'tents')).size).toBe(100);
  });

  it('deletes an audience: it is gone from the API, and from the profiles', async () => {
    const writeKey = await createSite();
    await defineAudience(writeKey, 'tents', VIEWED_TENTS);
    const shopper = uniqueId('s');
    await send(writeKey, [event(shopper, 'Product Viewed', tent)]);
    expect((await profileOf(writeKey, shopper)).audiences).toHaveLength(1);
    const res = await request('DELETE', `/v1/admin/audiences/tents?writeKey=${writeKey}`);
    expect(await res.json()).toEqual({ ok: true, deleted: 'tents', writeKey });
    expect((await adminGet(`/v1/admin/audiences/tents?writeKey=${writeKey}`)).status).toBe(404);
    expect((await profileOf(writeKey, shopper)).audiences).toEqual([]);
    await runAlarm(writeKey);
    expect(((await (await adminGet(`/v1/admin/audiences?writeKey=${writeKey}`)).json()) as { audiences: unknown[] }).audiences).toEqual([]);
  });
});

describe('members', () => {
  it('pages with a cursor, each member once, as NDJSON', async () => {
    const writeKey = await createSite();
    await defineAudience(writeKey, 'tents', VIEWED_TENTS);
    await send(
      writeKey,
      Array.from({ length: 25 }, (_, i) => event(`s-${i}`, 'Product Viewed', tent)),
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await adminGet(`/v1/admin/audiences/tents/members?writeKey=${writeKey}&limit=10${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
      const lines = (await res.text())
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
      expect(lines.length).toBeLessThanOrEqual(10);
      for (const m of lines) {
        expect(Object.keys(m).sort()).toEqual(['anonymousIds', 'enteredAt', 'lifecycle', 'profileId', 'region', 'traits', 'userId']);
        seen.push(m.profileId);
      }
      cursor = res.headers.get('next-cursor');
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(25);
    expect(seen).toEqual([...seen].sort());
  });

  it('exports a CSV a spreadsheet opens: header row, quoting, UTF-8', async () => {
    const writeKey = await createSite();
    await defineAudience(writeKey, 'tents', VIEWED_TENTS);
    const shopper = uniqueId('s');
    await send(writeKey, [
      { type: 'identify', messageId: uniqueId('m'), anonymousId: shopper, userId: 'c-42', traits: { email: 'zoë@example.com', name: 'Zoë "Z", Jr.' } },
      event(shopper, 'Product Viewed', tent),
    ]);
    const res = await adminGet(`/v1/admin/audiences/tents/members?writeKey=${writeKey}&format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="tents-members.csv"');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes.slice(3)).split('\r\n');
    expect(lines[0]).toBe('profileId,userId,anonymousIds,country,region,city,lifecycle,enteredAt,traits');
    const { profileId } = await profileOf(writeKey, shopper);
    expect(lines[1]).toMatch(
      new RegExp(
        `^${profileId},c-42,${shopper},DE,Bavaria,Munich,new,\\d{4}-[^,]+Z,"\\{""email"":""zoë@example.com"",""name"":""Zoë \\\\""Z\\\\"", Jr.""\\}"$`,
      ),
    );
    expect(lines.slice(2)).toEqual(['']);
  });

  it('refuses a bad limit, format or cursor with what to send', async () => {
    const writeKey = await createSite();
    await defineAudience(writeKey, 'tents', VIEWED_TENTS);
    const path = `/v1/admin/audiences/tents/members?writeKey=${writeKey}`;
    expect(await error(await adminGet(`${path}&limit=0`))).toMatchObject({ status: 400, message: 'limit must be an integer from 1 to 1000.' });
    expect(await error(await adminGet(`${path}&limit=abc`))).toMatchObject({ status: 400 });
    expect(await error(await adminGet(`${path}&format=xlsx`))).toMatchObject({ status: 400, message: 'format must be ndjson or csv.' });
    expect(await error(await adminGet(`${path}&cursor=garbage!`))).toMatchObject({ status: 400, message: expect.stringContaining('Next-Cursor') });
    expect(await error(await adminGet(`${path}&cursor=${btoa('7:abc')}`))).toMatchObject({ status: 400 });
    expect((await adminGet(`/v1/admin/audiences/nope/members?writeKey=${writeKey}`)).status).toBe(404);
  });
});

describe('preview', () => {
  it('answers the size and a sample without saving', async () => {
    const writeKey = await createSite();
    await send(writeKey, [
      { type: 'identify', messageId: uniqueId('m'), anonymousId: 'p-1', userId: 'u-1', traits: { email: 'one@example.com' } },
      event('p-1', 'Product Viewed', tent),
      event('p-2', 'Product Viewed', tent),
      event('p-3', 'Product Viewed', { product_id: 'b', category: 'Books' }),
    ]);
    const res = await request('POST', `/v1/admin/audiences/preview?writeKey=${writeKey}`, { definition: VIEWED_TENTS });
    expect(res.status).toBe(200);
    const preview = (await res.json()) as Record<string, any>;
    expect(preview).toMatchObject({ writeKey, size: 2, exact: true, evaluated: 3, profiles: 3 });
    expect(preview.sample).toHaveLength(2);
    expect(preview.sample.find((p: any) => p.userId === 'u-1')).toMatchObject({
      anonymousIds: ['p-1'],
      traits: { email: 'one@example.com' },
      lifecycle: 'new',
    });
    expect(((await (await adminGet(`/v1/admin/audiences?writeKey=${writeKey}`)).json()) as { audiences: unknown[] }).audiences).toEqual([]);
    const bad = await error(await request('POST', `/v1/admin/audiences/preview?writeKey=${writeKey}`, { definition: { fact: 'orders', op: 'gt' } }));
    expect(bad).toMatchObject({ status: 400, error: 'invalid_audience', message: 'definition.value: "orders" gt needs a "value"' });
  });
});

describe('the profile API', () => {
  it("lists the person's audiences and facts, traits included (admin only)", async () => {
    const writeKey = await createSite();
    await defineAudience(writeKey, 'tents', VIEWED_TENTS);
    await defineAudience(writeKey, 'pro', { fact: 'trait.plan', op: 'eq', value: 'pro' });
    const shopper = uniqueId('s');
    await send(writeKey, [
      { type: 'identify', messageId: uniqueId('m'), anonymousId: shopper, userId: 'c-7', traits: { email: 'ana@example.com', plan: 'pro' } },
      event(shopper, 'Product Added', { ...tent, quantity: 2 }),
    ]);
    const profile = await profileOf(writeKey, 'c-7');
    expect(profile.audiences.map((a: any) => a.id)).toEqual(['pro']);
    expect(profile.facts).toMatchObject({
      identified: true,
      cartItems: 2,
      cartValue: 240,
      cartIdleMinutes: 0,
      country: 'DE',
      region: 'Bavaria',
      'trait.email': 'ana@example.com',
      'trait.plan': 'pro',
    });
    await send(writeKey, [event(shopper, 'Product Viewed', tent)]);
    expect((await profileOf(writeKey, 'c-7')).audiences).toEqual([
      { id: 'pro', name: 'pro', enteredAt: expect.any(String) },
      { id: 'tents', name: 'tents', enteredAt: expect.any(String) },
    ]);
  });
});

describe('bad input', () => {
  it('a bad definition is a 400 naming the JSON path of every bad part and what is valid', async () => {
    const writeKey = await createSite();
    const res = await putAudience(writeKey, 'bad', {
      all: [
        { fact: 'country', op: 'gt', value: 'DE' },
        { fact: 'viewedCategory', op: 'gte', value: 1 },
        { fact: 'colour', op: 'eq', value: 'red' },
        { any: [] },
      ],
    });
    const body = await error(res);
    expect(body.status).toBe(400);
    expect(body.error).toBe('invalid_audience');
    expect(body.issues!.map((i) => i.path)).toEqual([
      'definition.all[0].op',
      'definition.all[1].category',
      'definition.all[1].withinMinutes',
      'definition.all[2].fact',
      'definition.all[3].any',
    ]);
    expect(body.message).toContain('definition.all[0].op: "gt" is not an operator of "country": use one of eq, neq, in, exists');
    expect(body.message).toContain('definition.all[2].fact: unknown fact "colour"');
    // Nothing was saved.
    expect((await adminGet(`/v1/admin/audiences/bad?writeKey=${writeKey}`)).status).toBe(404);
  });

  it('every other bad request says what to send', async () => {
    const writeKey = await createSite();
    const put = (body: unknown, id = 'x', query = `?writeKey=${writeKey}`) => request('PUT', `/v1/admin/audiences/${id}${query}`, body);
    const cases: [Response, number, string | RegExp][] = [
      [
        await put('not json'),
        400,
        'The body is not valid JSON; send { "name", "definition", "writeKey"? } or { "name", "profileIds", "description"?, "writeKey"? }.',
      ],
      [await put(''), 400, /must be JSON/],
      [await put([1]), 400, '(body): the body must be a JSON object; the fields are name, definition and writeKey'],
      [await put({ definition: { fact: 'orders', op: 'gt', value: 1 } }), 400, /^name: is required/],
      [await put({ name: '', definition: { fact: 'orders', op: 'gt', value: 1 } }), 400, /^name: expected a name of 1 to 200 characters/],
      [await put({ name: 'x', definition: { fact: 'orders', op: 'gt', value: 1 }, colour: 'red' }), 400, /^colour: is not a field/],
      [await put({ name: 'x' }), 400, /^definition: is required/],
      [await put({ name: 'x', definition: { fact: 'orders', op: 'gt', value: 1 } }, 'has space'), 400, /An audience id is 1–128 letters/],
      [await put({ name: 'x', definition: { fact: 'orders', op: 'gt', value: 1 } }, 'preview'), 400, /reserved/],
      [await put({ name: 'x', definition: { fact: 'orders', op: 'gt', value: 1 } }, 'x', '?writeKey=nope'), 404, /No site has the write key "nope"/],
      [await put({ name: 'x', definition: { fact: 'orders', op: 'gt', value: 1 }, writeKey: 'other' }), 400, /names the site "other" and the query/],
      [await adminGet(`/v1/admin/audiences/missing?writeKey=${writeKey}`), 404, /No audience has the id "missing"/],
      [await request('DELETE', `/v1/admin/audiences/missing?writeKey=${writeKey}`), 404, /create it with PUT/],
      [await adminGet('/v1/admin/audiences?writeKey=nope'), 404, /No site/],
      [
        await request('POST', `/v1/admin/audiences/preview?writeKey=${writeKey}`, { definition: { fact: 'orders', op: 'gt', value: 1 }, limit: 3 }),
        400,
        /^limit: is not a field/,
      ],
    ];
    for (const [res, status, message] of cases) {
      const body = await error(res);
      expect(body.status, body.message).toBe(status);
      if (typeof message === 'string') expect(body.message).toBe(message);
      else expect(body.message).toMatch(message);
    }
    const unauthorised = await SELF.fetch(`${BASE}/v1/admin/audiences`, { headers: { authorization: 'Bearer wrong' } });
    expect(unauthorised.status).toBe(401);
  });
});

it('members of a big audience come out whole across pages (the members helper)', async () => {
  const writeKey = await createSite();
  await defineAudience(writeKey, 'tents', VIEWED_TENTS);
  await send(
    writeKey,
    Array.from({ length: 12 }, (_, i) => event(`m-${i}`, 'Product Viewed', tent)),
  );
  expect(await members(writeKey, 'tents', 5)).toHaveLength(12);
});
