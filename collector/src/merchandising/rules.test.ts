import type { CatalogItem, Rule } from '@trailmark/schema';
import { describe, expect, it } from 'vitest';
import { newProfile } from '../profiles/profile';
import type { RankRequest, RankSources, Ranked } from '../recommend/rank';
import { merchandise } from './merchandise';
import {
  placePins,
  regionMatches,
  requestMismatch,
  reweigh,
  ruleStatus,
  shopperCategory,
  shopperMismatch,
  type RequestContext,
  type ShopperContext,
} from './rules';

const NOW = Date.parse('2026-06-10T12:00:00Z');
let n = 0;
const rule = (fields: Partial<Rule> & Pick<Rule, 'action'>): Rule => ({
  id: `r${n++}`,
  slots: ['*'],
  createdAt: '2026-06-01T00:00:00Z',
  updatedAt: '2026-06-01T00:00:00Z',
  ...fields,
});
const candidates = (ids: string[]) => ids.map((productId, i) => ({ productId, score: 1 - i / 100, reason: 'because-you-viewed' }));
const ids = (items: { productId: string }[]) => items.map((i) => i.productId);
const rulesForRequest = (rules: Rule[], ctx: RequestContext) => rules.filter((r) => requestMismatch(r, ctx) === undefined);
const rulesForShopper = (rules: Rule[], ctx: ShopperContext) => rules.filter((r) => shopperMismatch(r, ctx) === undefined);

describe('which rules apply', () => {
  it('by validity window', () => {
    expect(ruleStatus({}, NOW)).toBe('active');
    expect(ruleStatus({ startsAt: '2026-06-11T00:00:00Z' }, NOW)).toBe('scheduled');
    expect(ruleStatus({ startsAt: '2026-06-10T12:00:00Z', endsAt: '2026-06-10T12:00:01Z' }, NOW)).toBe('active');
    expect(ruleStatus({ endsAt: '2026-06-10T12:00:00Z' }, NOW)).toBe('expired');
  });

  it('by slot, region and the product on screen', () => {
    const home = rule({ action: 'boost', slots: ['home'], products: ['a'] });
    const everywhere = rule({ action: 'boost', products: ['a'] });
    const bavaria = rule({ action: 'boost', products: ['a'], when: { region: 'Bavaria' } });
    const germany = rule({ action: 'boost', products: ['a'], when: { region: 'de' } });
    const texas = rule({ action: 'boost', products: ['a'], when: { region: 'US/Texas' } });
    const onTent = rule({ action: 'boost', products: ['a'], when: { productId: 'tent' } });
    const later = rule({ action: 'boost', products: ['a'], startsAt: '2026-07-01T00:00:00Z' });
    const all = [home, everywhere, bavaria, germany, texas, onTent, later];
    const ctx = { slot: 'product' as const, nowMs: NOW, geo: { country: 'DE', region: 'Bavaria' }, productId: 'tent' };
    expect(rulesForRequest(all, ctx)).toEqual([everywhere, bavaria, germany, onTent]);
    expect(rulesForRequest(all, { ...ctx, slot: 'home', productId: undefined, geo: { country: 'US', region: 'Texas' } })).toEqual([home, everywhere, texas]);
    expect(regionMatches('DE/Bavaria', { country: 'DE', region: 'bavaria' })).toBe(true);
    expect(regionMatches('DE/Saxony', { country: 'DE', region: 'Bavaria' })).toBe(false);
    expect(regionMatches('Bavaria', {})).toBe(false);
  });

  it('says why a rule does not apply, naming the field that decided it', () => {
    const ctx = { slot: 'home' as const, nowMs: NOW, geo: { country: 'US', region: 'Texas' } };
    expect(requestMismatch(rule({ action: 'boost', slots: ['cart', 'product'], products: ['a'] }), ctx)).toBe('slots: for cart, product, not home');
    expect(requestMismatch(rule({ action: 'boost', products: ['a'], startsAt: '2026-07-01T00:00:00Z' }), ctx)).toBe('startsAt: starts 2026-07-01T00:00:00Z');
    expect(requestMismatch(rule({ action: 'boost', products: ['a'], endsAt: '2026-06-01T00:00:00Z' }), ctx)).toBe('endsAt: ended 2026-06-01T00:00:00Z');
    expect(requestMismatch(rule({ action: 'boost', products: ['a'], when: { productId: 'tent' } }), ctx)).toBe('when.productId: no product is on screen');
    expect(requestMismatch(rule({ action: 'boost', products: ['a'], when: { productId: 'tent' } }), { ...ctx, productId: 'pan' })).toBe(
      'when.productId: the product on screen is pan',
    );
    expect(requestMismatch(rule({ action: 'boost', products: ['a'], when: { region: 'DE' } }), ctx)).toBe('when.region: the visitor is in US/Texas');
    expect(requestMismatch(rule({ action: 'boost', products: ['a'], when: { region: 'DE' } }), { ...ctx, geo: {} })).toBe(
      'when.region: the visitor is in no known region',
    );
    expect(requestMismatch(rule({ action: 'boost', products: ['a'], when: { region: 'Texas' } }), ctx)).toBeUndefined();
    const none = () => false;
    expect(shopperMismatch(rule({ action: 'pin', products: ['x'], when: { category: 'Outdoor' } }), { category: 'Kitchen', memberOf: none })).toBe(
      'when.category: the shopper is in Kitchen',
    );
    expect(shopperMismatch(rule({ action: 'pin', products: ['x'], when: { category: 'Outdoor' } }), { memberOf: none })).toBe(
      'when.category: the shopper is in no category this session',
    );
    expect(shopperMismatch(rule({ action: 'pin', products: ['x'], when: { audienceId: 'vip' } }), { memberOf: none })).toBe(
      'when.audienceId: the shopper is not in audience vip',
    );
  });

  it('by the category the shopper is in (subcategories too) and by audience membership', () => {
    const tents = rule({ action: 'pin', products: ['x'], when: { category: 'Outdoor > Tents' } });
    const outdoor = rule({ action: 'pin', products: ['x'], when: { category: 'outdoor' } });
    const vip = rule({ action: 'pin', products: ['x'], when: { audienceId: 'vip' } });
    const none = () => false;
    expect(rulesForShopper([tents, outdoor, vip], { category: 'Outdoor > Tents > Dome', memberOf: none })).toEqual([tents, outdoor]);
    expect(rulesForShopper([tents, outdoor, vip], { category: 'Outdoor > Stoves', memberOf: none })).toEqual([outdoor]);
    expect(rulesForShopper([tents, outdoor, vip], { memberOf: none })).toEqual([]);
    expect(rulesForShopper([vip], { memberOf: (id) => id === 'vip' })).toEqual([vip]);
  });

  it('takes the category from the product on screen, else from the latest view or list of this session', () => {
    const profile = newProfile('p', NOW - 10_000);
    profile.session = { id: 's', startedAt: NOW - 5_000, lastAt: NOW, views: ['a'] };
    profile.recentViews = [{ productId: 'old', at: NOW - 9_000, category: 'Kitchen' }];
    profile.recentLists = [{ category: 'Garden > Tools', at: NOW - 1_000 }];
    const onScreen: CatalogItem = { productId: 't', name: 'T', inStock: true, category: 'Outdoor > Tents' };
    expect(shopperCategory(profile, onScreen)).toBe('Outdoor > Tents');
    expect(shopperCategory(profile, undefined)).toBe('Garden > Tools');
    profile.recentLists = [];
    expect(shopperCategory(profile, undefined)).toBeUndefined(); // the kitchen view was before this session
  });
});

