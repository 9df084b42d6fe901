import { describe, expect, it } from 'vitest';
import { MetricAccumulator, evaluate, nextItemPairs, rankOf } from '../recs-quality/metrics';
import type { SessionRecommender } from '../recs-quality/recommender';

describe('nextItemPairs', () => {
  it('predicts item t from the items before it, for every t ≥ 1 of every session', () => {
    const pairs = [...nextItemPairs([['a', 'b', 'c'], ['d'], ['e', 'f']])];
    expect(pairs).toEqual([
      { session: 0, prefix: ['a'], target: 'b' },
      { session: 0, prefix: ['a', 'b'], target: 'c' },
      { session: 2, prefix: ['e'], target: 'f' },
    ]);
  });
});

describe('rankOf', () => {
  it('is the 1-based position within the first k, else 0', () => {
    expect(rankOf(['x', 'y', 'z'], 'x', 10)).toBe(1);
    expect(rankOf(['x', 'y', 'z'], 'z', 10)).toBe(3);
    expect(rankOf(['x', 'y', 'z'], 'z', 2)).toBe(0);
    expect(rankOf(['x', 'y', 'z'], 'w', 10)).toBe(0);
    expect(rankOf([], 'w', 10)).toBe(0);
  });
});

describe('MetricAccumulator', () => {
  it('computes HR@K and MRR@K over the pairs', () => {
    const m = new MetricAccumulator(3);
    m.add(['a', 'b', 'c'], 'a'); // rank 1
    m.add(['a', 'b', 'c'], 'c'); // rank 3
    m.add(['a', 'b', 'c', 'd'], 'd'); // beyond K: a miss
    m.add([], 'a'); // nothing recommended: a miss
    const r = m.result();
    expect(r.pairs).toBe(4);
    expect(r.hitRate).toBeCloseTo(2 / 4, 12);
    expect(r.mrr).toBeCloseTo((1 + 1 / 3) / 4, 12);
  });

  it('is zero, not NaN, with no pairs', () => {
    expect(new MetricAccumulator(10).result()).toMatchObject({ hitRate: 0, mrr: 0, pairs: 0 });
  });
});

describe('evaluate', () => {
  /** Recommends the item that followed the last one in training, then a fixed filler. */
  class Successor implements SessionRecommender {
    readonly name = 'successor';
    private next = new Map<string, string>();
    train(sessions: readonly (readonly string[])[]): void {
      for (const s of sessions) for (let i = 1; i < s.length; i++) this.next.set(s[i - 1] as string, s[i] as string);
    }
    recommend(prefix: readonly string[], k: number): string[] {
      const guess = this.next.get(prefix[prefix.length - 1] as string);
      return [...(guess ? [guess] : []), 'filler'].slice(0, k);
    }
  }

  it('scores a recommender on every next-item pair of the test sessions', async () => {
    const r = new Successor();
    r.train([['a', 'b', 'c']]);
    // pairs: a→b (rank 1), b→x (miss), a→c (miss; "filler" at 2), c→filler (rank 1: the filler is right)
    const result = await evaluate(
      r,
      [
        ['a', 'b', 'x'],
        ['a', 'c', 'filler'],
      ],
      { k: 10 },
    );
    expect(result.pairs).toBe(4);
    expect(result.hitRate).toBeCloseTo(2 / 4, 12);
    expect(result.mrr).toBeCloseTo((1 + 1) / 4, 12);
  });

  it('awaits asynchronous recommenders and passes each session its meta', async () => {
    const seen: (string | undefined)[] = [];
    const r: SessionRecommender = {
      name: 'async',
      train: async () => {},
      recommend: async (_prefix, _k, meta) => {
        seen.push(meta?.region);
        return ['b'];
      },
    };
    const result = await evaluate(
      r,
      [
        ['a', 'b'],
        ['c', 'd'],
      ],
      { k: 10, meta: [{ region: 'us-ca' }, { region: 'jp-tokyo' }] },
    );
    expect(result.hitRate).toBe(0.5);
    expect(seen).toEqual(['us-ca', 'jp-tokyo']);
  });

  it('only counts the first k recommendations', async () => {
    const r: SessionRecommender = { name: 'long', train: () => {}, recommend: () => ['1', '2', '3', 'target'] };
    expect((await evaluate(r, [['a', 'target']], { k: 3 })).hitRate).toBe(0);
    expect((await evaluate(r, [['a', 'target']], { k: 4 })).mrr).toBe(0.25);
  });
});
