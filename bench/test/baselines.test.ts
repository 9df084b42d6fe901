import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LastItemCooccurrence, Popularity, RegionalPopularity, SessionKnn } from '../recs-quality/baselines';
import { loadDiginetica, parseSessions } from '../recs-quality/diginetica';
import { evaluate } from '../recs-quality/metrics';
import type { SessionRecommender } from '../recs-quality/recommender';
import { type SimulatedDataset, simulatedDataset } from '../recs-quality/simulated';

describe('Popularity', () => {
  it('recommends the most viewed items, whatever the session', () => {
    const p = new Popularity();
    p.train([
      ['a', 'b', 'a'],
      ['b', 'a'],
      ['c', 'b', 'b'],
    ]);
    expect(p.recommend(['c'], 2)).toEqual(['b', 'a']);
    expect(p.recommend(['x'], 5)).toEqual(['b', 'a', 'c']);
  });
});

describe('RegionalPopularity', () => {
  it("recommends what is viewed most in the visitor's region, topped up with global best sellers", () => {
    const r = new RegionalPopularity();
    r.train(
      [
        ['a', 'a'],
        ['a', 'b'],
        ['c', 'c'],
        ['c', 'd'],
      ],
      [{ region: 'x' }, { region: 'x' }, { region: 'y' }, { region: 'y' }],
    );
    expect(r.recommend(['q'], 2, { region: 'y' })).toEqual(['c', 'd']);
    expect(r.recommend(['q'], 3, { region: 'x' })).toEqual(['a', 'b', 'c']);
    expect(r.recommend(['q'], 2, { region: 'unknown' })).toEqual(['a', 'c']);
  });
});

describe('LastItemCooccurrence', () => {
  it('ranks the items sharing most sessions with the last item, counting a session once', () => {
    const c = new LastItemCooccurrence();
    c.train([
      ['a', 'b', 'b', 'b'],
      ['a', 'c'],
      ['c', 'a'],
      ['d', 'd', 'd', 'd'],
    ]);
    // c shares two sessions with a, b one (however often b repeats); then the global best seller fills up.
    expect(c.recommend(['x', 'a'], 3)).toEqual(['c', 'b', 'd']);
    expect(c.recommend(['a', 'b'], 1)).toEqual(['a']);
  });

  it('falls back to popularity for an unknown last item', () => {
    const c = new LastItemCooccurrence();
    c.train([
      ['a', 'b'],
      ['b', 'c'],
    ]);
    expect(c.recommend(['zzz'], 2)).toEqual(['b', 'a']);
  });
});

describe('SessionKnn', () => {
  it('scores items by the summed cosine similarity of the neighbour sessions containing them', () => {
    const knn = new SessionKnn({ k: 10, sampleSize: 10 });
    knn.train([
      ['a', 'b', 'x'], // shares a,b with the prefix: cos = 2/√(2·3)
      ['a', 'y'], // shares a: cos = 1/√(2·2)
      ['b', 'y', 'z', 'w'], // shares b: cos = 1/√(2·4)
      ['q', 'r'], // shares nothing
    ]);
    // x: 0.816, y: 0.5 + 0.354 = 0.854, z = w: 0.354, a, b also score; q, r never.
    const recs = knn.recommend(['a', 'b'], 10);
    expect(recs.indexOf('y')).toBeLessThan(recs.indexOf('x'));
    expect(recs.indexOf('x')).toBeLessThan(recs.indexOf('z'));
    expect(recs.slice(0, 6).sort()).toEqual(['a', 'b', 'w', 'x', 'y', 'z']);
  });

  it('looks only at the k most similar sessions', () => {
    const knn = new SessionKnn({ k: 1, sampleSize: 10 });
    knn.train([
      ['a', 'x'],
      ['a', 'b', 'y'],
      ['c', 'c'],
    ]);
    // The most similar session to [a, b] is the second one; x comes only as popularity filler.
    expect(knn.recommend(['a', 'b'], 3)).toEqual(['a', 'b', 'y']);
  });

  it('samples the most recent sessions that share an item with the current one', () => {
    const knn = new SessionKnn({ k: 10, sampleSize: 1 });
    knn.train([
      ['a', 'old'],
      ['a', 'new'],
      ['zz', 'zz', 'zz'],
    ]);
    // Only the newest session with "a" is a candidate; "old" comes after the popularity filler.
    const recs = knn.recommend(['a'], 4);
    expect(recs.slice(0, 2)).toEqual(['a', 'new']);
    expect(recs.indexOf('old')).toBeGreaterThan(recs.indexOf('zz'));
  });

  it('falls back to popularity when no item of the session is known', () => {
    const knn = new SessionKnn();
    knn.train([
      ['a', 'b'],
      ['b', 'c'],
    ]);
    expect(knn.recommend(['unknown'], 2)).toEqual(['b', 'a']);
  });
});

describe('on held-out simulated sessions', () => {
  let data: SimulatedDataset;
  beforeAll(() => {
    data = simulatedDataset({ catalogSize: 240, visitors: 500 });
  });

  it('are prepared like Diginetica: later sessions held out, only known items, at least two views', () => {
    expect(data.train.length).toBeGreaterThan(500);
    expect(data.test.length).toBeGreaterThan(50);
    const known = new Set(data.train.flat());
    for (const session of data.test) {
      expect(session.length).toBeGreaterThanOrEqual(2);
      for (const item of session) expect(known.has(item)).toBe(true);
    }
    const lastTrain = Math.max(...data.trainMeta.map((m) => m.at ?? 0));
    const firstTest = Math.min(...data.testMeta.map((m) => m.at ?? 0));
    expect(lastTrain).toBeLessThan(firstTest);
    expect(data.testMeta.every((m) => m.region && m.shopper)).toBe(true);
  });

  it('session kNN and co-occurrence beat global popularity, and regional popularity beats global', async () => {
    const score = async (r: SessionRecommender) => {
      await r.train(data.train, data.trainMeta);
      return evaluate(r, data.test, { k: 10, meta: data.testMeta });
    };
    const popularity = await score(new Popularity());
    const regional = await score(new RegionalPopularity());
    const cooccurrence = await score(new LastItemCooccurrence());
    const knn = await score(new SessionKnn());
    expect(knn.hitRate).toBeGreaterThan(2 * popularity.hitRate);
    expect(knn.mrr).toBeGreaterThan(2 * popularity.mrr);
    expect(cooccurrence.hitRate).toBeGreaterThan(2 * popularity.hitRate);
    expect(regional.hitRate).toBeGreaterThan(popularity.hitRate);
  });
});

describe('loadDiginetica', () => {
  it('parses one session per line of space-separated item ids', () => {
    expect(parseSessions('1 2\n3 4 5\n\n 6  7 \n')).toEqual([
      ['1', '2'],
      ['3', '4', '5'],
      ['6', '7'],
    ]);
  });

  it('reads the two files from a directory, and says what is missing when they are not there', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'digi-'));
    try {
      const missing = await loadDiginetica(dir);
      expect('skipped' in missing && missing.skipped).toMatch(/train_sessions\.txt.*test_sessions\.txt/);
      await writeFile(path.join(dir, 'train_sessions.txt'), '1 2\n2 3\n');
      await writeFile(path.join(dir, 'test_sessions.txt'), '1 3\n');
      const loaded = await loadDiginetica(dir);
      expect('dataset' in loaded && loaded.dataset).toMatchObject({
        name: 'Diginetica',
        train: [
          ['1', '2'],
          ['2', '3'],
        ],
        test: [['1', '3']],
      });
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});
