import { describe, expect, it } from 'vitest';
import type { StoredMessage } from '@trailmark/schema';
import { applyEvent } from '../src/profiles/apply-event';
import { lifecycleStage } from '../src/profiles/lifecycle';
import { mergeProfiles } from '../src/profiles/merge';
import { newProfile } from '../src/profiles/profile';
import { createSite, uniqueId } from './support/collector';
import { added, event, ordered, product, profileOf, recommendations, sendAndStore, viewed } from './support/shop';

const DAY = 86_400_000;
const stored = (m: Record<string, any>, at = Date.now()): StoredMessage =>
  ({
    ...m,
    timestamp: new Date(at).toISOString(),
    receivedAt: new Date(at).toISOString(),
    context: { geo: { country: 'DE', region: 'Bavaria' }, device: { type: 'mobile' }, bot: false, ...m.context },
  }) as StoredMessage;

describe('profile rules', () => {
  it('decays interests, tracks cart and purchase intervals, and starts sessions after 30 minutes', () => {
    const t0 = Date.UTC(2026, 0, 1);
    const p = newProfile('p', t0);
    applyEvent(p, stored(viewed('a', 'tent', { category: 'Outdoor > Tents' }), t0));
    applyEvent(p, stored(viewed('a', 'stove', { category: 'Outdoor > Cooking' }), t0 + 60_000));
    expect(p.sessionCount).toBe(1);
    applyEvent(p, stored(viewed('a', 'tent'), t0 + 45 * 60_000));
    expect(p.sessionCount).toBe(2);
    expect(p.interests['Outdoor']).toBeGreaterThan(p.interests['Outdoor > Cooking']!);

    applyEvent(p, stored(added('a', 'tent'), t0 + 46 * 60_000));
    expect(p.cart.tent!.quantity).toBe(1);
    applyEvent(p, stored(ordered('a', ['tent']), t0 + DAY));
    expect(p.cart).toEqual({});
    applyEvent(p, stored(ordered('a', ['tent']), t0 + 11 * DAY));
    applyEvent(p, stored(ordered('a', ['tent']), t0 + 31 * DAY));
    expect(p.purchases.tent).toMatchObject({ count: 3 });
    expect(p.purchases.tent!.meanIntervalMs).toBe(15 * DAY);
    expect(p.revenue).toBe(30);
  });

  it('names the lifecycle stage from recency and frequency', () => {
    const t = { activeDays: 14, atRiskDays: 30, lapsedDays: 90 };
    const now = Date.UTC(2026, 5, 1);
    const p = newProfile('p', now - DAY);
    p.sessionCount = 1;
    p.lastSeen = now - DAY;
    expect(lifecycleStage(p, now, t)).toBe('new');
    p.sessionCount = 3;
    expect(lifecycleStage(p, now, t)).toBe('active');
    p.lastSeen = now - 20 * DAY;
    expect(lifecycleStage(p, now, t)).toBe('at-risk');
    p.lastSeen = now - 60 * DAY;
    expect(lifecycleStage(p, now, t)).toBe('sleeping');
    p.lastSeen = now - 100 * DAY;
    expect(lifecycleStage(p, now, t)).toBe('lapsed');
  });

  it('merges two histories by time', () => {
    const a = newProfile('a', 1000);
    const b = newProfile('b', 500);
    applyEvent(a, stored(viewed('x', 'one'), 2000));
    applyEvent(b, stored(viewed('y', 'two'), 1500));
    applyEvent(b, stored(added('y', 'two'), 1600));
    const merged = mergeProfiles(a, b);
    expect(merged.profileId).toBe('a');
    expect(merged.recentViews.map((v) => v.productId)).toEqual(['two', 'one']);
    expect(merged.cart.two).toBeDefined();
    expect(merged.firstSeen).toBe(500);
    expect(merged.counts.events).toBe(3);
  });
});

