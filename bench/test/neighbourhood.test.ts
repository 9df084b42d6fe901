import { describe, expect, it } from 'vitest';
import { Stan, Vstan } from '../recs-quality/stan';
import { positionWeight, stepDecay, Vsknn } from '../recs-quality/vsknn';
import { SessionIndex, topSessions } from '../recs-quality/session-index';

const DAY = 86_400_000;

describe('V-SKNN', () => {
  it('weighs the current session by position, similarity by the dot product, and decays by the step back to the shared item', () => {
    const knn = new Vsknn({ k: 10, sampleSize: 10, weighting: 'div', weightingScore: 'div', idfWeighting: false });
    knn.train([
      ['a', 'x'], // shares a (weight 1/2): similarity 0.5 / 2 = 0.25; a is 2 steps back: × 1/2
      ['b', 'y'], // shares b (weight 1): 0.5; b is the last view: × 1
      ['a', 'b', 'z'], // shares both: 1.5 / 2 = 0.75; × 1
    ]);
    // b 0.5 + 0.75, a 0.125 + 0.75, z 0.75, y 0.5, x 0.125
    expect(knn.recommend(['a', 'b'], 5)).toEqual(['b', 'a', 'z', 'y', 'x']);
  });

  it('keeps only the k most similar neighbours', () => {
    const knn = new Vsknn({ k: 1, sampleSize: 10, weighting: 'same', weightingScore: 'same', idfWeighting: false });
    knn.train([
      ['a', 'x'],
      ['a', 'b', 'y'],
      ['c', 'c', 'c'],
    ]);
    expect(knn.recommend(['a', 'b'], 3)).toEqual(['a', 'b', 'y']);
  });

  it('boosts rare items with IDF weighting', () => {
    const train = [
      ['a', 'rare'],
      ['a', 'common'],
      ['common', 'q'],
      ['common', 'r'],
      ['common', 's'],
    ];
    const plain = new Vsknn({ k: 10, sampleSize: 10, weighting: 'same', weightingScore: 'same', idfWeighting: false });
    const idf = new Vsknn({ k: 10, sampleSize: 10, weighting: 'same', weightingScore: 'same', idfWeighting: 10 });
    plain.train(train);
    idf.train(train);
    // Equal evidence for both; without IDF the tie goes to the more viewed item.
    expect(plain.recommend(['a'], 3).slice(1)).toEqual(['common', 'rare']);
    expect(idf.recommend(['a'], 3)).toEqual(['a', 'rare', 'common']);
  });

  it('defines the published position weights and decays', () => {
    expect(positionWeight('div', 2, 4)).toBe(0.5);
    expect(positionWeight('quadratic', 2, 4)).toBe(0.25);
    expect(positionWeight('linear', 4, 4)).toBe(1);
    expect(positionWeight('linear', 1, 20)).toBe(0);
    expect(positionWeight('log', 4, 4)).toBeCloseTo(1 / Math.log10(1.7), 12);
    expect(stepDecay('div', 4)).toBe(0.25);
    expect(stepDecay('quadratic', 2)).toBe(0.25);
    expect(stepDecay('linear', 3)).toBeCloseTo(0.7, 12);
    expect(stepDecay('linear', 30)).toBe(0);
  });
});

describe('STAN', () => {
  it('scores items of a neighbour by how close they are to the item it shares with the session', () => {
    const stan = new Stan({ k: 10, sampleSize: 10, lambdaSpw: 1, lambdaSnh: 80, lambdaInh: 1 });
    stan.train([['r', 'q', 'p', 'a', 'x', 'y']]);
    expect(stan.recommend(['a'], 6)).toEqual(['a', 'p', 'x', 'q', 'y', 'r']);
  });

  it('weighs recent neighbour sessions more, when the sessions have a clock', () => {
    const stan = new Stan({ k: 10, sampleSize: 10, lambdaSpw: 1, lambdaSnh: 1, lambdaInh: 5 });
    const train = [
      ['a', 'old'],
      ['a', 'new'],
      ['old', 'zz'],
    ];
    stan.train(train, [{ at: 0 }, { at: 10 * DAY }, { at: 0 }]);
    expect(stan.recommend(['a'], 3, { at: 11 * DAY }).slice(0, 2)).toEqual(['a', 'new']);
    // Without a clock no decay applies: the more viewed "old" wins the tie.
    const clockless = new Stan({ k: 10, sampleSize: 10, lambdaSpw: 1, lambdaSnh: 1, lambdaInh: 5 });
    clockless.train(train);
    expect(clockless.recommend(['a'], 3).slice(0, 2)).toEqual(['a', 'old']);
  });

  it('weighs the latest views of the session most when choosing neighbours', () => {
    const stan = new Stan({ k: 1, sampleSize: 10, lambdaSpw: 0.5, lambdaSnh: 80, lambdaInh: 5 });
    stan.train([
      ['first', 'x'],
      ['last', 'y'],
    ]);
    expect(stan.recommend(['first', 'last'], 2)).toEqual(['last', 'y']);
  });
});

describe('VSTAN', () => {
  it('decays a neighbour matched only by an earlier view of the session, and boosts rare items', () => {
    const vstan = new Vstan({ k: 10, sampleSize: 10, lambdaSpw: 100, lambdaSnh: 80, lambdaInh: 100, lambdaIpw: 0.5, lambdaIdf: false });
    vstan.train([
      ['early', 'x'],
      ['late', 'y'],
    ]);
    // Equal similarity (λspw large): the neighbour sharing the last view wins.
    expect(vstan.recommend(['early', 'late'], 4).indexOf('y')).toBeLessThan(vstan.recommend(['early', 'late'], 4).indexOf('x'));

    const idf = new Vstan({ k: 10, sampleSize: 10, lambdaSpw: 1, lambdaSnh: 80, lambdaInh: 100, lambdaIpw: false, lambdaIdf: 5 });
    idf.train([
      ['a', 'rare'],
      ['a', 'common'],
      ['common', 'q'],
      ['common', 'r'],
    ]);
    // "a" is in both neighbours; of the two items seen once with it, the rarer comes first.
    expect(idf.recommend(['a'], 3)).toEqual(['a', 'rare', 'common']);
  });
});

describe('SessionIndex', () => {
  it('merges the most recent sessions of several items, newest first, without duplicates', () => {
    const index = new SessionIndex([['a'], ['b'], ['a', 'b'], ['c'], ['a']]);
    const ids = ['a', 'b'].map((x) => index.items.get(x)!);
    expect([...index.recentSessionsWithAny(ids, 3)]).toEqual([4, 2, 1]);
    expect([...index.recentSessionsWithAny(ids, 10)]).toEqual([4, 2, 1, 0]);
  });

  it('keeps the k best scored sessions, ties to the more recent', () => {
    const { sessions, scores } = topSessions(Int32Array.from([5, 6, 7, 8]), Float64Array.from([0.2, 0.9, 0.2, 0.5]), 4, 3);
    expect([...sessions]).toEqual([6, 8, 7]);
    expect([...scores]).toEqual([0.9, 0.5, 0.2]);
  });
});
