/**
 * What the collector reads of Ecommerce v2 properties, validated and put in
 * one shape before a message is acknowledged. The statistics triggers in D1
 * and the profile reducers read product ids, prices, quantities, categories
 * and order totals; a shape they cannot read (products as a string, a list
 * of ids, numbers in words) used to be acknowledged and then fail in storage.
 * Now it is either normalised here (ids as strings, numeric strings as
 * numbers, the product id under `product_id`) or rejected with a reason that
 * names the field, so whatever is accepted is stored and counted.
 *
 * Only the Ecommerce v2 events are checked: other events' properties are
 * the sender's own and nothing reads them.
 */
import * as v from 'valibot';
import { EVENTS } from './ecommerce';

const MAX_PRODUCT_ID_LENGTH = 256;
/** A plain decimal number, as shops write prices in strings ("12.50"); not "1,99", "$5" or "ten". */
const NUMERIC_STRING = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

const NOT_A_NUMBER = 'must be a number (or a string holding one, like "12.50")';

/**
 * The largest amount of money one field may hold, in any currency (a
 * trillion: far above any order, even in currencies of small units), and the
 * largest quantity of one product line. Finite is not enough: one order of
 * 1e308 × 1e308 made a region's revenue Infinity, which JSON writes as null,
 * so every later figure of that region and day read as 0. Within these
 * bounds a line is at most 1e18 and no sum of them overflows.
 */
export const MAX_AMOUNT = 1e12;
export const MAX_QUANTITY = 1e6;

/** A number, or a numeric string taken as its number; null means absent. */
const number = v.pipe(
  v.nullish(v.union([v.pipe(v.number(), v.finite(NOT_A_NUMBER)), v.pipe(v.string(), v.regex(NUMERIC_STRING, NOT_A_NUMBER))], NOT_A_NUMBER)),
  v.transform((x) => (x === null || x === undefined ? undefined : Number(x))),
);

const NEGATIVE = 'must not be negative (a refund is an Order Refunded event)';

/** An amount of money that may go either way (a discount), at most MAX_AMOUNT. */
const amount = v.pipe(
  number,
  v.check((x) => x === undefined || Math.abs(x) <= MAX_AMOUNT, `must be at most ${MAX_AMOUNT.toExponential()} either way`),
);

/**
 * Money and counts that add up to revenue and units: never negative, or one
 * message could take a shop's revenue below zero. A refund is its own event
 * (Order Refunded), not a negative order.
 */
const money = v.pipe(
  number,
  v.check((x) => x === undefined || x >= 0, NEGATIVE),
  v.check((x) => x === undefined || x <= MAX_AMOUNT, `must be at most ${MAX_AMOUNT.toExponential()}`),
);

const quantity = v.pipe(
  number,
  v.check((x) => x === undefined || x >= 0, NEGATIVE),
  v.check((x) => x === undefined || x <= MAX_QUANTITY, `must be at most ${MAX_QUANTITY.toLocaleString('en-US')}`),
);

/** An ISO 4217 code, kept upper case ("eur" is EUR); null or "" means absent. */
const currency = v.pipe(
  v.nullish(v.string('must be a 3-letter currency code like USD')),
  v.transform((x) => (x === null || x === undefined || x.trim() === '' ? undefined : x.trim().toUpperCase())),
  v.check((x) => x === undefined || /^[A-Z]{3}$/.test(x), 'must be a 3-letter currency code like USD (ISO 4217)'),
);

/** Free text where null means absent. */
const text = v.pipe(
  v.nullish(v.string('must be a string')),
  v.transform((x) => x ?? undefined),
);

/** A product id: a string or a number, kept as a trimmed string; empty means absent. */
const productId = v.pipe(
  v.nullish(v.union([v.string(), v.pipe(v.number(), v.finite())], 'must be a string or a number')),
  v.transform((x) => (x === null || x === undefined || String(x).trim() === '' ? undefined : String(x).trim())),
  v.check((x) => x === undefined || x.length <= MAX_PRODUCT_ID_LENGTH, `is longer than ${MAX_PRODUCT_ID_LENGTH} characters`),
);

/** The fields of one product the collector reads, wherever a product appears. */
const productFields = {
  product_id: productId,
  productId,
  sku: productId,
  id: productId,
  price: money,
  quantity,
  currency,
  category: text,
};

type ProductShape = { product_id?: string; productId?: string; sku?: string; id?: string; [key: string]: unknown };

/**
 * Names the product under `product_id`, the one field the statistics read:
 * camelCase `productId`, `sku` or `id` are taken in that order when it is
 * missing, as the profile and catalog have always done.
 */
const withProductId = <T extends ProductShape>(p: T): T => {
  const id = p.product_id ?? p.productId ?? p.sku ?? p.id;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(p)) if (value !== undefined) out[key] = value;
  if (id !== undefined) out.product_id = id;
  return out as T;
};

const NOT_A_PRODUCT = 'must be a product object like {"product_id": "p1", "price": 9.5, "quantity": 1}';
const product = v.pipe(
  // Not an array: valibot's object schemas would take one.
  v.custom<Record<string, unknown>>((x) => typeof x === 'object' && x !== null && !Array.isArray(x), NOT_A_PRODUCT),
  v.looseObject(productFields, NOT_A_PRODUCT),
  v.transform(withProductId),
);

const products = v.pipe(
  v.nullish(
    v.array(
      // A null in the list is skipped by every reader, so it is kept as sent.
      v.nullable(product),
      'must be a list of products: [{"product_id": "p1", "price": 9.5, "quantity": 1}, …]',
    ),
  ),
  v.transform((x) => x ?? undefined),
);

/** Events whose own properties describe one product. */
export const SINGLE_PRODUCT_EVENTS: ReadonlySet<string> = new Set<string>([
  EVENTS.productViewed,
  EVENTS.productAdded,
  EVENTS.productRemoved,
  EVENTS.productClicked,
]);
export const ECOMMERCE_EVENTS: ReadonlySet<string> = new Set<string>(Object.values(EVENTS));

const listProperties = v.looseObject({
  products,
  total: money,
  revenue: money,
  subtotal: money,
  currency,
  shipping: amount,
  tax: amount,
  discount: amount,
  // Recommendation Viewed / Clicked: the slot statistics group by these.
  slot: text,
  variant: text,
});

const singleProductProperties = v.pipe(v.looseObject({ ...productFields, products, slot: text, variant: text }), v.transform(withProductId));

function dropUndefined(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) if (field !== undefined) out[key] = field;
  return out;
}

/**
 * Validates and normalises the properties of an Ecommerce v2 event; other
 * events' properties come back as they are. The reason names the field:
 * `properties.products.0.price must be a number …`.
 */
export function parseEcommerceProperties(
  event: string,
  properties: Record<string, unknown> | undefined,
): { ok: true; properties: Record<string, unknown> | undefined } | { ok: false; reason: string } {
  if (properties === undefined || !ECOMMERCE_EVENTS.has(event)) return { ok: true, properties };
  const schema = SINGLE_PRODUCT_EVENTS.has(event) ? singleProductProperties : listProperties;
  const result = v.safeParse(schema, properties);
  if (result.success) return { ok: true, properties: dropUndefined(result.output) };
  const issue = result.issues[0];
  const path = v.getDotPath(issue);
  return { ok: false, reason: `properties${path ? `.${path}` : ''} ${issue.message}` };
}
