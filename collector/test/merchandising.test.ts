/** Merchandising rules: the admin API, its answers to bad rules, and what rules do to every slot's answer. */
import { SELF, env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { profileIdFor } from '../src/identity/resolve-profile';
import { variantFor } from '../src/recommend/holdout';
import { defineAudience } from './support/audiences';
import { ADMIN, BASE, createSite, uniqueId } from './support/collector';
import { ordered, product, recommendations, send, sendAndStore, uploadCatalog, viewed } from './support/shop';

async function putRule(writeKey: string, id: string, body: unknown, headers: Record<string, string> = ADMIN) {
  const res = await SELF.fetch(`${BASE}/v1/admin/rules/${id}?writeKey=${writeKey}`, {
    method: 'PUT',
    headers: { ...headers, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}
const listRules = async (writeKey: string) =>
  (await (await SELF.fetch(`${BASE}/v1/admin/rules?writeKey=${writeKey}`, { headers: ADMIN })).json()) as { rules: Record<string, any>[] };
const deleteRule = (writeKey: string, id: string) => SELF.fetch(`${BASE}/v1/admin/rules/${id}?writeKey=${writeKey}`, { method: 'DELETE', headers: ADMIN });

const DAY = 86_400_000;
const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

describe('rules API', () => {
  it('creates, lists with their status, replaces, shows and deletes rules', async () => {
    const writeKey = await createSite();
    const pin = { slots: ['home'], action: 'pin', products: ['tent'], position: 1 };
    const created = await putRule(writeKey, 'summer-tent', pin);
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ ok: true, created: true, rule: { id: 'summer-tent', ...pin, status: 'active' } });
    const later = await putRule(writeKey, 'sale', { slots: ['*'], action: 'boost', category: 'Outdoor', factor: 3, startsAt: iso(DAY), endsAt: iso(2 * DAY) });
    expect(later.body.rule.status).toBe('scheduled');
    await putRule(writeKey, 'old', { slots: ['cart'], action: 'exclude', products: ['x'], endsAt: iso(-DAY) });
    expect((await listRules(writeKey)).rules.map((r) => [r.id, r.status])).toEqual([
      ['old', 'expired'],
      ['sale', 'scheduled'],
      ['summer-tent', 'active'],
    ]);

    const replaced = await putRule(writeKey, 'summer-tent', { ...pin, position: 2 });
    expect(replaced.body).toMatchObject({ created: false, rule: { position: 2, createdAt: created.body.rule.createdAt } });
    const one = await SELF.fetch(`${BASE}/v1/admin/rules/summer-tent?writeKey=${writeKey}`, { headers: ADMIN });
    expect(((await one.json()) as { rule: { position: number } }).rule.position).toBe(2);

    expect((await deleteRule(writeKey, 'summer-tent')).status).toBe(200);
    expect((await deleteRule(writeKey, 'summer-tent')).status).toBe(404);
    expect((await SELF.fetch(`${BASE}/v1/admin/rules/summer-tent?writeKey=${writeKey}`, { headers: ADMIN })).status).toBe(404);
    expect((await listRules(writeKey)).rules.map((r) => r.id)).toEqual(['old', 'sale']);
    // Another site's rules are its own.
    expect((await listRules(await createSite())).rules).toEqual([]);
  });

  it('needs the admin token and a known site', async () => {
    const writeKey = await createSite();
    expect((await putRule(writeKey, 'r', { slots: ['home'], action: 'exclude', products: ['a'] }, {})).status).toBe(401);
    expect((await SELF.fetch(`${BASE}/v1/admin/rules?writeKey=${writeKey}`)).status).toBe(401);
    expect((await SELF.fetch(`${BASE}/v1/admin/rules?writeKey=nope`, { headers: ADMIN })).status).toBe(404);
  });

  it('answers a bad rule with a 400 that names the bad field and what is valid', async () => {
    const writeKey = await createSite();
    const ok = { slots: ['home'], action: 'boost', products: ['a'] };
    const cases: [unknown, string, RegExp][] = [
      [{ ...ok, action: 'promote' }, 'action', /one of pin, boost, bury, exclude/],
      [{ action: 'pin', products: ['a'] }, 'slots', /required/],
      [{ ...ok, slots: [] }, 'slots', /at least one slot/],
      [{ ...ok, slots: ['sidebar'] }, 'slots[0]', /home, product, cart, trending, reorder or "\*"/],
      [{ ...ok, position: 2 }, 'position', /only a pin/],
      [{ slots: ['home'], action: 'pin', position: 1 }, 'products', /pin places products/],
      [{ slots: ['home'], action: 'pin', products: ['a'], category: 'Tents' }, 'category', /not a category/],
      [{ slots: ['home'], action: 'pin', products: ['a'], position: 0 }, 'position', /1-based/],
      [{ slots: ['home'], action: 'pin', products: ['a'], position: 1.5 }, 'position', /whole number/],
      [{ slots: ['home'], action: 'exclude' }, 'products', /products and\/or the category/],
      [{ ...ok, factor: 0.5 }, 'factor', /more than 1/],
      [{ ...ok, action: 'bury', factor: 2 }, 'factor', /less than 1/],
      [{ ...ok, action: 'exclude', factor: 2 }, 'factor', /only boost and bury/],
      [{ ...ok, products: [] }, 'products', /at least one/],
      [{ ...ok, products: Array.from({ length: 101 }, (_, i) => `p${i}`) }, 'products', /at most 100/],
      [{ ...ok, startsAt: 'tomorrow' }, 'startsAt', /ISO 8601/],
      [{ ...ok, startsAt: iso(2 * DAY), endsAt: iso(DAY) }, 'endsAt', /after startsAt/],
      [{ ...ok, when: { weather: 'rain' } }, 'when.weather', /productId, category, region and audienceId/],
      [{ ...ok, when: { audienceId: 'a b' } }, 'when.audienceId', /letters, digits/],
      [{ ...ok, colour: 'red' }, 'colour', /is not a field/],
      [{ ...ok, products: ['a', 7] }, 'products[1]', /must be a string/],
      ['[1, 2]', '(body)', /must be a JSON object/],
      ['{nope', '(body)', /not JSON; send a JSON object/],
    ];
    for (const [body, field, valid] of cases) {
      const { status, body: answer } = await putRule(writeKey, 'bad', body);
      expect(status, JSON.stringify(body)).toBe(400);
      if (field !== '(body)') expect(answer.message, JSON.stringify(body)).toContain(field);
      expect(answer.message, JSON.stringify(body)).toMatch(valid);
      // The JSON path of the bad field, for a form to put the message beside it.
      expect(
        answer.issues.map((i: { path: string }) => i.path),
        JSON.stringify(body),
      ).toContain(field);
    }
    // Every problem at once.
    const many = await putRule(writeKey, 'bad', { slots: ['nowhere'], action: 'pin', position: 0 });
    expect(many.body.issues.map((i: { path: string }) => i.path)).toEqual(expect.arrayContaining(['slots[0]', 'position']));
    expect((await putRule(writeKey, 'not an id', ok)).body.error).toBe('invalid_rule_id');
    expect((await listRules(writeKey)).rules).toEqual([]);
  });

  it('says when a rule names an audience the site does not have', async () => {
    const writeKey = await createSite();
    const { body } = await putRule(writeKey, 'vip', { slots: ['home'], action: 'pin', products: ['a'], when: { audienceId: 'vip' } });
    expect(body.notes[0]).toMatch(/no audience "vip" yet/);
    await defineAudience(writeKey, 'vip', { fact: 'orders', op: 'gte', value: 3 });
    expect((await putRule(writeKey, 'vip', { slots: ['home'], action: 'pin', products: ['a'], when: { audienceId: 'vip' } })).body).not.toHaveProperty('notes');
  });

  it('keeps a site within its number of rules', async () => {
    const writeKey = await createSite();
    const now = new Date().toISOString();
    const insert = env.DB.prepare('INSERT INTO merch_rules (write_key, id, rule, created_at, updated_at) VALUES (?, ?, ?, ?, ?)');
    await env.DB.batch(
      Array.from({ length: 200 }, (_, i) =>
        insert.bind(writeKey, `r${i}`, JSON.stringify({ slots: ['home'], action: 'exclude', products: [`p${i}`] }), now, now),
      ),
    );
    const over = await putRule(writeKey, 'one-more', { slots: ['home'], action: 'exclude', products: ['x'] });
    expect(over.status).toBe(409);
    expect(over.body.message).toMatch(/at most 200 rules/);
    expect((await putRule(writeKey, 'r7', { slots: ['home'], action: 'exclude', products: ['y'] })).status).toBe(200); // replacing is fine
  });
});

/** Everyone in the treatment group unless asked otherwise; a catalog of kitchen and outdoor products; pans sell best. */
async function shop(settings: Record<string, unknown> = { holdoutPercent: 0 }) {
  const writeKey = await createSite({ settings });
  const kitchen = ['pan', 'pot', 'knife', 'board', 'whisk', 'ladle'];
  const outdoor = ['tent', 'stove', 'lamp'];
  const rows = [
    ...kitchen.map((id) => product(id, { category: 'Kitchen' })),
    ...outdoor.map((id) => product(id, { category: 'Outdoor > Camping' })),
    product('sold-out', { category: 'Kitchen', in_stock: false }),
  ];
  await uploadCatalog(writeKey, rows.map((r) => JSON.stringify(r)).join('\n'));
  // Best sellers, in order: pan, pot, knife, board, whisk, ladle, tent, stove, lamp.
  const sales = [...kitchen, ...outdoor];
  const batch = sales.flatMap((id, rank) => Array.from({ length: sales.length - rank }, (_, i) => ordered(`b-${id}-${i}`, [id])));
  await sendAndStore(writeKey, batch);
  return writeKey;
}
const ids = (recs: { items: { productId: string }[] }) => recs.items.map((i) => i.productId);
const BAVARIA = { country: 'DE', region: 'Bavaria' };

describe('rules in the answers', () => {
  it('pins, boosts, buries and excludes, in the documented order, with their reasons', async () => {
    const writeKey = await shop();
    const visitor = uniqueId('v');
    const before = await recommendations(writeKey, { slot: 'trending', anonymousId: visitor, limit: '6' });
    expect(ids(before)).toEqual(['pan', 'pot', 'knife', 'board', 'whisk', 'ladle']);

    await putRule(writeKey, 'no-knives', { slots: ['*'], action: 'exclude', products: ['knife'] });
    await putRule(writeKey, 'tents-up', { slots: ['trending'], action: 'boost', products: ['tent'], factor: 2.5 });
    await putRule(writeKey, 'pans-down', { slots: ['trending'], action: 'bury', products: ['pan'], factor: 0.2 });
    await putRule(writeKey, 'lamp-first', { slots: ['trending', 'home'], action: 'pin', products: ['lamp', 'sold-out', 'knife'], position: 1 });
    const after = await recommendations(writeKey, { slot: 'trending', anonymousId: visitor, limit: '6' });
    // Knife excluded (also from the pin, as is the sold-out product); weights 1/rank: pot 1/2, tent 2.5/6, board 1/3,
    // whisk 1/4, pan 0.2/1 (ahead of ladle's 1/5); then the lamp pinned first.
    expect(after.items.map((i) => [i.productId, i.reason])).toEqual([
      ['lamp', 'pinned'],
      ['pot', 'trending'],
      ['tent', 'promoted'],
      ['board', 'trending'],
      ['whisk', 'trending'],
      ['pan', 'trending'],
    ]);
    // A rule for other slots does not touch this one; deleting a rule takes it away at once.
    const cart = await recommendations(writeKey, { slot: 'cart', anonymousId: visitor, limit: '6' });
    expect(ids(cart)).not.toContain('knife');
    expect(cart.items[0]!.reason).not.toBe('pinned');
    await deleteRule(writeKey, 'lamp-first');
    expect((await recommendations(writeKey, { slot: 'trending', anonymousId: visitor, limit: '6' })).items[0]!.productId).toBe('pot');
  });

  it('applies to both variants, so the holdout still measures personalisation alone', async () => {
    const writeKey = await shop({ holdoutPercent: 50 });
    const visitor = (want: string) =>
      Array.from({ length: 200 }, (_, i) => `hv-${i}`).find((id) => variantFor(writeKey, profileIdFor(`anonymous:${id}`), 50) === want)!;
    await putRule(writeKey, 'lamp', { slots: ['home'], action: 'pin', products: ['lamp'], position: 2 });
    await putRule(writeKey, 'no-pot', { slots: ['home'], action: 'exclude', products: ['pot'] });
    for (const variant of ['treatment', 'control']) {
      const recs = await recommendations(writeKey, { slot: 'home', anonymousId: visitor(variant) });
      expect(recs.variant).toBe(variant);
      expect(recs.items[1], variant).toMatchObject({ productId: 'lamp', reason: 'pinned' });
      expect(ids(recs), variant).not.toContain('pot');
    }
  });

  it('holds only where its conditions do: region, product on screen, category, validity window', async () => {
    const writeKey = await shop();
    await putRule(writeKey, 'bavaria', { slots: ['home'], action: 'pin', products: ['ladle'], when: { region: 'DE/Bavaria' } });
    await putRule(writeKey, 'with-tent', { slots: ['product'], action: 'pin', products: ['stove'], when: { productId: 'tent' } });
    await putRule(writeKey, 'camping', { slots: ['product', 'home'], action: 'pin', products: ['lamp'], position: 2, when: { category: 'Outdoor' } });
    await putRule(writeKey, 'tomorrow', { slots: ['home'], action: 'exclude', products: ['pan'], startsAt: iso(DAY) });
    await putRule(writeKey, 'yesterday', { slots: ['home'], action: 'exclude', products: ['pot'], endsAt: iso(-1000) });
    await putRule(writeKey, 'vip', { slots: ['home'], action: 'exclude', products: ['pan', 'pot'], when: { audienceId: 'vip' } });

    const visitor = uniqueId('c');
    const texan = await recommendations(writeKey, { slot: 'home', anonymousId: visitor }, { country: 'US', region: 'Texas' });
    expect(ids(texan).slice(0, 3)).toEqual(['pan', 'pot', 'knife']);
    const bavarian = await recommendations(writeKey, { slot: 'home', anonymousId: visitor }, BAVARIA);
    expect(bavarian.items[0]).toMatchObject({ productId: 'ladle', reason: 'pinned' });

    const onTent = await recommendations(writeKey, { slot: 'product', productId: 'tent', anonymousId: visitor });
    expect(onTent.items.slice(0, 2).map((i) => [i.productId, i.reason])).toEqual([
      ['stove', 'pinned'],
      ['lamp', 'pinned'],
    ]);
    const onPan = await recommendations(writeKey, { slot: 'product', productId: 'pan', anonymousId: visitor });
    expect(onPan.items.map((i) => i.reason)).not.toContain('pinned');

    // On the home page, the category is the one the shopper is browsing in this session.
    const camper = uniqueId('camper');
    await sendAndStore(writeKey, [viewed(camper, 'tent', { category: 'Outdoor > Camping' })]);
    const home = await recommendations(writeKey, { slot: 'home', anonymousId: camper });
    expect(home.items[1]).toMatchObject({ productId: 'lamp', reason: 'pinned' });
  });

  it('keeps exclude= and the page’s other slots first: a pin never repeats what the page shows', async () => {
    const writeKey = await shop();
    await putRule(writeKey, 'lamp', { slots: ['home'], action: 'pin', products: ['lamp'] });
    const recs = await recommendations(writeKey, { slot: 'home', anonymousId: uniqueId('p'), exclude: 'lamp,pan' });
    expect(ids(recs)).not.toContain('lamp');
    expect(ids(recs)).not.toContain('pan');
  });
});

async function explained(writeKey: string, params: Record<string, string>, headers: Record<string, string> = ADMIN, geo = BAVARIA) {
  const url = new URL(`${BASE}/v1/recommendations`);
  for (const [k, v] of Object.entries({ writeKey, explain: '1', ...params })) url.searchParams.set(k, v);
  const res = await SELF.fetch(url, { headers, cf: geo });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function preview(writeKey: string, body: unknown) {
  const res = await SELF.fetch(`${BASE}/v1/admin/rules/preview?writeKey=${writeKey}`, {
    method: 'POST',
    headers: { ...ADMIN, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe('why an answer is what it is', () => {
  it('explains an answer to the admin: rules applied and not, places with and without rules, what was taken out', async () => {
    const writeKey = await shop();
    await putRule(writeKey, 'no-pot', { slots: ['*'], action: 'exclude', products: ['pot'] });
    await putRule(writeKey, 'lamp-first', { slots: ['trending'], action: 'pin', products: ['lamp', 'sold-out'] });
    await putRule(writeKey, 'texas', { slots: ['trending'], action: 'boost', products: ['tent'], when: { region: 'US/Texas' } });
    await putRule(writeKey, 'cart-only', { slots: ['cart'], action: 'bury', products: ['pan'] });
    const visitor = uniqueId('x');

    // Shoppers see the reasons, never the rules.
    const plain = await recommendations(writeKey, { slot: 'trending', anonymousId: visitor, limit: '4' }, BAVARIA);
    expect(plain).not.toHaveProperty('explain');
    expect((await explained(writeKey, { slot: 'trending', anonymousId: visitor, limit: '4' }, {})).status).toBe(401);

    const { status, body } = await explained(writeKey, { slot: 'trending', anonymousId: visitor, limit: '4' });
    expect(status).toBe(200);
    expect(ids(body as never)).toEqual(['lamp', 'pan', 'knife', 'board']);
    expect(body.explain.applied.map((r: { id: string }) => r.id).sort()).toEqual(['lamp-first', 'no-pot']);
    expect(body.explain.notApplied).toEqual([
      { id: 'cart-only', action: 'bury', because: 'slots: for cart, not trending' },
      { id: 'texas', action: 'boost', because: 'when.region: the visitor is in DE/Bavaria' },
    ]);
    expect(body.explain.items[0]).toEqual({ productId: 'lamp', position: 1, reason: 'pinned', withoutRules: null, rules: ['lamp-first'] });
    expect(body.explain.items[1]).toMatchObject({ productId: 'pan', withoutRules: 1, rules: [] });
    expect(body.explain.withoutRules.map((i: { productId: string }) => i.productId)).toEqual(['pan', 'pot', 'knife', 'board']);
    expect(body.explain.removed).toEqual([{ productId: 'pot', withoutRules: 2, because: 'excluded', rules: ['no-pot'] }]);
    expect(body.explain.unplacedPins).toEqual([{ rule: 'lamp-first', productId: 'sold-out', position: 2, because: 'out of stock' }]);
  });

  it('previews a slot with draft rules, without stored ones, at another time and place, and stores nothing', async () => {
    const writeKey = await shop();
    await putRule(writeKey, 'no-pan', { slots: ['home'], action: 'exclude', products: ['pan'] });
    await putRule(writeKey, 'sale', { slots: ['home'], action: 'pin', products: ['tent'], startsAt: iso(DAY), endsAt: iso(2 * DAY) });
    const draft = { slots: ['home'], action: 'pin', products: ['stove'], position: 2, when: { region: 'DE' } };

    const now = await preview(writeKey, { slot: 'home', limit: 4, country: 'DE', region: 'Bavaria', rules: { 'stove-2': draft } });
    expect(now.status).toBe(200);
    expect(ids(now.body as never)).toEqual(['pot', 'stove', 'knife', 'board']);
    expect(now.body.explain.notApplied).toEqual([{ id: 'sale', action: 'pin', because: expect.stringMatching(/^startsAt: starts 20\d\d-/) }]);
    expect(now.body.explain.items[1]).toMatchObject({ productId: 'stove', reason: 'pinned', rules: ['stove-2'] });

    // Tomorrow the sale pin holds; without the stored exclusion the pan is back; outside Germany the draft does not apply.
    const tomorrow = await preview(writeKey, {
      slot: 'home',
      limit: 4,
      at: iso(DAY + 60_000),
      country: 'US',
      region: 'Texas',
      rules: { 'stove-2': draft },
      without: ['no-pan'],
    });
    expect(ids(tomorrow.body as never)).toEqual(['tent', 'pan', 'pot', 'knife']);
    expect(tomorrow.body.explain.notApplied).toEqual([{ id: 'stove-2', action: 'pin', because: 'when.region: the visitor is in US/Texas' }]);

    // A draft replaces the stored rule of its id.
    const replaced = await preview(writeKey, { slot: 'home', limit: 4, rules: { 'no-pan': { slots: ['home'], action: 'exclude', products: ['pot'] } } });
    expect(ids(replaced.body as never)).toEqual(['pan', 'knife', 'board', 'whisk']);

    expect((await listRules(writeKey)).rules.map((r) => r.id)).toEqual(['no-pan', 'sale']);
  });

  it('answers a bad preview with a 400 naming the path of the bad field', async () => {
    const writeKey = await shop();
    const cases: [unknown, string][] = [
      [{}, 'slot'],
      [{ slot: 'sidebar' }, 'slot'],
      [{ slot: 'product' }, 'productId'],
      [{ slot: 'home', limit: 0 }, 'limit'],
      [{ slot: 'home', at: 'soon' }, 'at'],
      [{ slot: 'home', rules: { draft: { slots: ['home'], action: 'pin', products: ['a'], position: 0 } } }, 'rules.draft.position'],
      [{ slot: 'home', rules: { 'summer-pin': { slots: ['home'], action: 'boost' } } }, 'rules["summer-pin"].products'],
      [{ slot: 'home', without: ['a b'] }, 'without[0]'],
      [{ slot: 'home', weather: 'rain' }, 'weather'],
    ];
    for (const [body, path] of cases) {
      const answer = await preview(writeKey, body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(
        answer.body.issues.map((i: { path: string }) => i.path),
        JSON.stringify(body),
      ).toContain(path);
      expect(answer.body.message, JSON.stringify(body)).toContain(path);
    }
  });
});

describe('rules for an audience', () => {
  it('hold for its members only', async () => {
    const writeKey = await shop();
    await defineAudience(writeKey, 'campers', { fact: 'viewedCategory', category: 'Outdoor', withinMinutes: 60, op: 'gte', value: 1 });
    await putRule(writeKey, 'camp-lamp', { slots: ['home'], action: 'pin', products: ['lamp'], position: 1, when: { audienceId: 'campers' } });
    const [camper, cook] = [uniqueId('camper'), uniqueId('cook')];
    await sendAndStore(writeKey, [viewed(camper, 'tent', { category: 'Outdoor > Camping' }), viewed(cook, 'pan', { category: 'Kitchen' })]);
    expect((await recommendations(writeKey, { slot: 'home', anonymousId: camper })).items[0]).toMatchObject({ productId: 'lamp', reason: 'pinned' });
    const { body } = await explained(writeKey, { slot: 'home', anonymousId: cook });
    expect(ids(body as never)).not.toContain('lamp');
    expect(body.explain.notApplied).toEqual([{ id: 'camp-lamp', action: 'pin', because: 'when.audienceId: the shopper is not in audience campers' }]);
  });
});

describe('rules and the last click', () => {
  it('a category condition holds on the next request after a view, before the drain stores it', async () => {
    const writeKey = await shop();
    await putRule(writeKey, 'camping', { slots: ['home'], action: 'pin', products: ['lamp'], position: 1, when: { category: 'Outdoor' } });
    const camper = uniqueId('camper');
    expect((await recommendations(writeKey, { slot: 'home', anonymousId: camper })).items[0]!.productId).not.toBe('lamp');
    await send(writeKey, [viewed(camper, 'tent', { category: 'Outdoor > Camping' })]); // acknowledged, not drained
    expect((await recommendations(writeKey, { slot: 'home', anonymousId: camper })).items[0]).toMatchObject({ productId: 'lamp', reason: 'pinned' });
  });
});
