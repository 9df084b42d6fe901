import { describe, expect, it } from 'vitest';
import { parseCommonShape } from '../src/common-shapes';
import { parseMessage, parseWithSchema } from '../src/message-schema';

type Json = Record<string, unknown>;

/** Equal values with the same keys in the same order, all the way down (what the stored JSON and the drain see). */
function sameValue(a: unknown, b: unknown, path = 'message'): string | undefined {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return Object.is(a, b) ? undefined : `${path}: ${String(a)} ≠ ${String(b)}`;
  if (Array.isArray(a) !== Array.isArray(b)) return `${path}: array and object`;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.join('\u0000') !== keysB.join('\u0000')) return `${path}: keys ${keysA.join(',')} ≠ ${keysB.join(',')}`;
  for (const key of keysA) {
    const differs = sameValue((a as Json)[key], (b as Json)[key], `${path}.${key}`);
    if (differs) return differs;
  }
  return undefined;
}

const UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const context = () => ({
  page: { url: 'https://shop.example/p/1?utm_source=x', path: '/p/1', title: 'Product', referrer: '' },
  userAgent: UA,
  locale: 'en-US',
  library: { name: 'trailmark', version: '0.1.0' },
  sessionId: 's-1',
  consent: { status: 'granted' },
});
const ids = { messageId: 'm-1', anonymousId: 'a-1', timestamp: '2026-12-05T21:00:00.000Z', sentAt: '2026-12-05T21:00:01.000Z' };

/** Messages as the tag and the peers' libraries send them. */
const BASES: Json[] = [
  { type: 'page', name: 'Product', ...ids, properties: { path: '/p/1' }, context: context() },
  { type: 'screen', name: 'Home', category: 'app', ...ids, context: context() },
  {
    type: 'track',
    event: 'Product Viewed',
    ...ids,
    properties: { product_id: 'p1', category: 'c1', price: 19.99, currency: 'USD', name: 'Shoe' },
    context: context(),
  },
  { type: 'track', event: 'Product Added', ...ids, properties: { sku: 'sku-1', price: 5, quantity: 2, variant: 'red' }, context: context() },
  {
    ...ids,
    type: 'track',
    event: 'Product List Viewed',
    properties: { list_id: 'l1', category: 'c', products: [{ product_id: 'p1', price: 1 }, null, { id: 'p2', position: 2 }] },
  },
  { type: 'track', event: 'Products Searched', ...ids, properties: { query: 'shoe', result_count: 0 }, context: context() },
  {
    type: 'track',
    event: 'Order Completed',
    ...ids,
    userId: 'u-1',
    properties: {
      order_id: 'o1',
      total: 30,
      revenue: 25,
      tax: 2,
      shipping: 3,
      discount: -1,
      currency: 'EUR',
      products: [{ product_id: 'p1', price: 10, quantity: 3, category: 'c' }],
    },
    context: context(),
    integrations: { All: true },
  },
  { type: 'track', event: 'Recommendation Viewed', ...ids, properties: { slot: 'home', variant: 'personal', product_ids: ['p1'] } },
  { type: 'track', event: 'Newsletter Signed Up', ...ids, properties: { list: 'weekly' } },
  { type: 'identify', ...ids, userId: 'u-1', traits: { email: 'x@example.com' }, context: context() },
  { type: 'group', groupId: 'g1', ...ids },
  { type: 'alias', previousId: 'a-1', userId: 'u-1', ...ids },
];

/** Values that each field may be given, valid or not, in and out of the common shapes. */
const VALUES: unknown[] = [
  undefined,
  null,
  '',
  ' x ',
  'x',
  'usd',
  'USD',
  '12.50',
  '1,99',
  0,
  -0,
  7,
  1.5,
  -1,
  1e13,
  -1e13,
  1e6 + 1,
  Infinity,
  true,
  [],
  ['a'],
  {},
  { a: 1 },
  [{ product_id: ' p ' }],
  [{ product_id: 3, price: '2' }],
  [null, { sku: 'k' }],
  'not a date',
  '2026-12-05T21:00:00Z',
  'a'.repeat(257),
  'a'.repeat(600),
];

const PATHS = [
  'type',
  'messageId',
  'anonymousId',
  'userId',
  'timestamp',
  'originalTimestamp',
  'sentAt',
  'context',
  'context.userAgent',
  'context.page',
  'context.sessionId',
  'context.extra',
  'integrations',
  'event',
  'name',
  'category',
  'traits',
  'properties',
  'properties.product_id',
  'properties.productId',
  'properties.sku',
  'properties.id',
  'properties.price',
  'properties.quantity',
  'properties.currency',
  'properties.category',
  'properties.products',
  'properties.total',
  'properties.discount',
  'properties.slot',
  'properties.variant',
  'extra',
];

function withValue(base: Json, path: string, value: unknown, remove: boolean): Json {
  const copy = structuredClone(base);
  const keys = path.split('.');
  let at: Json = copy;
  for (const key of keys.slice(0, -1)) {
    if (typeof at[key] !== 'object' || at[key] === null) at[key] = {};
    at = at[key] as Json;
  }
  const last = keys.at(-1)!;
  if (remove) delete at[last];
  else at[last] = value;
  return copy;
}

/** A small seeded generator, so a failure can be reproduced. */
function random(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
}

function check(input: Json): 'common' | 'schema' {
  const common = parseCommonShape(structuredClone(input));
  if (common === undefined) return 'schema';
  const schema = parseWithSchema(structuredClone(input));
  if (!schema.ok) throw new Error(`common shape accepted what the schema rejects (${schema.reason}): ${JSON.stringify(input)}`);
  const differs = sameValue(common, schema.message);
  if (differs) throw new Error(`${differs} for ${JSON.stringify(input)}`);
  return 'common';
}

describe('common message shapes', () => {
  it('take the fast path for what the tag sends', () => {
    for (const base of BASES.filter((m) => m.type !== 'group' && m.type !== 'alias')) expect(check(base), JSON.stringify(base)).toBe('common');
  });

  it('give exactly what the schema gives, key order included, for every field set to every value or removed', () => {
    let common = 0;
    let total = 0;
    for (const base of BASES) {
      for (const path of PATHS) {
        for (const value of VALUES) {
          if (check(withValue(base, path, value, false)) === 'common') common++;
          total++;
        }
        check(withValue(base, path, undefined, true));
      }
    }
    // Both paths are exercised.
    expect(common).toBeGreaterThan(total / 10);
    expect(common).toBeLessThan(total);
  });

  it('give exactly what the schema gives for messages changed in several places at once', () => {
    const next = random(17);
    const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
    for (let i = 0; i < 20_000; i++) {
      let input = pick(BASES);
      const changes = 1 + Math.floor(next() * 4);
      for (let c = 0; c < changes; c++) input = withValue(input, pick(PATHS), pick(VALUES), next() < 0.15);
      check(input);
    }
  });

  it('leave every rejection to the schema, with its reason', () => {
    const bad = { type: 'track', event: 'Product Viewed', anonymousId: 'a', properties: { price: '1,99' } };
    expect(parseCommonShape(bad)).toBeUndefined();
    expect(parseMessage(bad)).toEqual({ ok: false, reason: expect.stringMatching(/^properties\.price must be a number/) });
    expect(parseCommonShape({ type: 'track', event: 'x' })).toBeUndefined();
    expect(parseMessage({ type: 'track', event: 'x' })).toEqual({ ok: false, reason: 'needs an anonymousId or a userId' });
  });
});
