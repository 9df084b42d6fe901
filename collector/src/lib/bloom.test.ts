import { describe, expect, it } from 'vitest';
import { bloomMayContain, bloomOf } from './bloom';

describe('bloom filter', () => {
  it('never forgets a key, rarely claims one it was not given, and fits in R2 metadata', () => {
    const keys = Array.from({ length: 1000 }, (_, i) => `p:${i.toString(16).padStart(64, '0')}`);
    const filter = bloomOf(keys);
    expect(filter.length).toBeLessThan(8192 - 200);
    for (const key of keys) expect(bloomMayContain(filter, key)).toBe(true);
    const strangers = Array.from({ length: 10_000 }, (_, i) => `u:${i}`);
    const falsePositives = strangers.filter((key) => bloomMayContain(filter, key)).length;
    expect(falsePositives / strangers.length).toBeLessThan(0.01);
  });

  it('stays within the metadata limit however many keys, and small for a few', () => {
    expect(bloomOf(Array.from({ length: 50_000 }, (_, i) => `k${i}`)).length).toBeLessThan(8192 - 200);
    expect(bloomOf(['a', 'b']).length).toBeLessThan(40);
    expect(bloomMayContain(bloomOf(['a', 'b']), 'a')).toBe(true);
  });

  it('says "maybe" for a filter it cannot read, so nothing is skipped by mistake', () => {
    for (const bad of [undefined, '', 'junk', '64.8.!!!', '999.8.AAAA']) expect(bloomMayContain(bad, 'a')).toBe(true);
  });
});
