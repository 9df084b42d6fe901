import { describe, expect, it } from 'vitest';
import type { StoredMessage } from '@trailmark/schema';
import { applyEvent, mergeProfiles, newProfile, revenueByCurrency, type Profile } from './profile';

const T0 = Date.UTC(2026, 0, 1);
let seq = 0;
const order = (properties: Record<string, unknown>, at = T0 + seq * 1000): StoredMessage =>
  ({
    type: 'track',
    event: 'Order Completed',
    messageId: `m${++seq}`,
    anonymousId: 'a',
    properties: { order_id: `o${seq}`, ...properties },
    timestamp: new Date(at).toISOString(),
    receivedAt: new Date(at).toISOString(),
    context: { geo: {}, device: { type: 'mobile' }, bot: false },
  }) as StoredMessage;

describe('revenue per currency', () => {
  it('never sums currencies: revenue is the site’s currency, the rest kept apart', () => {
    const p = newProfile('p', T0);
    const euroShop = { currency: 'EUR' };
    applyEvent(p, order({ total: 100, currency: 'USD' }), euroShop);
    applyEvent(p, order({ total: 50, currency: 'EUR' }), euroShop);
    applyEvent(p, order({ total: 3000, currency: 'JPY' }), euroShop);
    // No currency: the site's.
    applyEvent(p, order({ products: [{ product_id: 'x', price: 10, quantity: 2 }] }), euroShop);
    expect(p.revenueByCurrency).toEqual({ USD: 100, EUR: 70, JPY: 3000 });
    expect(p.revenue).toBe(70);
    expect(p.orders.map((o) => o.currency)).toEqual(['USD', 'EUR', 'JPY', 'EUR']);
  });

  it('never goes below zero, even for a negative total stored before ingest refused them', () => {
    const p = newProfile('p', T0);
    applyEvent(p, order({ total: 20, currency: 'USD' }));
    applyEvent(p, order({ total: -1000, currency: 'USD' }));
    expect(p.revenue).toBe(20);
  });

  it('reads a document from before: its one sum counts in the site’s currency, and merges keep currencies apart', () => {
    const legacy = newProfile('old', T0) as Profile;
    delete legacy.revenueByCurrency;
    legacy.revenue = 42;
    expect(revenueByCurrency(legacy, 'GBP')).toEqual({ GBP: 42 });
    const other = newProfile('new', T0);
    applyEvent(other, order({ total: 8, currency: 'GBP' }), { currency: 'GBP' });
    applyEvent(other, order({ total: 5, currency: 'USD' }), { currency: 'GBP' });
    const merged = mergeProfiles(other, legacy, 'GBP');
    expect(merged.revenueByCurrency).toEqual({ GBP: 50, USD: 5 });
    expect(merged.revenue).toBe(50);
  });
});
