import { describe, expect, it } from 'vitest';
import { ingestShardCount, ingestShardName, ingestShardOf, ingestShardOfName } from './ingest-shard-choice';

const env = (shards: string) => ({ INGEST_SHARDS: shards }) as Env;

describe('ingest shard choice', () => {
  it('reads the setting as a whole number of shards, at least one', () => {
    expect(ingestShardCount(env('4'))).toBe(4);
    expect(ingestShardCount(env('2.7'))).toBe(2);
    expect(ingestShardCount(env('0'))).toBe(1);
    expect(ingestShardCount(env('-3'))).toBe(1);
    expect(ingestShardCount(env('many'))).toBe(1);
  });

  it('sends a browser to the same shard every time, within the count', () => {
    for (const key of ['anon-1', 'anon-2', 'user@example.com', '']) {
      const index = ingestShardOf(key, 4);
      expect(index).toBe(ingestShardOf(key, 4));
      expect(Number.isInteger(index) && index >= 0 && index < 4).toBe(true);
      expect(ingestShardOf(key, 1)).toBe(0);
    }
  });

  it('keeps the shard of a browser stored before this module (the names and hash must not change)', () => {
    // Renaming or rehashing would strand not-yet-drained events in shards nobody reads.
    expect(ingestShardName('wk_demo', 3)).toBe('wk_demo#3');
    expect(ingestShardOf('anon-1', 4)).toBe(2); // hash53('anon-1') = 517643160179882
    expect(ingestShardOf('anon-1', 7)).toBe(517643160179882 % 7);
  });

  it('reads back the site and index of a name it made, and nothing of another name', () => {
    expect(ingestShardOfName(ingestShardName('wk#with#hashes', 3))).toEqual({ writeKey: 'wk#with#hashes', index: 3 });
    for (const name of ['', 'wk_demo', 'wk_demo#', 'wk_demo#x', 'wk_demo#-1', 'wk_demo#1.5']) expect(ingestShardOfName(name), name).toBeUndefined();
  });

  it('spreads browsers over the shards', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[ingestShardOf(`anon-${i}`, 4)]!++;
    for (const n of counts) expect(n).toBeGreaterThan(800);
  });
});
