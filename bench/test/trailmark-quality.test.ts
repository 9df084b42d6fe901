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
    const [home, product] = trailmarkRecommenders().map((factory) => factory(dataset));
    const ours = { home: await score(home!), product: await score(product!) };

    for (const slot of [ours.home, ours.product]) {
      expect(slot.hitRate).toBeGreaterThan(2 * regional.hitRate);
      expect(slot.hitRate).toBeGreaterThan(3 * popularity.hitRate);
      expect(slot.mrr).toBeGreaterThan(2 * regional.mrr);
    }
  }, 120_000);
});
