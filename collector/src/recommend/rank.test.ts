import type { CatalogItem, Slot } from '@trailmark/schema';
import { describe, expect, it } from 'vitest';
import type { AggregateReader } from '../aggregates/snapshot-reader';
import { newProfile, type Profile } from '../profiles/profile';
import { scope } from './aggregate-store';
import { DEFAULT_MIN_SHOPPERS } from './popularity-floor';
import { rankCandidates, rescore, toItem, toItems, type RankRequest, type RankSources } from './rank';

const NOW = Date.UTC(2026, 2, 1, 12);
const DAY = 86_400_000;
const BAVARIA = 'DE/Bavaria';

/**
 * Aggregates held in memory: each scope's products, best first, and each
 * product's neighbours by link kind ("v:tent" → co-viewed with tent). Every
 * popularity read is recorded with the floor it asked for.
 */
function aggregates(tops: Record<string, string[]>, neighbours: Record<string, string[]> = {}, intervals: Record<string, number> = {}) {
  const reads: { scope: string; minShoppers?: number }[] = [];
  const reader: AggregateReader = {
    top: (scopeName, limit, minShoppers) => {
      reads.push({ scope: scopeName, minShoppers });
      return (tops[scopeName] ?? []).slice(0, limit).map((productId, i) => ({ productId, score: 100 - i }));
    },
    neighbours: (kind, productId, limit) => (neighbours[`${kind}:${productId}`] ?? []).slice(0, limit).map((id, i) => ({ productId: id, score: 10 - i })),
    totals: (ids) => new Map(ids.map((id) => [id, { views: 10, buys: 1 }])),
    repurchaseIntervals: (ids) => new Map(ids.filter((id) => intervals[id] !== undefined).map((id) => [id, intervals[id]!])),
  };
  const sources: RankSources = { aggregates: reader, repurchaseIntervals: (ids) => reader.repurchaseIntervals(ids) };
  return { sources, reads };
}

const request = (slot: Slot, more: Partial<RankRequest> = {}): RankRequest => ({ slot, variant: 'treatment', limit: 10, nowMs: NOW, ...more });
const ids = (items: { productId: string }[]) => items.map((i) => i.productId);

/** A shopper with `tent` in the cart, `stove` bought, and `mat` viewed in this session. */
function shopper(): Profile {
  const p = newProfile('p1', NOW - DAY);
  p.cart = { tent: { quantity: 1, at: NOW - 1000 } };
  p.purchases = { stove: { count: 1, lastAt: NOW - 30 * DAY, meanIntervalMs: 30 * DAY } };
  p.session = { id: 's1', startedAt: NOW - 5000, lastAt: NOW - 100, views: ['mat'] };
  return p;
}

