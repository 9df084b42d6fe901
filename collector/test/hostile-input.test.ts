/**
 * Events are untrusted: the write key is in every page. Attacks through the
 * public API must not reshape what other shoppers see.
 */
import { describe, expect, it } from 'vitest';
import { createSite, drainAll, uniqueId } from './support/collector';
import { ordered, recommendations, send, viewed, type Geo } from './support/shop';

const BAVARIA: Geo = { country: 'DE', region: 'Bavaria' };
const personal = { settings: { holdoutPercent: 0 } };

describe('time', () => {
  it('a clock 30 days fast does not take over trending for everyone', async () => {
    const writeKey = await createSite(personal);
    for (let i = 0; i < 3; i++) await send(writeKey, [viewed(uniqueId('honest'), 'real')], BAVARIA);
    const future = new Date(Date.now() + 30 * 86_400_000).toISOString();
    await send(writeKey, [{ ...viewed(uniqueId('fast'), 'from-the-future'), timestamp: future }], BAVARIA);
    await drainAll(writeKey);
    for (const slot of ['trending', 'home']) {
      const recs = await recommendations(writeKey, { slot, anonymousId: uniqueId('visitor') }, BAVARIA);
      expect(recs.items.map((i) => i.productId), slot).toEqual(['real', 'from-the-future']);
    }
  });
});

describe('one browser’s weight', () => {
  it('a burst of orders from one browser does not reshape what a region sees', async () => {
    const writeKey = await createSite(personal);
    for (let i = 0; i < 3; i++) await send(writeKey, [ordered(uniqueId('local'), ['stein'])], BAVARIA);
    const attacker = uniqueId('attacker');
    const burst = Array.from({ length: 40 }, () => {
      const order = ordered(attacker, ['pushed']);
      (order.properties.products as { quantity: number }[])[0]!.quantity = 500;
      return order;
    });
    await send(writeKey, [...Array.from({ length: 40 }, () => viewed(attacker, 'pushed')), ...burst], BAVARIA);
    await drainAll(writeKey);
    for (const slot of ['trending', 'home']) {
      const recs = await recommendations(writeKey, { slot, anonymousId: uniqueId('visitor') }, BAVARIA);
      expect(recs.items[0]!.productId, slot).toBe('stein');
    }
  });
});
