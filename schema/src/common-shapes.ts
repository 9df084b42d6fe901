/**
 * The shapes nearly every message has, checked by hand: a track, page,
 * screen or identify message whose ids are plain strings, whose dates
 * parse, whose context and properties are objects and whose Ecommerce
 * fields already hold what the schema would turn them into (numbers in
 * range, string ids, upper-case currency codes). For those, the answer is
 * the very object the valibot schema (message-schema.ts, ecommerce-schema.ts)
 * would give, key order included, at a fraction of its cost; anything else
 * (a number for an id, a price in a string, null for a field, an alias, a
 * value out of range) gets `undefined`, and the schema judges it and words
 * the reason. The schema stays the definition: common-shapes.test.ts
 * checks that both give the same output on every message it tries.
 */
import { ECOMMERCE_EVENTS, MAX_AMOUNT, MAX_QUANTITY, SINGLE_PRODUCT_EVENTS } from './ecommerce-schema';
import type { ParsedMessage } from './message-schema';

type Json = Record<string, unknown>;
/** Converts a field's value as the schema would, or says it is not a common shape. */
type Field = (value: unknown) => unknown;

const UNCOMMON = Symbol('uncommon');

const MAX_ID_LENGTH = 256;
const MAX_NAME_LENGTH = 512;

const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

/** An id that normalises to itself: a non-empty string with nothing to trim. */
const id: Field = (x) => (typeof x === 'string' && x.length > 0 && x.length <= MAX_ID_LENGTH && x.trim() === x ? x : UNCOMMON);
const date: Field = (x) => (typeof x === 'string' && !Number.isNaN(Date.parse(x)) ? x : UNCOMMON);
const object: Field = (x) => (isObject(x) ? x : UNCOMMON);
const text: Field = (x) => (typeof x === 'string' ? x : UNCOMMON);
const event: Field = (x) => (typeof x === 'string' && x.length > 0 && x.length <= MAX_NAME_LENGTH && x.trim() === x ? x : UNCOMMON);

const inRange =
  (min: number, max: number): Field =>
  (x) =>
    typeof x === 'number' && Number.isFinite(x) && x >= min && x <= max ? x : UNCOMMON;
const money = inRange(0, MAX_AMOUNT);
const amount = inRange(-MAX_AMOUNT, MAX_AMOUNT);
const quantity = inRange(0, MAX_QUANTITY);
const currency: Field = (x) => (typeof x === 'string' && /^[A-Z]{3}$/.test(x) ? x : UNCOMMON);
const productId = id;

/**
 * An object as valibot's looseObject gives it: the schema's keys present in
 * the input, in the schema's order, each converted, then the input's other
 * keys in their order.
 */
function looseObject(input: Json, fields: Readonly<Record<string, Field>>, keys: readonly string[]): Json | typeof UNCOMMON {
  const out: Json = {};
  for (const key of keys) {
    if (!(key in input)) continue;
    const value = fields[key]!(input[key]);
    if (value === UNCOMMON) return UNCOMMON;
    out[key] = value;
  }
  for (const key in input) {
    if (Object.hasOwn(fields, key) || !Object.hasOwn(input, key) || key === '__proto__' || key === 'prototype' || key === 'constructor') continue;
    // JSON never holds undefined; the schema drops it from some objects and keeps it in others.
    if (input[key] === undefined) return UNCOMMON;
    out[key] = input[key];
  }
  return out;
}

const shape = (fields: Record<string, Field>) => ({ fields, keys: Object.keys(fields) });
/** `track` must name its event; every other field of the common shapes may be left out. */
const REQUIRED: Record<string, string> = { track: 'event' };

const context = shape({ userAgent: text, page: object, sessionId: id });
const contextField: Field = (x) => (isObject(x) ? looseObject(x, context.fields, context.keys) : UNCOMMON);

const productFields = { product_id: productId, productId, sku: productId, id: productId, price: money, quantity, currency, category: text };

/** The product named under `product_id` (ecommerce-schema.ts, withProductId), with no undefined field to drop. */
function withProductId(product: Json): Json {
  const named = product.product_id ?? product.productId ?? product.sku ?? product.id;
  if (named !== undefined) product.product_id = named;
  return product;
}

const product = shape(productFields);
const products: Field = (x) => {
  if (!Array.isArray(x)) return UNCOMMON;
  const out: unknown[] = [];
  for (const item of x) {
    if (item === null) out.push(null);
    else if (!isObject(item)) return UNCOMMON;
    else {
      const converted = looseObject(item, product.fields, product.keys);
      if (converted === UNCOMMON) return UNCOMMON;
      out.push(withProductId(converted));
    }
  }
  return out;
};

const singleProduct = shape({ ...productFields, products, slot: text, variant: text });
const list = shape({
  products,
  total: money,
  revenue: money,
  subtotal: money,
  currency,
  shipping: amount,
  tax: amount,
  discount: amount,
  slot: text,
  variant: text,
});

function ecommerce(eventName: string, properties: Json): Json | typeof UNCOMMON {
  if (!ECOMMERCE_EVENTS.has(eventName)) return properties;
  if (!SINGLE_PRODUCT_EVENTS.has(eventName)) return looseObject(properties, list.fields, list.keys);
  const converted = looseObject(properties, singleProduct.fields, singleProduct.keys);
  return converted === UNCOMMON ? UNCOMMON : withProductId(converted);
}

const common = {
  messageId: id,
  anonymousId: id,
  userId: id,
  timestamp: date,
  originalTimestamp: date,
  sentAt: date,
  context: contextField,
  integrations: object,
};
const type: Field = (x) => x;
const page = shape({ ...common, type, name: text, category: text, properties: object });
const MESSAGES: Record<string, { fields: Record<string, Field>; keys: readonly string[] }> = {
  track: shape({ ...common, type, event, properties: object }),
  page,
  screen: page,
  identify: shape({ ...common, type, traits: object }),
};

/** The schema's output for a message of a common shape, or undefined: then the schema must judge it. */
export function parseCommonShape(input: Json): ParsedMessage | undefined {
  const schema = typeof input.type === 'string' ? MESSAGES[input.type] : undefined;
  if (!schema) return undefined;
  const required = REQUIRED[input.type as string];
  if (required !== undefined && !(required in input)) return undefined;
  const message = looseObject(input, schema.fields, schema.keys);
  if (message === UNCOMMON || (message.anonymousId === undefined && message.userId === undefined)) return undefined;
  if (message.type === 'track' && message.properties !== undefined) {
    const properties = ecommerce(message.event as string, message.properties as Json);
    if (properties === UNCOMMON) return undefined;
    message.properties = properties;
  }
  return message as ParsedMessage;
}