describe('ranking a slot', () => {
  it('never offers what is in the cart, already bought, on screen or shown elsewhere on the page, fallbacks included', () => {
    const all = ['tent', 'stove', 'lamp', 'shown', 'rope', 'focus'];
    const { sources } = aggregates({ [scope.all]: all, [scope.region(BAVARIA)]: all }, { 'v:focus': all, 'b:focus': all, 'v:mat': all });
    // The session's view (mat) is a pick of its own on the home and product slots, not in the cart slot.
    const expected = { home: ['lamp', 'mat', 'rope'], product: ['lamp', 'mat', 'rope'], cart: ['lamp', 'rope'] };
    for (const slot of ['home', 'product', 'cart'] as const) {
      const ranked = rankCandidates(request(slot, { productId: 'focus', region: BAVARIA, exclude: ['shown'] }), shopper(), sources);
      expect(ids(ranked.items).sort(), slot).toEqual(expected[slot]);
      for (const id of ['tent', 'stove', 'shown', 'focus']) expect(ranked.exclude.has(id), `${slot} ${id}`).toBe(true);
    }
  });

  it('lets the reorder slot offer a purchase that is due, and the trending slot anything bought', () => {
    const { sources } = aggregates({ [scope.trendingAll]: ['stove', 'lamp'] });
    const reorder = rankCandidates(request('reorder'), shopper(), sources);
    expect(reorder.strategy).toBe('repurchase-cycle');
    expect(reorder.items[0]).toMatchObject({ productId: 'stove', reason: 'time-to-reorder' });
    const trending = rankCandidates(request('trending'), shopper(), sources);
    expect(ids(trending.items).slice(0, 2)).toEqual(['stove', 'lamp']);
  });

  it('shows the control group best sellers, the same for every shopper, minus only the screen and the page', () => {
    const { sources } = aggregates({ [scope.soldAll]: ['tent', 'stove', 'lamp', 'focus', 'shown'], [scope.all]: ['rope'] });
    const req = request('home', { variant: 'control', productId: 'focus', exclude: ['shown'] });
    const forShopper = rankCandidates(req, shopper(), sources);
    const forNobody = rankCandidates(req, undefined, sources);
    expect(forShopper.strategy).toBe('best-sellers');
    expect(forShopper.items).toEqual(forNobody.items);
    expect(ids(forShopper.items).slice(0, 3)).toEqual(['tent', 'stove', 'lamp']);
    expect(forShopper.items[0]!.reason).toBe('best-seller');
    // A shop that has sold nothing yet: overall popularity.
    const unsold = aggregates({ [scope.all]: ['rope', 'lamp'] }).sources;
    expect(rankCandidates(req, undefined, unsold).items.slice(0, 2)).toMatchObject([
      { productId: 'rope', reason: 'best-seller' },
      { productId: 'lamp', reason: 'best-seller' },
    ]);
  });

  it('falls back region first, then everyone, each tier below every personal pick and below the tier before', () => {
    const { sources } = aggregates({ [scope.region(BAVARIA)]: ['r1', 'r2'], [scope.all]: ['r2', 'a1'] }, { 'b:tent': ['x1'] });
    const ranked = rankCandidates(request('cart', { region: BAVARIA }), shopper(), sources);
    const byId = new Map(ranked.items.map((i) => [i.productId, i]));
    expect(byId.get('x1')!.reason).toBe('bought-together');
    // r1, r2 were already picked as the cart slot's regional source; a1 comes from the last tier.
    expect(byId.get('a1')).toMatchObject({ reason: 'popular' });
    const scores = ranked.items.map((i) => i.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(byId.get('a1')!.score).toBeLessThan(Math.min(byId.get('x1')!.score, byId.get('r1')!.score, byId.get('r2')!.score));
    expect(byId.get('a1')!.score).toBeLessThan(0);
  });

  it('fills a slot for an unknown visitor from the fallbacks alone', () => {
    const { sources } = aggregates({ [scope.region(BAVARIA)]: ['r1'], [scope.all]: ['a1', 'r1'] });
    const ranked = rankCandidates(request('home', { region: BAVARIA }), undefined, sources);
    expect(ranked.strategy).toBe('regional');
    expect(ranked.items.map((i) => [i.productId, i.reason])).toEqual([
      ['r1', 'popular-in-region'],
      ['a1', 'popular'],
    ]);
    // Nothing at all: an empty list, not an error.
    expect(rankCandidates(request('home'), undefined, aggregates({}).sources).items).toEqual([]);
  });

  it('asks regional scopes for the site’s floor (the default when unset), never the site-wide scope', () => {
    const { sources, reads } = aggregates({});
    rankCandidates(request('trending', { region: BAVARIA, regionalMinShoppers: 7 }), undefined, sources);
    const regional = reads.filter((r) => r.scope.includes(BAVARIA));
    expect(new Set(regional.map((r) => r.scope))).toEqual(new Set([scope.region(BAVARIA), scope.trendingRegion(BAVARIA)]));
    expect(regional.every((r) => r.minShoppers === 7)).toBe(true);
    expect(reads.filter((r) => !r.scope.includes(BAVARIA)).every((r) => r.minShoppers === undefined)).toBe(true);
    reads.length = 0;
    rankCandidates(request('home', { region: BAVARIA }), undefined, sources);
    expect(new Set(reads.filter((r) => r.scope.includes(BAVARIA)).map((r) => r.minShoppers))).toEqual(new Set([DEFAULT_MIN_SHOPPERS]));
  });

  it('sums a product’s scores across sources and gives it the reason of its strongest, or of the shopper’s own views', () => {
    // rope is co-viewed with mat a little more than lamp; lamp is also popular in the region.
    const { sources } = aggregates({ [scope.region(BAVARIA)]: ['lamp'] }, { 'v:mat': ['rope', 'lamp'] });
    const ranked = rankCandidates(request('home', { region: BAVARIA }), shopper(), sources);
    const byId = new Map(ranked.items.map((i) => [i.productId, i]));
    expect(byId.get('mat')!.reason).toBe('recently-viewed');
    expect(ids(ranked.items).indexOf('lamp')).toBeLessThan(ids(ranked.items).indexOf('rope'));
    // Its stronger source names it.
    expect(byId.get('lamp')!.reason).toBe('because-you-viewed');
    expect(byId.get('rope')!.reason).toBe('because-you-viewed');
  });
});

describe('turning ranked ids into items', () => {
  const item = (productId: string, inStock = true): CatalogItem => ({ productId, name: `Name ${productId}`, inStock }) as CatalogItem;
  const ranked = ['a', 'b', 'gone', 'sold-out', 'c'].map((productId, i) => ({ productId, score: 5 - i, reason: 'popular' }));

  it('without a catalog: the ids themselves, up to the limit, scores as ranked', () => {
    const { sources } = aggregates({});
    expect(toItems(ranked, request('home', { limit: 2 }), sources, new Set())).toEqual([
      { productId: 'a', name: 'a', score: 5, reason: 'popular' },
      { productId: 'b', name: 'b', score: 4, reason: 'popular' },
    ]);
  });

  it('with a catalog: skips unknown and sold-out products, tops up with new products not chosen or excluded, scores from 1 down', () => {
    const known = new Map([item('a'), item('b'), item('sold-out', false), item('c'), item('new1'), item('new2'), item('x')].map((i) => [i.productId, i]));
    const { sources } = aggregates({});
    const src: RankSources = {
      ...sources,
      catalog: (wanted) => new Map(wanted.filter((id) => known.has(id)).map((id) => [id, known.get(id)!])),
      anyInStock: () => ['a', 'x', 'new1', 'new2'],
    };
    const items = toItems(ranked, request('home', { limit: 5 }), src, new Set(['x']));
    expect(items.map((i) => [i.productId, i.reason, i.score])).toEqual([
      ['a', 'popular', 1],
      ['b', 'popular', 0.8],
      ['c', 'popular', 0.6],
      ['new1', 'new-in-catalog', 0.4],
      ['new2', 'new-in-catalog', 0.2],
    ]);
    expect(toItems(ranked, request('home', { limit: 1 }), src, new Set())).toEqual([{ productId: 'a', name: 'Name a', score: 1, reason: 'popular' }]);
  });

  it('scores n items (n − i) / n to three decimals, and copies only the catalog fields a product has', () => {
    expect(rescore([])).toEqual([]);
    expect(rescore(['a', 'b', 'c'].map((productId) => ({ productId, name: productId, score: 42, reason: 'r' }))).map((i) => i.score)).toEqual([
      1, 0.667, 0.333,
    ]);
    const bare = toItem({ productId: 'p', name: 'P' } as CatalogItem, 0.5, 'popular');
    expect(bare).toEqual({ productId: 'p', name: 'P', score: 0.5, reason: 'popular' });
    expect(Object.keys(bare)).toEqual(['productId', 'name', 'score', 'reason']);
    const full = toItem(
      { productId: 'p', name: 'P', price: 9.5, currency: 'EUR', imageUrl: 'https://x.test/p.jpg', url: 'https://x.test/p', category: 'A > B' } as CatalogItem,
      1,
      'r',
    );
    expect(full).toMatchObject({ price: 9.5, currency: 'EUR', imageUrl: 'https://x.test/p.jpg', url: 'https://x.test/p', category: 'A > B' });
  });
});
