import { describe, expect, it } from 'vitest';
import { resolveProfile } from '../src/identity/resolve-profile';
import { MemoryIdentityStore } from './support/memory-identity-store';
import { createSite, drainAll, exportEvents, post, track, uniqueId } from './support/collector';

describe('resolveProfile (stitching rules)', () => {
  it('gives an anonymous browser one profile and keeps it', () => {
    const store = new MemoryIdentityStore();
    const a = resolveProfile(store, { type: 'track', anonymousId: 'A' });
    expect(resolveProfile(store, { type: 'page', anonymousId: 'A' }).profileId).toBe(a.profileId);
    expect(resolveProfile(store, { type: 'page', anonymousId: 'B' }).profileId).not.toBe(a.profileId);
  });

  it('makes the anonymous history the customer’s on first identify', () => {
    const store = new MemoryIdentityStore();
    const anon = resolveProfile(store, { type: 'track', anonymousId: 'A' }).profileId;
    const identified = resolveProfile(store, { type: 'identify', anonymousId: 'A', userId: 'u1' });
    expect(identified.profileId).toBe(anon);
    expect(identified.merged).toBeUndefined();
    expect(store.userOf(anon)).toBe('u1');
  });

  it('merges a second device into the customer’s existing profile', () => {
    const store = new MemoryIdentityStore();
    const customer = resolveProfile(store, { type: 'identify', anonymousId: 'laptop', userId: 'u1' }).profileId;
    const phone = resolveProfile(store, { type: 'track', anonymousId: 'phone' }).profileId;
    const result = resolveProfile(store, { type: 'identify', anonymousId: 'phone', userId: 'u1' });
    expect(result).toEqual({ profileId: customer, merged: { from: phone, into: customer } });
    expect(resolveProfile(store, { type: 'track', anonymousId: 'phone' }).profileId).toBe(customer);
  });

  it('never merges two customers: a shared browser follows whoever identified last', () => {
    const store = new MemoryIdentityStore();
    const a = resolveProfile(store, { type: 'identify', anonymousId: 'shared', userId: 'alice' }).profileId;
    const b = resolveProfile(store, { type: 'identify', anonymousId: 'shared', userId: 'bob' });
    expect(b.profileId).not.toBe(a);
    expect(b.merged).toBeUndefined();
    expect(store.merges).toEqual([]);
    expect(resolveProfile(store, { type: 'track', anonymousId: 'shared' }).profileId).toBe(b.profileId);
    expect(resolveProfile(store, { type: 'track', userId: 'alice' }).profileId).toBe(a);
    // Alice logging back in on the shared browser takes it back, still without merging.
    expect(resolveProfile(store, { type: 'identify', anonymousId: 'shared', userId: 'alice' }).profileId).toBe(a);
    expect(store.merges).toEqual([]);
  });

  it('alias joins an anonymous id into the customer, and renames a customer’s own earlier id', () => {
    const store = new MemoryIdentityStore();
    const anon = resolveProfile(store, { type: 'track', anonymousId: 'A' }).profileId;
    const existing = resolveProfile(store, { type: 'identify', userId: 'u-new', anonymousId: 'other' }).profileId;
    expect(resolveProfile(store, { type: 'alias', previousId: 'A', userId: 'u-new' })).toEqual({
      profileId: existing,
      merged: { from: anon, into: existing },
    });
    const old = resolveProfile(store, { type: 'identify', userId: 'old-id', anonymousId: 'B' }).profileId;
    expect(resolveProfile(store, { type: 'alias', previousId: 'old-id', userId: 'renamed' }).profileId).toBe(old);
    expect(store.userOf(old)).toBe('renamed');
    expect(resolveProfile(store, { type: 'track', userId: 'renamed' }).profileId).toBe(old);
  });
});

describe('stitching through the collector', () => {
  it('reports every event under the profile as it is now, after a merge', async () => {
    const writeKey = await createSite();
    const userId = uniqueId('user');
    // Device 1 identifies first; device 2 browses anonymously, then logs in.
    await post('/v1/batch', { writeKey, batch: [track({ anonymousId: 'd1', userId, type: 'identify' })] });
    await drainAll(writeKey);
    await post('/v1/batch', { writeKey, batch: [track({ anonymousId: 'd2' }), track({ anonymousId: 'd2' })] });
    await drainAll(writeKey);
    const before = await exportEvents(writeKey);
    const anonymousProfile = before.find((e) => e.anonymousId === 'd2')!.profileId;
    expect(anonymousProfile).not.toBe(before[0]!.profileId);

    await post('/v1/batch', { writeKey, batch: [{ type: 'identify', anonymousId: 'd2', userId, messageId: uniqueId('m') }] });
    await drainAll(writeKey);
    const after = await exportEvents(writeKey);
    expect(new Set(after.map((e) => e.profileId)).size).toBe(1);
    expect(after).toHaveLength(4);
  });

  it('keeps two customers on one browser apart', async () => {
    const writeKey = await createSite();
    await post('/v1/batch', {
      writeKey,
      batch: [
        { type: 'identify', anonymousId: 'shared', userId: 'alice', messageId: uniqueId('m') },
        track({ anonymousId: 'shared', userId: 'alice' }),
        { type: 'identify', anonymousId: 'shared', userId: 'bob', messageId: uniqueId('m') },
        track({ anonymousId: 'shared', userId: 'bob' }),
        track({ anonymousId: 'shared' }),
      ],
    });
    await drainAll(writeKey);
    const events = await exportEvents(writeKey);
    const alice = events.filter((e) => e.userId === 'alice').map((e) => e.profileId);
    const bob = events.filter((e) => e.userId === 'bob').map((e) => e.profileId);
    expect(new Set(alice).size).toBe(1);
    expect(new Set(bob).size).toBe(1);
    expect(alice[0]).not.toBe(bob[0]);
    expect(events.at(-1)!.profileId).toBe(bob[0]);
  });
});