describe('boost, bury and exclusions', () => {
  const category = (id: string) => (id.startsWith('t') ? 'Outdoor > Tents' : 'Kitchen');

  it('excludes by product and by category', () => {
    const out = reweigh(
      candidates(['a', 'tent-1', 'b', 'tent-2', 'c']),
      [rule({ action: 'exclude', products: ['b'] }), rule({ action: 'exclude', category: 'Outdoor' })],
      category,
    );
    expect(ids(out)).toEqual(['a', 'c']);
  });

  it('ranks a boosted product as if its rank were divided by the factor, a buried one as if multiplied', () => {
    const list = candidates(Array.from({ length: 20 }, (_, i) => `p${i + 1}`));
    const boosted = reweigh(list, [rule({ action: 'boost', products: ['p10'], factor: 2 })], category);
    expect(ids(boosted).indexOf('p10')).toBe(4); // rank 10 → 5
    expect(boosted[4]!.reason).toBe('promoted');
    const buried = reweigh(list, [rule({ action: 'bury', products: ['p2'], factor: 0.25 })], category);
    expect(ids(buried).indexOf('p2')).toBe(6); // weighed as rank 8: behind p3–p7, ahead of p8
    expect(buried[6]!.reason).toBe('because-you-viewed');
    // Factors of several rules multiply; the default boost is 2.
    const twice = reweigh(list, [rule({ action: 'boost', products: ['p12'] }), rule({ action: 'boost', products: ['p12'], factor: 3 })], category);
    expect(ids(twice).indexOf('p12')).toBe(1); // rank 12 → 2
  });
});

