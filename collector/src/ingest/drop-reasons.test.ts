import { describe, expect, it } from 'vitest';
import { addDropCounts, countDrop, dropAnswer } from './drop-reasons';

describe('drop reasons', () => {
  it('answers nothing when nothing was dropped', () => {
    expect(dropAnswer({})).toEqual({});
    expect(dropAnswer({ gpc: 0 })).toEqual({});
  });

  it('answers the total and each reason with its count and what to do', () => {
    const counts = countDrop(countDrop(countDrop({}, 'consent_missing'), 'consent_missing'), 'gpc', 3);
    const answer = dropAnswer(counts);
    expect(answer.dropped).toBe(5);
    expect(answer.dropReasons).toEqual([
      { reason: 'consent_missing', count: 2, message: expect.stringContaining('requires consent') },
      { reason: 'gpc', count: 3, message: expect.stringContaining('Global Privacy Control') },
    ]);
  });

  it('sums the counts of several shards', () => {
    expect(addDropCounts(addDropCounts({}, { gpc: 1 }), { gpc: 2, consent_missing: 1 })).toEqual({ gpc: 3, consent_missing: 1 });
  });
});
