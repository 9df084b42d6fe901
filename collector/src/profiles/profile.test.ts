import { describe, expect, it } from 'vitest';
import { cartChangedAt, newProfile, revenueByCurrency, type Profile } from './profile';
import { T0 } from './test-fixtures';

describe('the profile document', () => {
  it('starts empty at the time it was created, and survives a JSON round trip unchanged', () => {
    const p = newProfile('p1', T0);
    expect(p).toMatchObject({
      profileId: 'p1',
      firstSeen: T0,
      lastSeen: T0,
      interestsEpoch: T0,
      sessionCount: 0,
      revenue: 0,
      revenueByCurrency: {},
      counted: [],
    });
    expect(Object.values(p.counts).every((n) => n === 0)).toBe(true);
    expect([p.recentViews, p.recentLists, p.searches, p.orders, p.recClicks, p.session.views].every((list) => list.length === 0)).toBe(true);
    expect(p.traits).toBeUndefined();
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
    // Two profiles share nothing mutable.
    const q = newProfile('p2', T0);
    q.counts.events++;
    q.cart.tent = { quantity: 1, at: T0 };
    expect(p.counts.events).toBe(0);
    expect(p.cart).toEqual({});
  });

  it('reads revenue per currency from the field when present, else the old single sum in the site currency', () => {
    const p = newProfile('p', T0);
    p.revenueByCurrency = { USD: 5, EUR: 7 };
    p.revenue = 999;
    expect(revenueByCurrency(p, 'EUR')).toEqual({ USD: 5, EUR: 7 });
    const legacy = newProfile('old', T0) as Profile;
    delete legacy.revenueByCurrency;
    expect(revenueByCurrency(legacy, 'EUR')).toEqual({});
    legacy.revenue = 12.5;
    expect(revenueByCurrency(legacy, 'JPY')).toEqual({ JPY: 12.5 });
  });

  it('reads when the cart changed from the field when present, even for an emptied cart', () => {
    const p = newProfile('p', T0);
    expect(cartChangedAt(p)).toBeUndefined();
    p.cartChangedAt = T0 + 50;
    expect(cartChangedAt(p)).toBe(T0 + 50);
    p.cart = { tent: { quantity: 1, at: T0 + 90 } };
    expect(cartChangedAt(p)).toBe(T0 + 50);
    delete p.cartChangedAt;
    expect(cartChangedAt(p)).toBe(T0 + 90);
  });
});
