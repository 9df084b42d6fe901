import { describe, expect, it } from 'vitest';
import { profileIdFor } from '../src/identity/resolve-profile';
import { variantFor } from '../src/recommend/holdout';
import { SELF } from 'cloudflare:test';
import { ADMIN, BASE, createSite, drainAll, exportEvents, uniqueId } from './support/collector';
import { added, event, ordered, product, recommend, recommendations, send, sendAndStore, uploadCatalog, viewed, type Geo } from './support/shop';

const BAVARIA: Geo = { country: 'DE', region: 'Bavaria' };
const TEXAS: Geo = { country: 'US', region: 'Texas' };
/** Everyone in the treatment group, so personal strategies are what is tested. */
const personal = { settings: { holdoutPercent: 0 } };

describe('cold start and fallbacks', () => {
  it('is never empty while the catalog has items in stock, even with no behaviour at all', async () => {
    const writeKey = await createSite(personal);
    const catalog = ['a', 'b', 'c'].map((id) => JSON.stringify(product(id))).join('\n');
    expect((await uploadCatalog(writeKey, catalog)).body).toMatchObject({ loaded: 3, rejected: [] });
    for (const slot of ['home', 'trending', 'reorder', 'cart']) {
      const recs = await recommendations(writeKey, { slot, anonymousId: uniqueId('new') });
      expect(recs.items.length, slot).toBe(3);
    }
    const onProduct = await recommendations(writeKey, { slot: 'product', productId: 'a', anonymousId: 'x' });
    expect(onProduct.items.map((i) => i.productId).sort()).toEqual(['b', 'c']);
  });

  it('falls back to what is popular in the visitor’s region, then everywhere', async () => {
    const writeKey = await createSite(personal);
    // Bavaria buys beer steins, Texas buys boots: five Bavarians at least, the regional floor (regionalMinShoppers).
    for (let i = 0; i < 5; i++) await send(writeKey, [ordered(`bav-${i}`, ['stein'])], BAVARIA);
    for (let i = 0; i < 6; i++) await send(writeKey, [ordered(`tex-${i}`, ['boots'])], TEXAS);
    await drainAll(writeKey);
    const bavarian = await recommendations(writeKey, { slot: 'home', anonymousId: uniqueId('visitor') }, BAVARIA);
    expect(bavarian.items[0]).toMatchObject({ productId: 'stein', reason: 'popular-in-region' });
    expect(bavarian.items[1]).toMatchObject({ productId: 'boots', reason: 'popular' });
    const texan = await recommendations(writeKey, { slot: 'home', anonymousId: uniqueId('visitor') }, TEXAS);
    expect(texan.items[0]!.productId).toBe('boots');
    const elsewhere = await recommendations(writeKey, { slot: 'trending', anonymousId: uniqueId('visitor') }, { country: 'FR', region: 'Brittany' });
    expect(elsewhere.items.map((i) => i.productId)).toEqual(['boots', 'stein']);
  });
});

describe('the regional floor (k-anonymity)', () => {
  const BRITTANY: Geo = { country: 'FR', region: 'Brittany' };
  const regional = (items: { reason: string }[]) => items.filter((i) => i.reason === 'trending-in-region' || i.reason === 'popular-in-region');

  it('keeps a lone shopper’s purchase off another visitor’s regional slots until k shoppers there bought it', async () => {
    const writeKey = await createSite(personal);
    for (let i = 0; i < 6; i++) await send(writeKey, [ordered(`tex-${i}`, ['boots'])], TEXAS);
    // Alone in Brittany: what they buy is theirs, not "trending near you".
    await send(writeKey, [viewed('breton-0', 'oilskin'), ordered('breton-0', ['oilskin'])], BRITTANY);
    await drainAll(writeKey);
    for (const slot of ['trending', 'home']) {
      const answer = await recommendations(writeKey, { slot, anonymousId: uniqueId('visitor') }, BRITTANY);
      expect(regional(answer.items), slot).toEqual([]);
      expect(answer.items[0]!.productId, slot).toBe('boots');
    }
    for (let i = 1; i < 5; i++) await send(writeKey, [ordered(`breton-${i}`, ['oilskin'])], BRITTANY);
    await drainAll(writeKey);
    const trending = await recommendations(writeKey, { slot: 'trending', anonymousId: uniqueId('visitor') }, BRITTANY);
    expect(trending.items[0]).toMatchObject({ productId: 'oilskin', reason: 'trending-in-region' });
    const home = await recommendations(writeKey, { slot: 'home', anonymousId: uniqueId('visitor') }, BRITTANY);
    expect(home.items[0]).toMatchObject({ productId: 'oilskin', reason: 'popular-in-region' });
  });

  it('follows the site’s regionalMinShoppers, and refuses a floor it cannot count', async () => {
    const writeKey = await createSite({ settings: { holdoutPercent: 0, regionalMinShoppers: 2 } });
    for (let i = 0; i < 2; i++) await send(writeKey, [ordered(`breton-${i}`, ['oilskin'])], BRITTANY);
    await drainAll(writeKey);
    const trending = await recommendations(writeKey, { slot: 'trending', anonymousId: uniqueId('visitor') }, BRITTANY);
    expect(trending.items[0]).toMatchObject({ productId: 'oilskin', reason: 'trending-in-region' });
    for (const bad of [0, 11, 2.5, 'five']) {
      const res = await SELF.fetch(`${BASE}/v1/admin/sites/${writeKey}`, {
        method: 'PUT',
        headers: { ...ADMIN, 'content-type': 'application/json' },
        body: JSON.stringify({ name: writeKey, allowedOrigins: ['https://shop.example'], settings: { regionalMinShoppers: bad } }),
      });
      expect(res.status, String(bad)).toBe(400);
      expect(await res.text(), String(bad)).toContain('regionalMinShoppers');
    }
  });
});

