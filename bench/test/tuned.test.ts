/**
 * The parameters the code runs are the ones tuning chose on the validation
 * day (tuned.json, written by tune.ts and trailmark-tuning.ts): a change to
 * either without the other fails here.
 */
import { describe, expect, it } from 'vitest';
import { readTuned, TUNABLE } from '../recs-quality/methods';
import { currentTrailmarkParams, PRODUCT_GRID, TRAILMARK_GRID } from '../recs-quality/trailmark-tuning';

describe('tuned parameters', () => {
  const tuned = readTuned();

  it('are recorded with how they were found, for every method and dataset', () => {
    expect(tuned?.protocol).toMatch(/last day/);
    for (const dataset of ['Diginetica', 'Simulated shoppers']) {
      for (const method of TUNABLE) {
        const entry = tuned?.datasets[dataset]?.methods[method.key];
        expect(entry, `${dataset} ${method.key}`).toBeDefined();
        expect(entry!.evaluated).toBeGreaterThan(1);
        expect(Object.keys(entry!.params).sort()).toEqual(Object.keys(method.start).sort());
      }
    }
  });

  it('are the ones Trailmark’s code runs', () => {
    expect(currentTrailmarkParams(TRAILMARK_GRID)).toEqual(tuned?.datasets.Diginetica?.methods.trailmark?.params);
    expect(currentTrailmarkParams(PRODUCT_GRID)).toEqual(tuned?.datasets.Diginetica?.methods['trailmark-product']?.params);
  });
});
