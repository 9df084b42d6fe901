import { describe, expect, it } from 'vitest';
import { ratiosByRound, roundOrder, spread } from '../lib/interleave';
import { constantAnswer } from '../rpc-floor/constant-answer';

describe('constantAnswer', () => {
  it('is JSON of exactly the size asked, with items like a slot answer', () => {
    for (const bytes of [80, 81, 500, 1234, 4096]) {
      const text = constantAnswer(bytes);
      expect(Buffer.byteLength(text)).toBe(bytes);
      const parsed = JSON.parse(text) as { slot: string; items: { productId: string }[] };
      expect(parsed.slot).toBe('home');
      expect(new Set(parsed.items.map((item) => item.productId)).size).toBe(parsed.items.length);
    }
    expect((JSON.parse(constantAnswer(1234)) as { items: unknown[] }).items.length).toBeGreaterThan(10);
  });

  it('refuses a size no answer of that shape has', () => {
    expect(() => constantAnswer(10)).toThrow(/10 bytes/);
    expect(() => constantAnswer(100.5)).toThrow();
  });
});

describe('interleaved rounds', () => {
  it('starts each round one kind later', () => {
    expect([0, 1, 2, 3].map((round) => roundOrder(['a', 'b', 'c'], round).join(''))).toEqual(['abc', 'bca', 'cab', 'abc']);
  });

  it('compares each round with the reference of the same round', () => {
    expect(ratiosByRound([50, 90, 40], [100, 100, 80])).toEqual([0.5, 0.9, 0.5]);
    expect(() => ratiosByRound([1], [1, 2])).toThrow(/rounds/);
  });

  it('gives the median and the range', () => {
    expect(spread([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3 });
    expect(spread([4, 1, 2, 3])).toEqual({ median: 2.5, min: 1, max: 4 });
  });
});
