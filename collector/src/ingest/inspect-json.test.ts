import { describe, expect, it } from 'vitest';
import { inspectJson, MAX_DEPTH, plainJsonText } from './inspect-json';

/** `levels` objects nested under `key`, the innermost holding `leaf`. */
const nested = (levels: number, leaf: unknown = 1, key = 'a'): unknown => {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = { [key]: value };
  return value;
};

describe('structural checks of a parsed message', () => {
  it('accepts plain values of every JSON kind, including well-formed surrogate pairs', () => {
    for (const value of [null, true, 0, -1.5, '', 'text', '😀 emoji', [], {}, [1, 'a', null, { b: [] }]]) expect(inspectJson(value)).toBeNull();
    expect(
      inspectJson({ type: 'track', properties: { products: [{ product_id: 'p1', name: 'Zelt ⛺' }] }, context: { page: { url: 'https://x.test/?q=%F0' } } }),
    ).toBeNull();
  });

  it('allows MAX_DEPTH levels of objects and arrays, refuses one more, and says where', () => {
    expect(inspectJson(nested(MAX_DEPTH))).toBeNull();
    expect(inspectJson(nested(MAX_DEPTH + 1))).toBe(`${Array(MAX_DEPTH).fill('a').join('.')} is nested deeper than ${MAX_DEPTH} levels`);
    let arrays: unknown = 1;
    for (let i = 0; i < MAX_DEPTH + 1; i++) arrays = [arrays];
    expect(inspectJson(arrays)).toBe(`${'[0]'.repeat(MAX_DEPTH)} is nested deeper than ${MAX_DEPTH} levels`);
    // A scalar at the deepest level is no deeper object.
    expect(inspectJson(nested(MAX_DEPTH, 'leaf'))).toBeNull();
  });

  it('survives hostile nesting far deeper than the call stack', () => {
    let value: unknown = {};
    for (let i = 0; i < 200_000; i++) value = [value];
    expect(inspectJson(value)).toMatch(/is nested deeper than 32 levels$/);
  });

  it('refuses keys that would pollute prototypes downstream, wherever they are', () => {
    expect(inspectJson(JSON.parse('{"__proto__":{"admin":true}}'))).toBe('key "__proto__" is not allowed (at __proto__)');
    expect(inspectJson({ properties: { products: [{ ok: 1 }, { constructor: 'x' }] } })).toBe(
      'key "constructor" is not allowed (at properties.products[1].constructor)',
    );
    expect(inspectJson({ context: { prototype: null } })).toBe('key "prototype" is not allowed (at context.prototype)');
    // Only exact names: lookalikes are plain keys.
    expect(inspectJson({ Constructor: 1, __proto: 1, proto: 1, prototypes: 1 })).toBeNull();
  });

  it('refuses lone surrogates in values and keys, naming the value’s path', () => {
    expect(inspectJson('\ud800')).toBe('a value contains invalid UTF-16 (a lone surrogate)');
    expect(inspectJson({ event: 'x\udc00' })).toBe('event contains invalid UTF-16 (a lone surrogate)');
    expect(inspectJson({ products: [{}, {}, {}, { sku: 'a\ud83d' }] })).toBe('products[3].sku contains invalid UTF-16 (a lone surrogate)');
    expect(inspectJson({ '\ud800': 1 })).toBe('a key under the message contains invalid UTF-16 (a lone surrogate)');
    expect(inspectJson({ properties: { '\udfff': 1 } })).toBe('a key under properties contains invalid UTF-16 (a lone surrogate)');
    // A pair in the wrong order is two lone surrogates.
    expect(inspectJson(['\ude00\ud83d'])).toBe('[0] contains invalid UTF-16 (a lone surrogate)');
  });
});

/** `levels` objects, each holding its next in an array. */
const nestedInArrays = (levels: number): unknown => (levels === 0 ? 'leaf' : { a: [nestedInArrays(levels - 1)] });
const body = (messages: unknown[]) => JSON.stringify({ batch: messages });

const MESSAGES: unknown[] = [
  { type: 'track', event: 'Product Viewed', properties: { product_id: 'p1', tags: ['a', 'b'] } },
  { type: 'page', context: { page: { url: 'https://shop.example/?q=\\"x\\"' } } },
  { type: 'track', properties: { deep: nestedInArrays(10) } },
  { type: 'track', properties: { deep: nestedInArrays(15) } },
  { type: 'track', properties: { deep: nestedInArrays(16) } },
  { type: 'track', properties: { deep: nestedInArrays(40) } },
  { type: 'track', properties: { 'a.b': [[[[]]]], empty: {}, n: null, t: true } },
];

describe('inspecting a body by its text', () => {
  it('finds nothing plain in a text with \\u escapes or a forbidden key', () => {
    // Any backslash-u, even an escaped backslash before a u, sends the body to the full inspection.
    expect(plainJsonText(body([{ name: 'caf\\u00e9' }]))).toBe(false);
    expect(plainJsonText('{"batch":[{"name":"caf\\u00e9"}]}')).toBe(false);
    expect(plainJsonText('{"batch":[{"x":"\\ud800"}]}')).toBe(false);
    for (const key of ['__proto__', 'constructor', 'prototype']) expect(plainJsonText(`{"batch":[{"${key}":1}]}`)).toBe(false);
    expect(plainJsonText(body(MESSAGES))).toBe(true);
  });

  it('gives every message of a plain text the answer of the full inspection', () => {
    const text = body(MESSAGES);
    expect(plainJsonText(text)).toBe(true);
    const parsed = (JSON.parse(text) as { batch: unknown[] }).batch;
    for (const message of parsed) expect(inspectJson(message, true)).toBe(inspectJson(message));
    // The deep ones are caught, with their path.
    expect(inspectJson(parsed[5], true)).toMatch(new RegExp(`^properties\\.deep(\\.a\\[0\\])+ is nested deeper than ${MAX_DEPTH} levels$`));
    expect(inspectJson(parsed[3], true)).toBeNull();
    expect(inspectJson(parsed[4], true)).toMatch(/nested deeper/);
  });

  it('still inspects strings and keys of values that come from elsewhere', () => {
    expect(inspectJson({ x: 'a\ud800b' })).toMatch(/lone surrogate/);
    expect(inspectJson(JSON.parse('{"__proto__": 1}'))).toMatch(/not allowed/);
  });
});
