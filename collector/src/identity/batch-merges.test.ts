import { describe, expect, it } from 'vitest';
import { mergeTargets, survivorOf } from './batch-merges';

describe('survivorOf', () => {
  const targets = mergeTargets([
    { from: 'a', into: 'b' },
    { from: 'b', into: 'c' },
  ]);
  it('follows a chain of merges in one batch to its end', () => {
    expect(survivorOf('a', targets)).toBe('c');
    expect(survivorOf('b', targets)).toBe('c');
  });
  it('leaves a profile that was not merged away as it is', () => {
    expect(survivorOf('c', targets)).toBe('c');
    expect(survivorOf('x', targets)).toBe('x');
  });
  it('stops on a cycle instead of looping', () => {
    expect(['a', 'b']).toContain(
      survivorOf(
        'a',
        mergeTargets([
          { from: 'a', into: 'b' },
          { from: 'b', into: 'a' },
        ]),
      ),
    );
  });
});
