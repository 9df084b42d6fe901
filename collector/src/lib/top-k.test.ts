import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { topSorted } from './top-k';

type Scored = { productId: string; score: number };
const byScore = (a: Scored, b: Scored) => b.score - a.score || (a.productId < b.productId ? -1 : 1);

describe('topSorted', () => {
  it('is the sorted list cut at k, for any scores (ties broken by id)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({ productId: fc.string({ maxLength: 4 }), score: fc.oneof(fc.double({ noNaN: true, min: -5, max: 5 }), fc.integer({ min: 0, max: 3 })) }),
          {
            selector: (s) => s.productId,
            maxLength: 400,
          },
        ),
        fc.integer({ min: 0, max: 120 }),
        (items, k) => {
          const expected = [...items].sort(byScore).slice(0, k);
          expect(topSorted([...items], k, byScore)).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('keeps the input order among equals when the position breaks ties', () => {
    const items = Array.from({ length: 500 }, (_, i) => ({ score: i % 7, at: i % 3, index: i }));
    const order = (a: (typeof items)[0], b: (typeof items)[0]) => b.score - a.score || b.at - a.at || a.index - b.index;
    const stable = [...items].sort((a, b) => b.score - a.score || b.at - a.at);
    expect(topSorted([...items], 100, order)).toEqual(stable.slice(0, 100));
  });

  it('works with a comparator that does not call an item equal to itself', () => {
    const selfUnequal = (a: Scored, b: Scored) => b.score - a.score || (a.productId < b.productId ? -1 : 1);
    const items = Array.from({ length: 1000 }, (_, i) => ({ productId: `p${String(i).padStart(4, '0')}`, score: (i * 7919) % 13 }));
    expect(topSorted([...items], 60, selfUnequal)).toEqual([...items].sort(selfUnequal).slice(0, 60));
  });

  it('returns everything, sorted, when k covers the list', () => {
    const items = [
      { productId: 'b', score: 1 },
      { productId: 'a', score: 1 },
      { productId: 'c', score: 2 },
    ];
    expect(topSorted([...items], 10, byScore).map((s) => s.productId)).toEqual(['c', 'a', 'b']);
    expect(topSorted([...items], 0, byScore)).toEqual([]);
  });
});
