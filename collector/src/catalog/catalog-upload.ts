/**
 * Parses a bulk catalog upload (NDJSON, or a JSON array): good rows load, bad
 * rows are reported with their line and what is wrong.
 */
import * as v from 'valibot';
import { describeIssue } from '../http/errors';
import { linkProblem } from './product-links';
import { productFacts, type ProductFacts } from './product-facts';

export const MAX_CATALOG_ROWS = 50_000;

/** A link the storefront can put in href/src as it is (product-links.ts); the admin may link any host. */
const url = v.pipe(
  v.string(),
  v.rawCheck(({ dataset, addIssue }) => {
    const problem = dataset.typed ? linkProblem(dataset.value) : undefined;
    if (problem) addIssue({ message: problem });
  }),
);

/** What a catalog row must look like (snake_case as in the Ecommerce spec; camelCase accepted). */
const rowSchema = v.looseObject({
  name: v.pipe(v.string('name must be a string'), v.trim(), v.minLength(1, 'name must not be empty'), v.maxLength(512)),
  price: v.optional(v.pipe(v.number('price must be a number'), v.minValue(0, 'price must not be negative'))),
  currency: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z]{3}$/, 'currency must be a 3-letter code like USD'))),
  image_url: v.optional(url),
  imageUrl: v.optional(url),
  url: v.optional(url),
  category: v.optional(v.pipe(v.string('category must be a string'), v.maxLength(512))),
  in_stock: v.optional(v.boolean('in_stock must be true or false')),
  inStock: v.optional(v.boolean('inStock must be true or false')),
});

export interface CatalogUpload {
  products: ProductFacts[];
  rejected: { line: number; reason: string }[];
}

export function parseCatalogUpload(text: string): CatalogUpload {
  const trimmed = text.trimStart();
  let rows: { line: number; value: unknown; error?: string }[];
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (err) {
      return { products: [], rejected: [{ line: 1, reason: `not valid JSON: ${(err as Error).message}` }] };
    }
    rows = (parsed as unknown[]).map((value, i) => ({ line: i + 1, value }));
  } else {
    rows = text.split('\n').flatMap((raw, i) => {
      if (raw.trim() === '') return [];
      try {
        return [{ line: i + 1, value: JSON.parse(raw) as unknown }];
      } catch {
        return [{ line: i + 1, value: undefined, error: 'not valid JSON' }];
      }
    });
  }
  const products: ProductFacts[] = [];
  const rejected: CatalogUpload['rejected'] = [];
  for (const row of rows.slice(0, MAX_CATALOG_ROWS)) {
    if (row.error) {
      rejected.push({ line: row.line, reason: row.error });
      continue;
    }
    const facts = productFacts(row.value);
    if (!facts) {
      rejected.push({ line: row.line, reason: 'needs a product_id (string)' });
      continue;
    }
    const checked = v.safeParse(rowSchema, row.value);
    if (!checked.success) {
      rejected.push({ line: row.line, reason: describeIssue(checked.issues[0]) });
      continue;
    }
    products.push(facts);
  }
  if (rows.length > MAX_CATALOG_ROWS)
    rejected.push({ line: MAX_CATALOG_ROWS + 1, reason: `more than ${MAX_CATALOG_ROWS} rows: send the rest in another request` });
  return { products, rejected };
}
