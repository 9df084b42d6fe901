import { describe, expect, it } from 'vitest';
import { ackForBrowser, formatAck, parseAck } from './ack-token';

describe('ack token', () => {
  it('reads back what it wrote', () => {
    for (const token of [
      { shard: 0, shards: 1, seq: 0 },
      { shard: 3, shards: 4, seq: 1234567 },
      { shard: 7, shards: 8, seq: Number.MAX_SAFE_INTEGER },
    ]) {
      expect(parseAck(formatAck(token))).toEqual(token);
    }
    expect(formatAck({ shard: 1, shards: 4, seq: 35 })).toBe('1.4.z');
  });

  it('refuses what is not one', () => {
    for (const bad of [
      '',
      'x',
      '1.4',
      '1.4.',
      '1.4.z.9',
      '1,4,z',
      '1.4.Z',
      '4.4.1',
      '0.0.1',
      '1.4.-1',
      ' 1.4.1',
      '1.4.1 ',
      '1.4.' + 'z'.repeat(11),
      '1.4.' + 'z'.repeat(12),
      '1234.1235.1',
    ]) {
      expect(parseAck(bad), bad).toBeUndefined();
    }
  });

  it('speaks for the browser only with its shard under the shard count of now', () => {
    const token = { shard: 2, shards: 4, seq: 10 };
    expect(ackForBrowser(token, 2, 4)).toEqual({ shard: 2, seq: 10 });
    // The deployment went from 4 shards to 8: the browser's events now go elsewhere.
    expect(ackForBrowser(token, 2, 8)).toBeUndefined();
    // Another browser's token (or a forged one).
    expect(ackForBrowser(token, 1, 4)).toBeUndefined();
    expect(ackForBrowser(undefined, 2, 4)).toBeUndefined();
  });
});
