import { describe, expect, it } from 'vitest';
import { NEIGHBOURHOOD, scoreNeighbours } from './session-neighbours';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 0, 10);
const ranked = (scores: Map<string, number>) => [...scores.entries()].sort((a, b) => b[1] - a[1]).map(([id]) => id);

describe('scoreNeighbours', () => {
  it('favours sessions that share the latest views, and products next to the shared one', () => {
    const scores = scoreNeighbours(
      ['old', 'latest'],
      [
        { key: 'n1', at: NOW, products: ['far', 'x', 'latest', 'near'] },
        { key: 'n2', at: NOW, products: ['old', 'other'] },
      ],
      NOW,
      { ...NEIGHBOURHOOD, inh: 1 },
    );
    const order = ranked(scores);
    expect(order.indexOf('near')).toBeLessThan(order.indexOf('other'));
    expect(order.indexOf('x')).toBeLessThan(order.indexOf('far'));
    expect(order.indexOf('latest')).toBeLessThan(order.indexOf('near'));
  });

  it('weighs a neighbour less the older it is', () => {
    const scores = scoreNeighbours(
      ['a'],
      [
        { key: 'recent', at: NOW - DAY, products: ['a', 'fresh'] },
        { key: 'old', at: NOW - 60 * DAY, products: ['a', 'stale'] },
      ],
      NOW,
    );
    expect(scores.get('fresh')! / scores.get('stale')!).toBeCloseTo(Math.exp((59 * DAY) / (NEIGHBOURHOOD.snhDays * DAY)), 6);
  });

  it('keeps the k most similar neighbours only', () => {
    const scores = scoreNeighbours(
      ['a', 'b'],
      [
        { key: 'both', at: NOW, products: ['a', 'b', 'kept'] },
        { key: 'one', at: NOW, products: ['a', 'dropped', 'x', 'y'] },
      ],
      NOW,
      { ...NEIGHBOURHOOD, k: 1 },
    );
    expect(scores.has('kept')).toBe(true);
    expect(scores.has('dropped')).toBe(false);
  });

  it('scores nothing without a session or without shared products', () => {
    expect(scoreNeighbours([], [{ key: 'n', at: NOW, products: ['a'] }], NOW).size).toBe(0);
    expect(scoreNeighbours(['a'], [{ key: 'n', at: NOW, products: ['b', 'c'] }], NOW).size).toBe(0);
  });
});
