import { describe, expect, it } from 'vitest';
import { SeededDraws } from './simulation';

describe('SeededDraws', () => {
  it('repeats itself for a seed and differs between seeds', () => {
    const draw = (seed: number) => {
      const random = new SeededDraws(seed);
      return [random.uniform(), random.normal(), random.logNormal(50, 0.8)];
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  it('draws with the moments the simulations assume', () => {
    const random = new SeededDraws(1);
    const n = 200_000;
    let sumNormal = 0;
    let sumNormalSquares = 0;
    let sumLogNormal = 0;
    for (let i = 0; i < n; i++) {
      const z = random.normal();
      sumNormal += z;
      sumNormalSquares += z * z;
      sumLogNormal += random.logNormal(50, 0.8);
    }
    expect(Math.abs(sumNormal / n)).toBeLessThan(0.01);
    expect(sumNormalSquares / n).toBeCloseTo(1, 1);
    expect(sumLogNormal / n).toBeGreaterThan(49.5);
    expect(sumLogNormal / n).toBeLessThan(50.5);
  });
});
