import { describe, expect, it } from 'vitest';
import { idHash } from '../lib/hash';
import { hashIds, idsOfMessage, namesPerson } from './suppression';

describe('suppression keys', () => {
  it('keep the kind of each id beside its digest', async () => {
    const hashes = await hashIds('wk', idsOfMessage({ anonymousId: 'same', userId: 'same' }));
    const digest = await idHash('wk', 'same');
    expect(hashes).toEqual([
      { kind: 'anonymous', hash: digest },
      { kind: 'user', hash: digest },
    ]);
    expect(await hashIds('wk', idsOfMessage({}))).toEqual([]);
  });

  it('name a person only through ids of the same kind', () => {
    const person = { anonymousIds: ['browser-1'], userIds: ['ann'] };
    expect(namesPerson({ userId: 'ann' }, person)).toBe(true);
    expect(namesPerson({ anonymousId: 'browser-1', userId: 'bob' }, person)).toBe(true);
    expect(namesPerson({ anonymousId: 'ann' }, person)).toBe(false);
    expect(namesPerson({ userId: 'browser-1' }, person)).toBe(false);
    expect(namesPerson({}, person)).toBe(false);
  });
});
