import { describe, expect, it } from 'vitest';
import { createSite } from './support/collector';
import { defineAudience, event, memberIds, profileOf, send } from './support/audiences';

describe('smoke', () => {
  it('a view puts a shopper in an audience', async () => {
    const writeKey = await createSite();
    await defineAudience(writeKey, 'tents', { fact: 'viewedCategory', category: 'Outdoor > Tents', withinMinutes: 30, op: 'gte', value: 1 });
    await send(writeKey, [event('a1', 'Product Viewed', { product_id: 't1', category: 'Outdoor > Tents', price: 100 })]);
    const profile = await profileOf(writeKey, 'a1');
    expect(profile.audiences.map((a: any) => a.id)).toEqual(['tents']);
    expect(await memberIds(writeKey, 'tents')).toEqual([profile.profileId]);
  });
});
