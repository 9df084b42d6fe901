import { describe, expect, it } from 'vitest';
import { MemoryIdentityStore } from '../../test/support/memory-identity-store';
import { resolveProfile } from './resolve-profile';

describe('identity verification in stitching', () => {
  it('an unproven userId joins nothing: the stranger’s browser stays its own, the customer’s profile untouched', () => {
    const store = new MemoryIdentityStore();
    const customer = resolveProfile(store, { type: 'identify', anonymousId: 'customer-laptop', userId: 'victim', userVerified: true }).profileId;
    const stranger = resolveProfile(store, { type: 'track', anonymousId: 'stranger' }).profileId;
    const attempt = resolveProfile(store, { type: 'identify', anonymousId: 'stranger', userId: 'victim', userVerified: false });
    expect(attempt).toEqual({ profileId: stranger });
    expect(store.merges).toEqual([]);
    expect(store.profileOf('anonymous', 'stranger')).toBe(stranger);
    expect(store.profileOf('user', 'victim')).toBe(customer);
    // Nor does alias, nor a browser never seen before.
    expect(resolveProfile(store, { type: 'alias', anonymousId: 'stranger', previousId: 'stranger', userId: 'victim', userVerified: false }).profileId).toBe(
      stranger,
    );
    const fresh = resolveProfile(store, { type: 'identify', anonymousId: 'new-browser', userId: 'victim', userVerified: false }).profileId;
    expect(fresh).not.toBe(customer);
    expect(store.profileOf('user', 'victim')).toBe(customer);
    expect(store.userOf(fresh)).toBeUndefined();
  });

  it('a server-side message with only an unproven userId counts as an anonymous id of its own', () => {
    const store = new MemoryIdentityStore();
    const customer = resolveProfile(store, { type: 'identify', userId: 'victim', userVerified: true }).profileId;
    const forged = resolveProfile(store, { type: 'track', userId: 'victim', userVerified: false }).profileId;
    expect(forged).not.toBe(customer);
    expect(store.profileOf('anonymous', 'victim')).toBe(forged);
  });

  it('a proven userId (or a site that does not ask for proof) links as before', () => {
    const store = new MemoryIdentityStore();
    const browser = resolveProfile(store, { type: 'track', anonymousId: 'b' }).profileId;
    const customer = resolveProfile(store, { type: 'identify', anonymousId: 'laptop', userId: 'u' }).profileId;
    const joined = resolveProfile(store, { type: 'identify', anonymousId: 'b', userId: 'u', userVerified: true });
    expect(joined).toEqual({ profileId: customer, merged: { from: browser, into: customer } });
  });
});
