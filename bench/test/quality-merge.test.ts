/** A partial quality run (`--quality-methods`, `--quality-datasets`) replaces only its own rows in bench/results.json. */
import { describe, expect, it } from 'vitest';
import { mergeQuality, methodSlug, type MethodResult, type Result } from '../recs-quality/run';

const row = (method: string, hitRate: number): MethodResult => ({ method, hitRate, mrr: hitRate / 2, pairs: 10, trainMs: 0, evalMs: 0 });
const result = (datasets: Result['datasets']): Result => ({ k: 10, datasets, note: '' });

describe('quality runs in parts', () => {
  it('name methods by a slug without their parameters', () => {
    expect(methodSlug('V-SKNN (k=100, sample=2500, log/same, idf=10)')).toBe('v-sknn');
    expect(methodSlug('Trailmark home slot, asked immediately')).toBe('trailmark-home-slot-asked-immediately');
    expect(methodSlug('Trailmark home slot')).toBe('trailmark-home-slot');
  });

  it('replace the rows they measured and keep every other row and dataset', () => {
    const saved = result([
      { dataset: 'Diginetica', source: 's', trainSessions: 1, testSessions: 1, methods: [row('VSTAN (k=200)', 0.4), row('Trailmark home slot', 0.41)] },
      { dataset: 'Simulated shoppers', source: 's', trainSessions: 1, testSessions: 1, methods: [row('STAN', 0.46)] },
    ]);
    const fresh = result([{ dataset: 'Diginetica', source: 's', trainSessions: 1, testSessions: 1, methods: [row('Trailmark home slot', 0.43)] }]);
    const merged = mergeQuality(saved, fresh);
    expect(merged.datasets.map((d) => ('methods' in d ? d.methods.map((m) => [m.method, m.hitRate]) : []))).toEqual([
      [
        ['VSTAN (k=200)', 0.4],
        ['Trailmark home slot', 0.43],
      ],
      [['STAN', 0.46]],
    ]);
    expect(mergeQuality(undefined, fresh)).toBe(fresh);
  });
});