describe('pins', () => {
  const item = (productId: string) => ({ productId, name: productId, score: 0, reason: 'popular' });
  const items = ['a', 'b', 'c', 'd'].map(item);

  it('places pinned products at their 1-based positions, others moving down, within the limit', () => {
    expect(
      ids(
        placePins(
          items,
          [
            { item: item('x'), position: 1 },
            { item: item('y'), position: 3 },
          ],
          4,
        ),
      ),
    ).toEqual(['x', 'a', 'y', 'b']);
    // Already among the items: moved, not shown twice.
    expect(ids(placePins(items, [{ item: item('c'), position: 1 }], 4))).toEqual(['c', 'a', 'b', 'd']);
    // Two pins for one place: the second takes the next.
    expect(
      ids(
        placePins(
          items,
          [
            { item: item('x'), position: 2 },
            { item: item('y'), position: 2 },
          ],
          4,
        ),
      ),
    ).toEqual(['a', 'x', 'y', 'b']);
    // Past the end of a short answer: the last place; past the limit: not shown (and the item keeps its place).
    expect(ids(placePins(items.slice(0, 2), [{ item: item('x'), position: 4 }], 4))).toEqual(['a', 'b', 'x']);
    expect(ids(placePins(items, [{ item: item('d'), position: 9 }], 4))).toEqual(['a', 'b', 'c', 'd']);
    expect(placePins(items, [{ item: item('x'), position: 1 }], 4)[0]!.reason).toBe('pinned');
  });
});

describe('a slot answer with rules, in the documented order', () => {
  const catalog: CatalogItem[] = [
    ...['a', 'b', 'c', 'd', 'e', 'f'].map((id) => ({ productId: id, name: id, inStock: true, category: 'Kitchen' })),
    { productId: 'tent', name: 'Tent', inStock: true, category: 'Outdoor > Tents' },
    { productId: 'gone', name: 'Sold out', inStock: false, category: 'Kitchen' },
    { productId: 'new-1', name: 'New', inStock: true, category: 'Outdoor > Tents' },
    { productId: 'new-2', name: 'New', inStock: true, category: 'Kitchen' },
  ];
  const byId = new Map(catalog.map((p) => [p.productId, p]));
  const reads: string[][] = [];
  const sources = {
    catalog: (ids: string[]) => (reads.push(ids), new Map(ids.flatMap((id) => (byId.has(id) ? [[id, byId.get(id)!] as const] : [])))),
    anyInStock: () => ['new-1', 'new-2'],
  } as unknown as RankSources;
  const req: RankRequest = { slot: 'home', variant: 'treatment', limit: 4, nowMs: NOW };
  const ranked: Ranked = { strategy: 's', items: candidates(['a', 'b', 'tent', 'c', 'd', 'e']), exclude: new Set(['f']) };

  it('is the slot’s own answer without rules', () => {
    expect(ids(merchandise(ranked, req, sources, []).items)).toEqual(['a', 'b', 'tent', 'c']);
  });

  it('excludes, then reweighs, then pins; a pin never shows what is excluded, sold out or already on the page', () => {
    const rules = [
      rule({ action: 'exclude', category: 'Outdoor' }),
      rule({ action: 'boost', products: ['d'], factor: 3 }),
      rule({ action: 'pin', products: ['e'], position: 1 }),
      rule({ action: 'pin', products: ['tent', 'gone', 'f'], position: 2 }),
    ];
    reads.length = 0;
    const { items, unplacedPins } = merchandise(ranked, req, sources, rules);
    expect(items.map((i) => [i.productId, i.reason])).toEqual([
      ['e', 'pinned'],
      ['a', 'because-you-viewed'],
      ['d', 'promoted'],
      ['b', 'because-you-viewed'],
    ]);
    expect(items.map((i) => i.score)).toEqual([1, 0.75, 0.5, 0.25]);
    expect(reads).toHaveLength(1); // candidates and pins read together
    // A rule's products fill consecutive places from its position: tent 2, gone 3, f 4; none can be shown.
    expect(unplacedPins.map((p) => [p.productId, p.position, p.because])).toEqual([
      ['tent', 2, `excluded by rule ${rules[0]!.id}`],
      ['gone', 3, 'out of stock'],
      ['f', 4, 'the shopper has it in the cart or has bought it'],
    ]);
  });

  it('says why a pin is not shown: the page, the product on screen, the catalog, the limit', () => {
    const pins = [rule({ action: 'pin', products: ['a', 'b', 'nowhere'], position: 1 }), rule({ action: 'pin', products: ['c', 'd'], position: 4 })];
    const { items, unplacedPins } = merchandise(ranked, { ...req, exclude: ['a'], productId: 'b' }, sources, pins);
    expect(items[3]).toMatchObject({ productId: 'c', reason: 'pinned' });
    expect(unplacedPins.map((p) => [p.productId, p.because])).toEqual([
      ['a', 'the page already shows it (exclude=)'],
      ['b', 'it is the product on screen'],
      ['nowhere', 'not in the catalog'],
      ['d', "position 5 is past the slot's limit of 4"],
    ]);
  });

  it('tops up from the catalog without what rules exclude', () => {
    const thin: Ranked = { strategy: 's', items: candidates(['a']), exclude: new Set() };
    const { items } = merchandise(thin, req, sources, [rule({ action: 'exclude', category: 'Outdoor > Tents' })]);
    expect(ids(items)).toEqual(['a', 'new-2']);
  });
});
