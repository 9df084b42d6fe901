import { describe, expect, it } from 'vitest';
import { fitLabel } from '../../dashboard/client/fit-label';

describe('bar labels', () => {
  it('stay whole where the bar is wide enough', () => {
    expect(fitLabel('Product Viewed', 300)).toBe('Product Viewed');
  });

  it('put words on lines of their own under a narrow bar, so neighbours never overlap', () => {
    expect(fitLabel('Product Viewed', 75)).toBe('Product\nViewed');
    expect(fitLabel('Order Completed', 75)).toBe('Order\nCompleted');
    for (const line of fitLabel('Checkout Started', 60).split('\n')) expect(line.length).toBeLessThanOrEqual(Math.floor((60 * 0.9) / 6.5));
  });

  it('cut a word that cannot fit, and keep to three lines', () => {
    expect(fitLabel('Supercalifragilistic', 60)).toBe('Superca…');
    expect(fitLabel('a b c d e f g h i j k l m n o p q', 30).split('\n')).toHaveLength(3);
  });
});
