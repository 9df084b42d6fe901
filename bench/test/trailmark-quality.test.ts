/**
 * The blended recommender, trained through the Worker's own code (ShopModel)
 * on simulated shoppers, beats popularity on their held-out sessions — and
 * finds what was planted (regional tastes, co-views) rather than best sellers.
 */
import { describe, expect, it } from 'vitest';
import { evaluate } from '../recs-quality/metrics';
import { Popularity, RegionalPopularity } from '../recs-quality/baselines';
import type { SessionRecommender } from '../recs-quality/recommender';
import { simulatedDataset } from '../recs-quality/simulated';
import { trailmarkRecommenders } from '../recs-quality/trailmark';

describe('Trailmark recommendations on held-out simulated sessions', () => {
  it('beat global and regional popularity by a wide margin, in both slots', async () => {
    const dataset = simulatedDataset({ catalogSize: 1000, visitors: 800, seed: 7 });
    const score = async (recommender: SessionRecommender) => {
      await recommender.train(dataset.train, dataset.trainMeta);
      return evaluate(recommender, dataset.test, { k: 10, meta: dataset.testMeta });
    };
    const popularity = await score(new Popularity());
    const regional = await score(new RegionalPopularity());
    const [home, homeImmediately, product] = trailmarkRecommenders().map((factory) => factory(dataset));
    const ours = { home: await score(home!), product: await score(product!), homeImmediately: await score(homeImmediately!) };

    for (const slot of [ours.home, ours.product]) {
      expect(slot.hitRate).toBeGreaterThan(2 * regional.hitRate);
      expect(slot.hitRate).toBeGreaterThan(3 * popularity.hitRate);
      expect(slot.mrr).toBeGreaterThan(2 * regional.mrr);
    }
    // Asked before the session's views reach the profile, the route answers for them (read-your-writes): the same quality.
    expect(ours.homeImmediately.hitRate).toBe(ours.home.hitRate);
    expect(ours.homeImmediately.mrr).toBe(ours.home.mrr);
    expect(home!.cost!().rowsReadPerRequest).toBeGreaterThan(0);
    expect(homeImmediately!.cost!().msPerRequest).toBeGreaterThan(0);
  }, 120_000);
});

describe('the replay harness', () => {
  const dataset = {
    name: 'toy',
    train: [
      ['a', 'b'],
      ['a', 'b'],
      ['c', 'd'],
      ['x', 'y'],
      ['x', 'y'],
      ['x', 'y'],
    ],
    test: [['c', 'd']],
    source: 'toy',
  };

  it('asks settled after the prefix reached the profile, and immediately with it still pending, through the route’s call', async () => {
    const [home, homeImmediately] = trailmarkRecommenders().map((factory) => factory(dataset));
    await home!.train(dataset.train);
    await homeImmediately!.train(dataset.train);
    // Both: the product just viewed and what followed it in training lead, not the best sellers (x, y).
    expect((home!.recommend(['c'], 3) as string[]).slice(0, 2).sort()).toEqual(['c', 'd']);
    expect(homeImmediately!.recommend(['c'], 3)).toEqual(home!.recommend(['c'], 3));
    expect((homeImmediately!.recommend(['a'], 3) as string[]).slice(0, 2).sort()).toEqual(['a', 'b']);
  });

  it('counts rows written per replayed event and read per request', async () => {
    const [home] = trailmarkRecommenders().map((factory) => factory(dataset));
    await home!.train(dataset.train);
    home!.recommend(['a'], 3);
    const cost = home!.cost!();
    expect(cost.rowsWrittenPerEvent).toBeGreaterThan(1);
    expect(cost.rowsReadPerRequest).toBeGreaterThan(1);
  });
});
