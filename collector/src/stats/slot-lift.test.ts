import { describe, expect, it } from 'vitest';
import { slotLift } from './slot-lift';

const conversions = (n: number, converted: number) => ({ n, sum: converted, sumSquares: converted });

describe('slot lift in words', () => {
  it('says whether the interval clears zero, and how many holdout shoppers it rests on', () => {
    const clear = slotLift({ treatment: conversions(10_000, 1300), control: conversions(10_000, 1000), measure: 'conversion', unit: 'shoppers', outcome: 'ordered' });
    expect(clear.relative).toBeCloseTo(0.3);
    expect(clear.relativeCi95![0]).toBeGreaterThan(0);
    expect(clear.verdict).toMatch(/^Better than the holdout: \+30% conversion \(95% interval \+\d+% to \+\d+%\)\.$/);

    const unclear = slotLift({ treatment: conversions(250, 20), control: conversions(28, 3), measure: 'conversion', unit: 'shoppers', outcome: 'ordered' });
    expect(unclear.relativeCi95![0]).toBeLessThan(0);
    expect(unclear.verdict).toMatch(/^Not yet distinguishable from no difference: −25% conversion, 95% interval −\d+% to \+\d+%, from 28 holdout shoppers\.$/);

    expect(slotLift({ treatment: conversions(10, 1), control: conversions(0, 0), measure: 'conversion', unit: 'shoppers', outcome: 'ordered' }).verdict).toBe(
      'No shoppers in the holdout yet: nothing to compare conversion with.',
    );
    expect(slotLift({ treatment: conversions(10, 1), control: conversions(5, 0), measure: 'conversion', unit: 'shoppers', outcome: 'ordered' }).relative).toBeNull();
  });
});
