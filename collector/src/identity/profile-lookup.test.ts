import type { StoredMessage } from '@trailmark/schema';
import { describe, expect, it } from 'vitest';
import { MemoryIdentityStore } from '../../test/support/memory-identity-store';
import { currentProfileOf, stillStored, userVerifiedOf, type ProfileGraph } from './profile-lookup';
import { resolveProfile } from './resolve-profile';

describe('currentProfileOf', () => {
  it('finds the customer’s profile for a proven userId, else the browser’s, and creates none', () => {
    const store = new MemoryIdentityStore();
    const customer = resolveProfile(store, { type: 'identify', anonymousId: 'laptop', userId: 'ann' }).profileId;
    const phone = resolveProfile(store, { type: 'track', anonymousId: 'phone' }).profileId;
    expect(currentProfileOf(store, { userId: 'ann', userVerified: true, anonymousId: 'phone' })).toBe(customer);
    // A customer id is not a password: a bare one finds nothing, and the browser's profile is answered.
    expect(currentProfileOf(store, { userId: 'ann', anonymousId: 'phone' })).toBe(phone);
    expect(currentProfileOf(store, { userId: 'ann' })).toBeUndefined();
    expect(currentProfileOf(store, { anonymousId: 'never-seen' })).toBeUndefined();
    expect(currentProfileOf(store, {})).toBeUndefined();
    expect(store.ids.size).toBe(3);
  });
});

describe('userVerifiedOf', () => {
  const message = (userVerified?: boolean) => ({ context: userVerified === undefined ? {} : { userVerified } }) as unknown as StoredMessage;
  it('asks for proof only on a site that requires it', () => {
    expect(userVerifiedOf(message(true), 'required')).toBe(true);
    expect(userVerifiedOf(message(false), 'required')).toBe(false);
    expect(userVerifiedOf(message(), 'required')).toBe(false);
    expect(userVerifiedOf(message(false), 'off')).toBeUndefined();
  });
});

describe('stillStored', () => {
  /** P1 was merged into P2; P3 was erased. */
  const graph: ProfileGraph = {
    exists: (profileId) => profileId === 'P2',
    current: (profileId) => (profileId === 'P1' ? 'P2' : profileId),
  };
  it('gives a retry the recorded outcome, with a merge followed to where its target is now', () => {
    const attributions = [{ recId: 'r1' }] as never;
    expect(stillStored(graph, { profileId: 'P2', attributions })).toEqual({ profileId: 'P2', attributions });
    expect(stillStored(graph, { profileId: 'P2', merged: { from: 'P0', into: 'P1' } })).toEqual({ profileId: 'P2', merged: { from: 'P0', into: 'P2' } });
    // Recorded against a profile merged away since: still stored, in the profile it went into.
    expect(stillStored(graph, { profileId: 'P1' })).toEqual({ profileId: 'P1' });
  });
  it('gives nothing for an erased person, nor for a message suppressed before', () => {
    expect(stillStored(graph, { profileId: 'P3', merged: { from: 'P0', into: 'P3' } })).toEqual({ profileId: null });
    expect(stillStored(graph, { profileId: null })).toEqual({ profileId: null });
  });
});
