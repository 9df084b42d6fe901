import { describe, expect, it } from 'vitest';
import { parseMessage } from '../src/message-schema';

const track = (event: string, properties: Record<string, unknown>) => ({ type: 'track', event, anonymousId: 'a', properties });
const order = (properties: Record<string, unknown>) => track('Order Completed', properties);
const reason = (input: unknown) => {
  const result = parseMessage(input);
  return result.ok ? 'accepted' : result.reason;
};
const properties = (input: unknown) => {
  const result = parseMessage(input);
  if (!result.ok) throw new Error(result.reason);
  return (result.message as { properties?: Record<string, any> }).properties;
};

describe('money in Ecommerce events', () => {
  it('rejects negative prices, quantities and totals, naming the field', () => {
    expect(reason(order({ total: -10 }))).toBe('properties.total must not be negative (a refund is an Order Refunded event)');
    expect(reason(order({ revenue: '-0.01' }))).toMatch(/^properties\.revenue must not be negative/);
    expect(reason(order({ subtotal: -1 }))).toMatch(/^properties\.subtotal must not be negative/);
    expect(reason(order({ products: [{ product_id: 'p', price: -5 }] }))).toMatch(/^properties\.products\.0\.price must not be negative/);
    expect(reason(order({ products: [{ product_id: 'p', price: 5, quantity: -3 }] }))).toMatch(/^properties\.products\.0\.quantity must not be negative/);
    expect(reason(track('Product Added', { product_id: 'p', price: -1 }))).toMatch(/^properties\.price must not be negative/);
    expect(reason(track('Product Viewed', { product_id: 'p', price: '-20' }))).toMatch(/^properties\.price must not be negative/);
    // Zero is money too (a free sample), and a discount is not revenue.
    expect(reason(order({ total: 0, discount: -5, products: [{ product_id: 'p', price: 0, quantity: 1 }] }))).toBe('accepted');
  });

  it('refuses amounts and quantities whose sums could overflow, so one order cannot turn a region’s revenue into Infinity', () => {
    expect(reason(order({ total: 1e308 }))).toBe('properties.total must be at most 1e+12');
    expect(reason(order({ revenue: '2e12' }))).toMatch(/^properties\.revenue must be at most 1e\+12/);
    expect(reason(order({ discount: -1e13 }))).toMatch(/^properties\.discount must be at most 1e\+12 either way/);
    expect(reason(order({ products: [{ product_id: 'p', price: 1e308, quantity: 1 }] }))).toMatch(/^properties\.products\.0\.price must be at most 1e\+12/);
    expect(reason(order({ products: [{ product_id: 'p', price: 1, quantity: 1e308 }] }))).toMatch(
      /^properties\.products\.0\.quantity must be at most 1,000,000/,
    );
    expect(reason(track('Product Added', { product_id: 'p', price: 5, quantity: 1_000_001 }))).toMatch(/^properties\.quantity must be at most 1,000,000/);
    // The bounds themselves are money: a trillion (a large order in a currency of small units), a million units.
    expect(reason(order({ total: 1e12, revenue: 1e12, products: [{ product_id: 'p', price: 1e6, quantity: 1e6 }] }))).toBe('accepted');
  });

  it('keeps currencies as ISO 4217 codes, upper case, and refuses what is not one', () => {
    expect(properties(order({ total: 5, currency: 'eur', products: [{ product_id: 'p', currency: ' jpy ' }] }))).toMatchObject({
      currency: 'EUR',
      products: [{ product_id: 'p', currency: 'JPY' }],
    });
    expect(properties(order({ total: 5, currency: '' }))).not.toHaveProperty('currency');
    expect(reason(order({ total: 5, currency: 'dollars' }))).toMatch(/^properties\.currency must be a 3-letter currency code like USD/);
    expect(reason(order({ total: 5, currency: '$' }))).toMatch(/^properties\.currency must be a 3-letter/);
    expect(reason(order({ total: 5, currency: 978 }))).toMatch(/^properties\.currency must be a 3-letter/);
  });
});
