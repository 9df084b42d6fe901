import { describe, expect, it } from 'vitest';
import { applyEvent } from './apply-event';
import { mergeProfiles } from './merge';
import { newProfile, revenueByCurrency, type Profile } from './profile';
import { DAY, order, orderWith, product, stored, T0, track } from './test-fixtures';

describe('merging two profiles', () => {
  it('merges traits (the newer side wins), cart change times and purchase times', () => {
    const a = newProfile('a', T0);
    const b = newProfile('b', T0);
    applyEvent(a, stored({ type: 'identify', userId: 'u', traits: { email: 'old@example.com', plan: 'free' } }, T0));
    applyEvent(a, track('Product Added', product('tent'), T0 + 10));
    applyEvent(a, order([['tent', 'Outdoor > Tents']], T0 + 20));
    applyEvent(b, stored({ type: 'identify', traits: { email: 'new@example.com', city: 'Lyon' } }, T0 + 100));
    applyEvent(b, track('Product Added', product('mat'), T0 + 200));
    applyEvent(b, order([['tent', 'Outdoor > Tents']], T0 + DAY));
    const merged = mergeProfiles(a, b);
    expect(merged.traits).toEqual({ email: 'new@example.com', city: 'Lyon', plan: 'free' });
    expect(merged.cartChangedAt).toBe(T0 + 200);
    expect(merged.purchases.tent!.times).toEqual([T0 + 20, T0 + DAY]);
    expect(merged.categoryPurchases!['outdoor > tents']).toEqual({ count: 2, lastAt: T0 + DAY, times: [T0 + 20, T0 + DAY] });
    const reversed = mergeProfiles(b, a);
    expect(reversed.traits!.email).toBe('new@example.com');
    // Old documents on both sides merge without the new fields.
    const plain = mergeProfiles(newProfile('x', T0), newProfile('y', T0));
    expect(plain.traits).toBeUndefined();
    expect(plain.cartChangedAt).toBeUndefined();
    expect(plain.categoryPurchases).toBeUndefined();
  });

  it('reads a document from before: its one sum counts in the site’s currency, and merges keep currencies apart', () => {
    const legacy = newProfile('old', T0) as Profile;
    delete legacy.revenueByCurrency;
    legacy.revenue = 42;
    expect(revenueByCurrency(legacy, 'GBP')).toEqual({ GBP: 42 });
    const other = newProfile('new', T0);
    applyEvent(other, orderWith({ total: 8, currency: 'GBP' }, T0 + 1000), { currency: 'GBP' });
    applyEvent(other, orderWith({ total: 5, currency: 'USD' }, T0 + 2000), { currency: 'GBP' });
    const merged = mergeProfiles(other, legacy, 'GBP');
    expect(merged.revenueByCurrency).toEqual({ GBP: 50, USD: 5 });
    expect(merged.revenue).toBe(50);
  });
});
