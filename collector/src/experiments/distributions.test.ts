import { describe, expect, it } from 'vitest';
import { normalCdf, normalQuantile, studentTCdf, studentTQuantile, twoSidedNormalP, twoSidedTP, Z95 } from './distributions';

// Reference values from SciPy 1.17 (scipy.stats.norm / scipy.stats.t).
describe('distributions', () => {
  it('normal CDF and quantile', () => {
    expect(Z95).toBeCloseTo(1.959963984540054, 12);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 12);
    expect(normalQuantile(0.8)).toBeCloseTo(0.8416212335729143, 12);
    expect(twoSidedNormalP(-1.959963984540054)).toBeCloseTo(0.05, 12);
  });

  it('Student-t CDF and quantile with fractional degrees of freedom', () => {
    expect(studentTQuantile(0.975, 3.7)).toBeCloseTo(2.8675207071911895, 10);
    expect(studentTCdf(-2.5, 57.3)).toBeCloseTo(0.007652683961901221, 12);
    expect(studentTQuantile(0.975, 1e7)).toBeCloseTo(Z95, 5);
    expect(twoSidedTP(2.5, 57.3)).toBeCloseTo(2 * 0.007652683961901221, 12);
  });
});
