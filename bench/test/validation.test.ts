import { describe, expect, it } from 'vitest';
import { evenlySpread } from '../recs-quality/diginetica';
import { coordinateAscent } from '../recs-quality/tune';
import { lastDay, lastDays, validationSplit } from '../recs-quality/validation';

const DAY = 86_400_000;

describe('the tuning split', () => {
  const dataset = {
    name: 'toy',
    train: [
      ['a', 'b'],
      ['b', 'c'],
      ['a', 'c'],
      ['a', 'new', 'b'],
      ['new', 'zzz'],
    ],
    test: [['a', 'b']],
    trainMeta: evenlySpread(5, 0, 5),
    source: 'toy',
  };

  it('holds out the end of training like the test set: unseen items removed, short sessions dropped', () => {
    const v = validationSplit(dataset, 2 / 5);
    expect(v.train).toEqual(dataset.train.slice(0, 3));
    expect(v.test).toEqual([['a', 'b']]);
    expect(v.testMeta).toEqual([dataset.trainMeta[3]]);
  });

  it('takes the last day of the clock', () => {
    const v = lastDay(dataset);
    expect(v.train).toHaveLength(4);
    expect(v.test).toEqual([]);
  });

  it('takes the last days of the clock', () => {
    const v = lastDays(dataset, 2);
    expect(v.train).toEqual(dataset.train.slice(0, 3));
    expect(v.test).toEqual([['a', 'b']]);
    expect(lastDays(dataset, 1)).toEqual(lastDay(dataset));
  });

  it('spreads sessions evenly over the days of the split', () => {
    const meta = evenlySpread(4, 1000, 2);
    expect(meta.map((m) => m.at)).toEqual([1000, 1000 + DAY / 2, 1000 + DAY, 1000 + (3 * DAY) / 2]);
  });
});

describe('coordinateAscent', () => {
  it('tries each value of each parameter with the others fixed, keeps improvements, and scores each configuration once', async () => {
    // HR peaks at x = 2, y = 'b'; MRR breaks the tie between z values.
    const calls: string[] = [];
    const score = async (p: Record<string, number | string | boolean>) => {
      calls.push(JSON.stringify(p));
      const hitRate = 1 - Math.abs((p.x as number) - 2) / 10 - (p.y === 'b' ? 0 : 0.05);
      return { hitRate, mrr: p.z === true ? 0.2 : 0.1 };
    };
    const result = await coordinateAscent({ x: 0, y: 'a', z: false }, { x: [0, 1, 2, 3], y: ['a', 'b'], z: [false, true] }, score);
    expect(result.params).toEqual({ x: 2, y: 'b', z: true });
    expect(result.score).toEqual({ hitRate: 1, mrr: 0.2 });
    expect(new Set(calls).size).toBe(calls.length);
    expect(result.evaluated).toBe(calls.length);
  });
});
