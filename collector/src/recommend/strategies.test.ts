import { describe, expect, it } from 'vitest';
import type { AggregateReader } from '../aggregates/snapshot-reader';
import type { Scored } from './aggregate-store';
import { linked, secondHop, TUNING } from './strategies';

/** Co-view lists as given, every product viewed once (no damping differences). */
function reader(coViews: Record<string, Scored[]>): AggregateReader {
  return {
    top: () => [],
    neighbours: (kind, productId, limit) => (kind === 'v' ? (coViews[productId] ?? []).slice(0, limit) : []),
    totals: (ids) => new Map(ids.map((id) => [id, { views: 1, buys: 0 }])),
    repurchaseIntervals: () => new Map(),
  };
}

const totals = (ids: string[]) => new Map(ids.map((id) => [id, { views: 1, buys: 0 }]));
const ids = (list: Scored[]) => list.map((s) => s.productId);

describe('secondHop', () => {
  const store = reader({
    pick1: [
      { productId: 'far1', score: 4 },
      { productId: 'seen', score: 3 },
      { productId: 'hidden', score: 2 },
    ],
    pick2: [{ productId: 'far2', score: 4 }],
    seen: [{ productId: 'onlyFromTheSession', score: 10 }],
  });

  it('scores the co-views of the best first picks by the picks’ blended scores', () => {
    const hop = secondHop(
      store,
      [
        {
          candidates: [
            { productId: 'pick1', score: 1 },
            { productId: 'pick2', score: 0.5 },
          ],
          weight: 1,
        },
        { candidates: [{ productId: 'pick2', score: 1 }], weight: 0.1 },
      ],
      ['seen'],
      new Set(['hidden']),
      totals,
    );
    // pick1 weighs 1, pick2 0.5 + 0.1: far1 4 × 1, seen 3 × 1, far2 4 × 0.6, scaled to the best; the session's product is not a pick, an excluded product never shows.
    expect(ids(hop)).toEqual(['far1', 'seen', 'far2']);
    expect(hop.map((s) => s.score)).toEqual([1, 0.75, expect.closeTo(0.6)]);
    expect(ids(hop)).not.toContain('onlyFromTheSession');
  });

  it('starts from at most secondHopPicks picks, and from none without first picks', () => {
    const many = Array.from({ length: TUNING.secondHopPicks + 1 }, (_, i) => ({ productId: `p${String(i).padStart(2, '0')}`, score: 1 - i / 100 }));
    const lists = Object.fromEntries(many.map((p) => [p.productId, [{ productId: `next-${p.productId}`, score: 1 }]]));
    const hop = secondHop(reader(lists), [{ candidates: many, weight: 1 }], [], new Set(), totals);
    expect(hop).toHaveLength(TUNING.secondHopPicks);
    expect(ids(hop)).not.toContain(`next-${many.at(-1)!.productId}`);
    expect(secondHop(store, [{ candidates: [], weight: 1 }], ['seen'], new Set(), totals)).toEqual([]);
  });
});

describe('linked with a candidate bound', () => {
  it('damps only the best raw scores', () => {
    const store: AggregateReader = {
      ...reader({
        seed: [
          { productId: 'common', score: 8 },
          { productId: 'mid', score: 4 },
          { productId: 'rare', score: 2 },
        ],
      }),
      // common is viewed everywhere: damping puts the rare product first, when it is among the candidates.
      totals: (ids) => new Map(ids.map((id) => [id, { views: id === 'common' ? 1e6 : 1, buys: 0 }])),
    };
    const seeds = [{ productId: 'seed', weight: 1 }];
    const views = (ids: string[]) => store.totals(ids);
    expect(ids(linked(store, 'v', seeds, new Set(), views))).toEqual(['mid', 'rare', 'common']);
    expect(ids(linked(store, 'v', seeds, new Set(), views, 2))).toEqual(['mid', 'common']);
  });
});