describe('GET /v1/admin/profiles/:id', () => {
  it('returns the stitched profile for any linked id, with its history', async () => {
    const writeKey = await createSite();
    const anonymousId = uniqueId('anon');
    const userId = uniqueId('user');
    const geo = { country: 'DE', region: 'Bavaria' };
    await sendAndStore(
      writeKey,
      [
        viewed(anonymousId, 'tent', { category: 'Outdoor > Tents' }),
        event(anonymousId, 'Product List Viewed', { category: 'Outdoor > Tents', products: [product('tent')] }),
        event(anonymousId, 'Products Searched', { query: 'sleeping bag' }),
        added(anonymousId, 'tent'),
        { type: 'identify', anonymousId, userId, messageId: uniqueId('m'), traits: { email: 'x@example.com' } },
        ordered(anonymousId, ['tent']),
        added(anonymousId, 'stove'),
      ],
      geo,
    );
    const byAnon = await profileOf(writeKey, anonymousId);
    expect(byAnon.status).toBe(200);
    const byUser = await profileOf(writeKey, userId);
    expect(byUser.body.profileId).toBe(byAnon.body.profileId);
    expect(byUser.body).toMatchObject({
      userId,
      anonymousIds: [anonymousId],
      userIds: [userId],
      region: { country: 'DE', region: 'Bavaria' },
      lifecycle: 'new',
      counts: { productViews: 1, searches: 1, adds: 2, orders: 1 },
      revenue: 10,
      recentViews: [{ productId: 'tent', name: 'Product tent' }],
      recentCategories: [{ category: 'Outdoor > Tents' }],
      searches: [{ query: 'sleeping bag' }],
      cart: [{ productId: 'stove', quantity: 1 }],
      orders: [{ productIds: ['tent'], total: 10 }],
      purchaseCycles: [{ productId: 'tent', purchases: 1 }],
    });
    expect(byUser.body.interests[0]).toEqual({ category: 'Outdoor > Tents', score: 1 });
    expect((await profileOf(writeKey, 'nobody')).status).toBe(404);
  });

  it('joins the history of a second device when it logs in', async () => {
    const writeKey = await createSite({ settings: { holdoutPercent: 0 } });
    const userId = uniqueId('user');
    await sendAndStore(writeKey, [{ type: 'identify', anonymousId: 'laptop', userId, messageId: uniqueId('m') }, viewed('laptop', 'kettle')]);
    await sendAndStore(writeKey, [viewed('phone', 'teapot'), added('phone', 'teapot')]);
    await sendAndStore(writeKey, [{ type: 'identify', anonymousId: 'phone', userId, messageId: uniqueId('m') }]);
    const { body } = await profileOf(writeKey, 'phone');
    expect(body.anonymousIds.sort()).toEqual(['laptop', 'phone']);
    expect(body.mergedProfileIds).toHaveLength(1);
    expect(body.recentViews.map((v: { productId: string }) => v.productId)).toEqual(['teapot', 'kettle']);
    expect(body.cart).toEqual([expect.objectContaining({ productId: 'teapot' })]);
    // The phone's cart is now the customer's: the cart slot on the laptop knows it.
    const recs = await recommendations(writeKey, { slot: 'home', userId, anonymousId: 'laptop' });
    expect(recs.items.map((i) => i.productId)).not.toContain('teapot');
  });

  it('learns the catalog from product events, later facts updating earlier ones', async () => {
    const writeKey = await createSite({ settings: { holdoutPercent: 0 } });
    const earlier = new Date(Date.now() - 60_000).toISOString();
    await sendAndStore(writeKey, [
      { ...viewed('a', 'lamp', { price: 30, name: 'Lamp' }), timestamp: new Date().toISOString() },
      { ...viewed('b', 'lamp', { price: 99, name: 'Old lamp name' }), timestamp: earlier },
    ]);
    const recs = await recommendations(writeKey, { slot: 'trending', anonymousId: 'c' });
    expect(recs.items[0]).toMatchObject({ productId: 'lamp', name: 'Lamp', price: 30, currency: 'USD', url: '/product/lamp', imageUrl: '/img/lamp.svg' });
    await sendAndStore(writeKey, [viewed('a', 'lamp', { in_stock: false })]);
    expect((await recommendations(writeKey, { slot: 'trending', anonymousId: 'c' })).items).toEqual([]);
  });
});
