import { describe, expect, it } from 'vitest';
import { parseMessage } from '../src/message-schema';

const order = (properties: Record<string, unknown>) => ({ type: 'track', event: 'Order Completed', anonymousId: 'a', properties });
const parsed = (input: unknown) => {
  const result = parseMessage(input);
  if (!result.ok) throw new Error(result.reason);
  return result.message as { properties?: Record<string, any> };
};
const reason = (input: unknown) => {
  const result = parseMessage(input);
  return result.ok ? 'accepted' : result.reason;
};

describe('Ecommerce properties as real clients send them', () => {
  it('rejects products the statistics and profiles cannot read, naming the field', () => {
    expect(reason(order({ products: ['p1', 'p2'] }))).toMatch(/^properties\.products\.0 must be a product object/);
    expect(reason(order({ products: 'p1,p2' }))).toMatch(/^properties\.products must be a list of products/);
    expect(reason(order({ products: { product_id: 'p1', price: 3 } }))).toMatch(/^properties\.products must be a list/);
    expect(reason(order({ products: [[1, 2]] }))).toMatch(/^properties\.products\.0 must be a product object/);
    expect(reason(order({ products: [{ product_id: { a: 1 } }] }))).toMatch(/^properties\.products\.0\.product_id must be a string or a number/);
    expect(reason(order({ products: [{ product_id: 'p1', price: '1,99' }] }))).toMatch(/^properties\.products\.0\.price must be a number/);
    expect(reason(order({ products: [{ product_id: 'p1', quantity: 'two' }] }))).toMatch(/^properties\.products\.0\.quantity must be a number/);
    expect(reason(order({ products: [{ product_id: 'p1', price: true }] }))).toMatch(/price must be a number/);
    expect(reason(order({ total: '$12' }))).toMatch(/^properties\.total must be a number/);
    expect(reason(order({ products: [{ product_id: 'p1', category: ['a', 'b'] }] }))).toMatch(/category must be a string/);
    expect(reason({ type: 'track', event: 'Product Viewed', anonymousId: 'a', properties: { product_id: ['p1'] } })).toMatch(
      /^properties\.product_id must be a string or a number/,
    );
    expect(reason({ type: 'track', event: 'Recommendation Viewed', anonymousId: 'a', properties: { slot: { name: 'home' } } })).toMatch(
      /^properties\.slot must be a string/,
    );
  });

  it('normalises what it accepts into the one shape every reader expects', () => {
    expect(parsed(order({ products: [{ product_id: 'p1', price: '10.50', quantity: '2' }], total: '21.00' })).properties).toEqual({
      products: [{ product_id: 'p1', price: 10.5, quantity: 2 }],
      total: 21,
    });
    // Numbers as ids, ids padded with spaces, camelCase, sku or id instead of product_id.
    expect(
      parsed(order({ products: [{ product_id: 42 }, { product_id: ' p2 ' }, { productId: 'p3' }, { sku: 'p4' }, { id: 5 }] })).properties!.products.map(
        (p: { product_id: string }) => p.product_id,
      ),
    ).toEqual(['42', 'p2', 'p3', 'p4', '5']);
    // A null entry is kept (every reader skips it); null fields are absent.
    expect(parsed(order({ products: [null, { product_id: 'p1', price: null, category: null }] })).properties).toEqual({
      products: [null, { product_id: 'p1' }],
    });
    expect(parsed(order({ products: null })).properties).toEqual({});
    expect(
      parsed({ type: 'track', event: 'Product Added', anonymousId: 'a', properties: { productId: 7, price: '3', quantity: 1, extra: { kept: true } } })
        .properties,
    ).toEqual({
      productId: '7',
      product_id: '7',
      price: 3,
      quantity: 1,
      extra: { kept: true },
    });
  });

  it('leaves the properties of other events alone', () => {
    const custom = { type: 'track', event: 'Soak Event', anonymousId: 'a', properties: { products: 'anything', price: 'ten' } };
    expect(parsed(custom).properties).toEqual(custom.properties);
  });
});

describe('ids', () => {
  it('are normalised the same way wherever they appear', () => {
    const message = parsed({ type: 'track', event: 'x', anonymousId: ' victim ', userId: 12345 }) as { anonymousId?: string; userId?: string };
    expect(message.anonymousId).toBe('victim');
    expect(message.userId).toBe('12345');
  });
});
