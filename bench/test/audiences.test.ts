/**
 * Cost of live audiences per event does not grow with audiences a shopper is
 * not near: 200 audiences defined (190 for other regions) cost about what 20
 * do. Ratios in one run, medians of interleaved runs, no absolute times.
 */
import { describe, expect, it } from 'vitest';
import { perEvent, wakeUp } from '../audiences';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('audience evaluation cost', () => {
  it('evaluates a handful of audiences per event, and costs about the same with 200 defined as with 20', async () => {
    const few: number[] = [];
    const many: number[] = [];
    let evaluated = 0;
    for (let round = 0; round < 3; round++) {
      few.push((await perEvent(20, 2000)).microsecondsPerEvent);
      const result = await perEvent(200, 2000);
      many.push(result.microsecondsPerEvent);
      evaluated = result.evaluatedPerEvent;
    }
    expect(evaluated).toBeLessThan(12);
    expect(median(many) / median(few)).toBeLessThan(2);
  }, 120_000);

  it('a wake-up evaluates only the audiences the woken profile can belong to', async () => {
    const result = await wakeUp(300);
    expect(result.profiles).toBe(300);
    expect(result.evaluatedPerProfile).toBeLessThan(15);
  }, 60_000);
});