describe('strategies', () => {
  it('product slot: also viewed and bought together, weighted toward close views', async () => {
    const writeKey = await createSite(personal);
    for (let i = 0; i < 5; i++) await send(writeKey, [viewed(`s${i}`, 'tent'), viewed(`s${i}`, 'sleeping-bag'), viewed(`s${i}`, 'stove')]);
    await send(writeKey, [viewed('x', 'tent'), viewed('x', 'umbrella')]);
    for (let i = 0; i < 3; i++) await send(writeKey, [ordered(`b${i}`, ['tent', 'mat'])]);
    await drainAll(writeKey);
    const recs = await recommendations(writeKey, { slot: 'product', productId: 'tent', anonymousId: uniqueId('v') });
    const ids = recs.items.map((i) => i.productId);
    expect(ids[0]).toBe('sleeping-bag');
    expect(ids).toContain('mat');
    expect(ids.indexOf('stove')).toBeLessThan(ids.indexOf('umbrella'));
    expect(ids).not.toContain('tent');
    expect(recs.items.find((i) => i.productId === 'mat')!.reason).toBe('bought-together');
    expect(recs.strategy).toBe('also-viewed+bought-together');
  });

  it('cart slot: cross-sells what is bought with the cart’s contents, never what is in it', async () => {
    const writeKey = await createSite(personal);
    for (let i = 0; i < 4; i++) await send(writeKey, [ordered(`b${i}`, ['beer', 'chips'])]);
    for (let i = 0; i < 2; i++) await send(writeKey, [ordered(`c${i}`, ['beer', 'pretzels'])]);
    await send(writeKey, [ordered('z', ['soap'])]);
    const shopper = uniqueId('cart');
    await sendAndStore(writeKey, [added(shopper, 'beer')]);
    const recs = await recommendations(writeKey, { slot: 'cart', anonymousId: shopper });
    expect(recs.items.map((i) => i.productId).slice(0, 2)).toEqual(['chips', 'pretzels']);
    expect(recs.items.map((i) => i.productId)).not.toContain('beer');
  });

  it('home slot: personal picks from the shopper’s own browsing, blended with the region', async () => {
    const writeKey = await createSite(personal);
    const boats = { category: 'Water > Boats' };
    for (let i = 0; i < 4; i++) await send(writeKey, [viewed(`s${i}`, 'kayak', boats), viewed(`s${i}`, 'paddle', boats)]);
    for (let i = 0; i < 6; i++) await send(writeKey, [ordered(`r${i}`, ['stein'])], BAVARIA);
    const shopper = uniqueId('home');
    await sendAndStore(writeKey, [viewed(shopper, 'kayak', boats)], BAVARIA);
    const recs = await recommendations(writeKey, { slot: 'home', anonymousId: shopper }, BAVARIA);
    expect(recs.strategy).toBe('regional+personal');
    // What they just looked at and what it leads to come first, then what the region buys.
    expect(recs.items.slice(0, 2)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ productId: 'paddle', reason: 'because-you-viewed' }),
        expect.objectContaining({ productId: 'kayak', reason: 'recently-viewed' }),
      ]),
    );
    expect(recs.items[2]).toMatchObject({ productId: 'stein', reason: 'popular-in-region' });
  });

  it('home slot: what shoppers whose sessions resemble this one went on to view, however far apart', async () => {
    const writeKey = await createSite(personal);
    // Co-views link a view to the three before it: the lantern, five views after the tent, is linked
    // to the tent only through the sessions themselves.
    for (let i = 0; i < 2; i++) {
      const other = uniqueId('camper');
      await send(
        writeKey,
        ['tent', 'pegs', 'mat', 'stove', 'kettle', 'lantern'].map((id) => viewed(other, id)),
      );
    }
    const shopper = uniqueId('shopper');
    await sendAndStore(writeKey, [viewed(shopper, 'tent')]);
    const recs = await recommendations(writeKey, { slot: 'home', anonymousId: shopper, limit: '10' });
    expect(recs.items[0]).toMatchObject({ productId: 'tent', reason: 'recently-viewed' });
    expect(recs.items.find((i) => i.productId === 'lantern')?.reason).toBe('because-you-viewed');
  });

  it('trending slot: what the region is into now', async () => {
    const writeKey = await createSite(personal);
    const old = new Date(Date.now() - 20 * 86_400_000).toISOString();
    for (let i = 0; i < 10; i++) await send(writeKey, [{ ...viewed(`o${i}`, 'old-hit'), timestamp: old }], TEXAS);
    // Five shoppers: a region shows what at least that many of its shoppers looked at (regionalMinShoppers).
    for (let i = 0; i < 5; i++) await send(writeKey, [viewed(`n${i}`, 'new-hit')], TEXAS);
    await drainAll(writeKey);
    const recs = await recommendations(writeKey, { slot: 'trending', anonymousId: uniqueId('t') }, TEXAS);
    expect(recs.items[0]).toMatchObject({ productId: 'new-hit', reason: 'trending-in-region' });
  });

  it('reorder slot: items bought on a cycle, when the next purchase is due', async () => {
    const writeKey = await createSite(personal);
    const shopper = uniqueId('regular');
    const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString();
    // Coffee every 30 days, last bought 31 days ago: due. Filters bought 30 days apart, last 2 days ago: not due.
    await sendAndStore(writeKey, [
      ordered(shopper, ['coffee'], daysAgo(91)),
      ordered(shopper, ['coffee'], daysAgo(61)),
      ordered(shopper, ['coffee', 'filters'], daysAgo(31)),
      ordered(shopper, ['filters'], daysAgo(2)),
    ]);
    const recs = await recommendations(writeKey, { slot: 'reorder', anonymousId: shopper });
    expect(recs.strategy).toBe('repurchase-cycle');
    expect(recs.items[0]).toMatchObject({ productId: 'coffee', reason: 'time-to-reorder' });
    expect(recs.items.find((i) => i.productId === 'filters')?.reason).not.toBe('time-to-reorder');
  });

  it('filters out what the shopper bought, has in the cart, and what is out of stock', async () => {
    const writeKey = await createSite(personal);
    for (let i = 0; i < 5; i++) await send(writeKey, [ordered(`p${i}`, ['a', 'b', 'c', 'd'])]);
    await send(writeKey, [viewed('z', 'd', { in_stock: false })]);
    const shopper = uniqueId('f');
    await sendAndStore(writeKey, [ordered(shopper, ['a']), added(shopper, 'b')]);
    const recs = await recommendations(writeKey, { slot: 'home', anonymousId: shopper });
    expect(recs.items.map((i) => i.productId)).toEqual(['c']);
  });

  it('reflects the shopper’s own latest event within 2 seconds', async () => {
    const writeKey = await createSite(personal);
    for (let i = 0; i < 3; i++) await send(writeKey, [viewed(`s${i}`, 'drill'), viewed(`s${i}`, 'drill-bits')]);
    for (let i = 0; i < 5; i++) await send(writeKey, [ordered(`p${i}`, ['hammer'])]);
    await drainAll(writeKey);
    const shopper = uniqueId('fresh');
    const picks = async () => (await recommendations(writeKey, { slot: 'home', anonymousId: shopper })).items.map((i) => i.productId);
    // Best sellers first; drill and drill-bits tie (three views each), so their order is the millisecond their views were stamped.
    const before = await picks();
    expect(before[0]).toBe('hammer');
    expect(before.slice(1).sort()).toEqual(['drill', 'drill-bits']);
    const started = Date.now();
    await send(writeKey, [viewed(shopper, 'drill')]); // no manual drain: the shard's alarm must do it
    let seen: string[] = [];
    while (Date.now() - started < 2000) {
      seen = await picks();
      if (seen[0] !== 'hammer') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(seen.slice(0, 2).sort()).toEqual(['drill', 'drill-bits']);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('exclude', () => {
  it('leaves out what the page already shows, in every tier, for both variants', async () => {
    const writeKey = await createSite({ settings: { holdoutPercent: 50 } });
    const catalog = ['a', 'b', 'c', 'd', 'e'].map((id) => JSON.stringify(product(id))).join('\n');
    await uploadCatalog(writeKey, catalog);
    for (let i = 0; i < 3; i++) await send(writeKey, [ordered(`p${i}`, ['a', 'b'])]);
    await sendAndStore(writeKey, [viewed('v', 'c'), viewed('v', 'd')]);
    const visitor = (want: string) =>
      Array.from({ length: 200 }, (_, i) => `ex-${i}`).find((id) => variantFor(writeKey, profileIdFor(`anonymous:${id}`), 50) === want)!;
    for (const variant of ['treatment', 'control']) {
      const all = await recommendations(writeKey, { slot: 'home', anonymousId: visitor(variant) });
      expect(all.variant).toBe(variant);
      expect(all.items.map((i) => i.productId).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
      // What the first slot showed (popular, learned and catalog-only products alike) is not shown again.
      const rest = await recommendations(writeKey, { slot: 'home', anonymousId: visitor(variant), exclude: 'a,c,e,unknown' });
      expect(rest.items.map((i) => i.productId).sort(), variant).toEqual(['b', 'd']);
    }
    const onProduct = await recommendations(writeKey, { slot: 'product', productId: 'c', anonymousId: visitor('treatment'), exclude: 'd' });
    expect(onProduct.items.map((i) => i.productId)).not.toContain('d');
  });
});

describe('holdout and attribution', () => {
  it('splits profiles deterministically at the configured share', () => {
    const share = (percent: number) =>
      Array.from({ length: 10_000 }, (_, i) => variantFor('site', profileIdFor(`anonymous:v-${i}`), percent)).filter((v) => v === 'control').length / 10_000;
    expect(share(10)).toBeGreaterThan(0.09);
    expect(share(10)).toBeLessThan(0.11);
    expect(share(50)).toBeGreaterThan(0.48);
    expect(share(50)).toBeLessThan(0.52);
    expect(share(0)).toBe(0);
    expect(variantFor('site', 'p-1', 10)).toBe(variantFor('site', 'p-1', 10));
  });

  it('serves the control group best sellers, and honours the site’s split', async () => {
    const writeKey = await createSite();
    for (let i = 0; i < 3; i++) await send(writeKey, [ordered(`p${i}`, ['best'])]);
    await sendAndStore(writeKey, [viewed('v', 'niche'), viewed('v', 'niche-2')]);
    const visitor = (want: string, percent: number) =>
      Array.from({ length: 200 }, (_, i) => `visitor-${i}`).find((id) => variantFor(writeKey, profileIdFor(`anonymous:${id}`), percent) === want)!;
    const control = await recommendations(writeKey, { slot: 'product', productId: 'niche', anonymousId: visitor('control', 10) });
    expect(control).toMatchObject({ variant: 'control', strategy: 'best-sellers' });
    expect(control.items[0]).toMatchObject({ productId: 'best', reason: 'best-seller' });
    const treated = await recommendations(writeKey, { slot: 'product', productId: 'niche', anonymousId: visitor('treatment', 10) });
    expect(treated).toMatchObject({ variant: 'treatment', strategy: 'also-viewed+bought-together' });
    expect(treated.items[0]!.productId).toBe('niche-2');

    const half = await createSite({ settings: { holdoutPercent: 50 } });
    const switched = Array.from({ length: 500 }, (_, i) => `v-${i}`).find(
      (id) => variantFor(half, profileIdFor(`anonymous:${id}`), 50) === 'control' && variantFor(half, profileIdFor(`anonymous:${id}`), 10) === 'treatment',
    )!;
    expect((await recommendations(half, { slot: 'home', anonymousId: switched })).variant).toBe('control');
  });

  it('credits an add and an order to the recommendation clicked before them', async () => {
    const writeKey = await createSite(personal);
    await sendAndStore(writeKey, [ordered('p', ['lamp', 'bulb'])]);
    const shopper = uniqueId('buyer');
    const recs = await recommendations(writeKey, { slot: 'product', productId: 'lamp', anonymousId: shopper });
    expect(recs.recId).toMatch(/^[0-9a-f-]{36}$/);
    await sendAndStore(writeKey, [
      event(shopper, 'Recommendation Viewed', { rec_id: recs.recId, slot: 'product', variant: recs.variant, product_ids: ['bulb'] }),
      event(shopper, 'Recommendation Clicked', { rec_id: recs.recId, slot: 'product', variant: recs.variant, product_id: 'bulb', position: 0 }),
      added(shopper, 'bulb'),
      ordered(shopper, ['bulb', 'other']),
    ]);
    const stored = await exportEvents(writeKey);
    const credit = { recId: recs.recId, slot: 'product', variant: 'treatment', productId: 'bulb' };
    expect(stored.find((e) => e.event === 'Product Added' && e.anonymousId === shopper)!.context.attribution).toEqual([credit]);
    expect(stored.find((e) => e.event === 'Order Completed' && e.anonymousId === shopper)!.context.attribution).toEqual([credit]);
  });
});

describe('bad input', () => {
  it('answers unknown slots, missing or malformed ids, absurd limits and missing keys with a clear 4xx', async () => {
    const writeKey = await createSite();
    const cases: [Record<string, string>, number, string][] = [
      [{ slot: 'sidebar', anonymousId: 'a' }, 400, 'invalid_slot'],
      [{ anonymousId: 'a' }, 400, 'invalid_slot'],
      [{ slot: 'home', anonymousId: 'x'.repeat(300) }, 400, 'invalid_id'],
      [{ slot: 'home', anonymousId: 'a\u0000b' }, 400, 'invalid_id'],
      [{ slot: 'product', anonymousId: 'a' }, 400, 'missing_product'],
      [{ slot: 'home', anonymousId: 'a', limit: '0' }, 400, 'invalid_limit'],
      [{ slot: 'home', anonymousId: 'a', limit: '1000000' }, 400, 'invalid_limit'],
      [{ slot: 'home', anonymousId: 'a', limit: '2.5' }, 400, 'invalid_limit'],
      [{ slot: 'home', anonymousId: 'a', limit: 'lots' }, 400, 'invalid_limit'],
      [{ slot: 'home', anonymousId: 'a', exclude: 'a,,b' }, 400, 'invalid_exclude'],
      [{ slot: 'home', anonymousId: 'a', exclude: 'a,' }, 400, 'invalid_exclude'],
      [{ slot: 'home', anonymousId: 'a', exclude: `a,${'x'.repeat(300)}` }, 400, 'invalid_exclude'],
      [{ slot: 'home', anonymousId: 'a', exclude: 'a,b\u0001' }, 400, 'invalid_exclude'],
      [{ slot: 'home', anonymousId: 'a', exclude: Array.from({ length: 101 }, (_, i) => `p${i}`).join(',') }, 400, 'invalid_exclude'],
    ];
    for (const [params, status, code] of cases) {
      const res = await recommend(writeKey, params);
      expect(res.status, JSON.stringify(params)).toBe(status);
      expect(((await res.json()) as { error: string }).error).toBe(code);
    }
    // No ids at all (no consent yet): unpersonalised picks, not an error.
    const noIds = await recommend(writeKey, { slot: 'trending' });
    expect(noIds.status).toBe(200);
    const noKey = await recommend('', { slot: 'home', anonymousId: 'a' });
    expect(noKey.status).toBe(401);
    const unknownKey = await recommend('nope', { slot: 'home', anonymousId: 'a' });
    expect(unknownKey.status).toBe(401);
  });

  it('loads the good rows of a catalog upload and reports the bad ones', async () => {
    const writeKey = await createSite();
    const rows = [
      JSON.stringify(product('ok-1')),
      '{not json',
      JSON.stringify({ name: 'no id' }),
      JSON.stringify({ product_id: 'bad-price', name: 'x', price: -3 }),
      JSON.stringify({ product_id: 'bad-url', name: 'x', url: 'javascript:alert(1)' }),
      JSON.stringify({ productId: 'ok-2', name: 'Camel case', imageUrl: 'https://cdn.example/2.png', inStock: true }),
    ].join('\n');
    const { status, body } = await uploadCatalog(writeKey, rows);
    expect(status).toBe(200);
    expect(body.loaded).toBe(2);
    expect(body.rejected.map((r: { line: number }) => r.line)).toEqual([2, 3, 4, 5]);
    expect(body.rejected[3].reason).toContain('url');
    const asArray = await uploadCatalog(writeKey, JSON.stringify([product('ok-3'), { product_id: 'no-name' }]), 'application/json');
    expect(asArray.body).toMatchObject({ loaded: 1, rejected: [{ line: 2 }] });
    const recs = await recommendations(writeKey, { slot: 'home', anonymousId: 'a', limit: '10' });
    expect(recs.items.map((i) => i.productId).sort()).toEqual(['ok-1', 'ok-2', 'ok-3']);
  });
});
