/**
 * The validator of audience definitions (contract section 7), built from the
 * fact catalogue in `audiences.ts`. Every issue names the JSON path of the bad
 * part (`definition.all[2].value`) and says what would be valid there: the
 * operators of that fact, the value type, the qualifiers it needs.
 */
import * as v from 'valibot';
import {
  AUDIENCE_DEVICE_VALUES,
  AUDIENCE_LIFECYCLE_VALUES,
  AUDIENCE_LIMITS,
  FACTS,
  factSpec,
  type Condition,
  type DefinitionIssue,
  type FactKind,
  type FactOp,
  type FactSpec,
  type Qualifier,
} from './audiences';

const L = AUDIENCE_LIMITS;
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const list = (items: readonly string[]) => items.join(', ');
const quoted = (x: unknown) => JSON.stringify(x) ?? String(x);

const CONDITION_SHAPES = '{"all": [conditions]}, {"any": [conditions]}, {"not": condition} or {"fact", "op", "value"}';
const FACT_NAMES = Object.keys(FACTS).join(', ');

const finite = (message: string) => v.pipe(v.number(message), v.finite(message));

/** A scalar of a fact kind; `ordered` when the operator compares order (gt, gte, lt, lte). */
function scalarSchema(kind: FactKind, fact: string, ordered: boolean): v.GenericSchema<unknown, string | number | boolean> {
  switch (kind) {
    case 'number':
      return finite(`expected a number for "${fact}"`);
    case 'score':
      return v.pipe(
        finite(`expected a score 1–5 for "${fact}"`),
        v.integer(`expected a whole score 1–5 for "${fact}"`),
        v.minValue(1, `expected a score 1–5 for "${fact}"`),
        v.maxValue(5, `expected a score 1–5 for "${fact}"`),
      );
    case 'share':
      return v.pipe(
        finite(`expected a number from 0 to 1 for "${fact}"`),
        v.minValue(0, `expected a number from 0 to 1 for "${fact}"`),
        v.maxValue(1, `expected a number from 0 to 1 for "${fact}"`),
      );
    case 'text':
      return v.pipe(
        v.string(`expected a string for "${fact}"`),
        v.minLength(1, `expected a non-empty string for "${fact}"`),
        v.maxLength(L.maxTextLength, `expected at most ${L.maxTextLength} characters for "${fact}"`),
      );
    case 'country':
      return v.pipe(
        v.string(`expected a two-letter country code (ISO 3166-1 alpha-2, e.g. "US") for "${fact}"`),
        v.regex(/^[A-Za-z0-9]{2}$/, `expected a two-letter country code (ISO 3166-1 alpha-2, e.g. "US") for "${fact}"`),
      );
    case 'boolean':
      return v.boolean(`expected true or false for "${fact}"`);
    case 'lifecycle':
      return v.picklist(AUDIENCE_LIFECYCLE_VALUES, `expected one of ${list(AUDIENCE_LIFECYCLE_VALUES)} for "${fact}"`);
    case 'device':
      return v.picklist(AUDIENCE_DEVICE_VALUES, `expected one of ${list(AUDIENCE_DEVICE_VALUES)} for "${fact}"`);
    case 'trait':
      return ordered
        ? finite(`expected a number for "${fact}" with an order operator (gt, gte, lt, lte)`)
        : v.union(
            [v.pipe(v.string(), v.maxLength(L.maxTextLength)), v.pipe(v.number(), v.finite()), v.boolean()],
            `expected a string (at most ${L.maxTextLength} characters), a number or a boolean for "${fact}"`,
          );
  }
}

function valueSchema(spec: FactSpec, fact: string, op: FactOp): v.GenericSchema {
  if (op === 'exists') return v.optional(v.boolean(`"exists" takes true (the fact is known) or false; omit "value" for true`));
  if (op === 'in') {
    return v.pipe(
      v.array(scalarSchema(spec.kind, fact, false), `"in" takes a list of values for "${fact}"`),
      v.minLength(1, `"in" takes a non-empty list`),
      v.maxLength(L.maxListLength, `"in" takes at most ${L.maxListLength} values`),
    );
  }
  const ordered = op === 'gt' || op === 'gte' || op === 'lt' || op === 'lte';
  return scalarSchema(spec.kind, fact, ordered);
}

const QUALIFIER_SCHEMAS: Record<Qualifier, v.GenericSchema> = {
  category: v.pipe(
    v.string('"category" is a category name, e.g. "Outdoor > Tents"'),
    v.trim(),
    v.minLength(1, '"category" must not be empty'),
    v.maxLength(L.maxTextLength, `"category" is at most ${L.maxTextLength} characters`),
  ),
  productId: v.pipe(
    v.string('"productId" is a product id (a string)'),
    v.trim(),
    v.minLength(1, '"productId" must not be empty'),
    v.maxLength(256, '"productId" is at most 256 characters'),
  ),
  withinMinutes: v.pipe(
    v.number(`"withinMinutes" is a whole number of minutes, 1 to ${L.maxWithinMinutes}`),
    v.integer(`"withinMinutes" is a whole number of minutes, 1 to ${L.maxWithinMinutes}`),
    v.minValue(1, `"withinMinutes" is a whole number of minutes, 1 to ${L.maxWithinMinutes}`),
    v.maxValue(L.maxWithinMinutes, `"withinMinutes" is a whole number of minutes, 1 to ${L.maxWithinMinutes}`),
  ),
  withinDays: v.pipe(
    v.number(`"withinDays" is a whole number of days, 1 to ${L.maxWithinDays}`),
    v.integer(`"withinDays" is a whole number of days, 1 to ${L.maxWithinDays}`),
    v.minValue(1, `"withinDays" is a whole number of days, 1 to ${L.maxWithinDays}`),
    v.maxValue(L.maxWithinDays, `"withinDays" is a whole number of days, 1 to ${L.maxWithinDays}`),
  ),
};

function describeQualifiers(spec: FactSpec): string {
  const entries = Object.entries(spec.qualifiers) as [Qualifier, 'required' | 'optional'][];
  if (entries.length === 0) return 'it takes no qualifiers';
  if (spec.oneOf) {
    const others = entries.filter(([q]) => !spec.oneOf!.includes(q)).map(([q, need]) => `${q} (${need})`);
    return `it takes one of ${spec.oneOf.map((q) => `"${q}"`).join(' or ')}${others.length ? `, and ${others.join(', ')}` : ''}`;
  }
  return `it takes ${entries.map(([q, need]) => `"${q}" (${need})`).join(', ')}`;
}

/** The schema of one fact condition, chosen once its fact and operator are known. */
function factConditionSchema(input: Record<string, unknown>): v.GenericSchema {
  const fact = input.fact;
  const spec = typeof fact === 'string' ? factSpec(fact) : undefined;
  if (!spec || typeof fact !== 'string') {
    return v.looseObject({
      fact: v.custom(() => false, `unknown fact ${quoted(fact)}: use one of ${FACT_NAMES} (trait.NAME for any identify trait)`),
    });
  }
  const op = input.op;
  const opValid = typeof op === 'string' && (spec.ops as readonly string[]).includes(op);
  const entries: Record<string, v.GenericSchema> = {
    fact: v.string(),
    op: v.custom(() => opValid, `${op === undefined ? '"op" is missing' : `${quoted(op)} is not an operator of "${fact}"`}: use one of ${list(spec.ops)}`),
    value: opValid ? valueSchema(spec, fact, op as FactOp) : v.optional(v.unknown()),
  };
  for (const [qualifier, need] of Object.entries(spec.qualifiers) as [Qualifier, 'required' | 'optional'][]) {
    entries[qualifier] = need === 'required' ? QUALIFIER_SCHEMAS[qualifier] : v.optional(QUALIFIER_SCHEMAS[qualifier]);
  }
  const object = v.strictObject(entries, (issue) => {
    if (issue.expected === 'never') return `${quoted(issue.input)} is not part of a "${fact}" condition: ${describeQualifiers(spec)}`;
    if (issue.expected === '"value"') return `"${fact}" ${op} needs a "value"`;
    if (issue.expected === '"op"') return `"op" is missing: use one of ${list(spec.ops)}`;
    if (issue.expected?.startsWith('"')) return `"${fact}" needs ${issue.expected}: ${describeQualifiers(spec)}`;
    return `expected a condition object`;
  });
  if (!spec.oneOf) return object;
  const oneOf = spec.oneOf;
  return v.pipe(
    object,
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const given = oneOf.filter((q) => (dataset.value as Record<string, unknown>)[q] !== undefined);
      if (given.length !== 1) {
        addIssue({
          message: `"${fact}" needs exactly one of ${oneOf.map((q) => `"${q}"`).join(' or ')}${given.length ? ', not both' : ''}: ${describeQualifiers(spec)}`,
          path: given.length ? [pathItem(dataset.value, given[1]!)] : undefined,
        });
      }
    }),
  );
}

function pathItem(input: unknown, key: string | number): v.ObjectPathItem {
  return { type: 'object', origin: 'value', input: input as Record<string, unknown>, key: String(key), value: (input as Record<string, unknown>)[key] };
}

const notACondition = v.custom<never>(() => false, `expected a condition: ${CONDITION_SHAPES}`);

const conditionList = (key: 'all' | 'any') =>
  v.pipe(
    v.array(
      v.lazy(() => conditionSchema),
      `"${key}" takes a list of conditions`,
    ),
    v.minLength(1, `"${key}" takes at least one condition`),
    v.maxLength(L.maxListLength, `"${key}" takes at most ${L.maxListLength} conditions; nest another "${key}" for more`),
  );

const combinator = (key: 'all' | 'any' | 'not') =>
  v.strictObject({ [key]: key === 'not' ? v.lazy(() => conditionSchema) : conditionList(key) }, (issue) =>
    issue.expected === 'never'
      ? `${quoted(issue.input)} cannot sit beside "${key}": a condition is exactly one of ${CONDITION_SHAPES}`
      : `expected a condition: ${CONDITION_SHAPES}`,
  );

const ALL = combinator('all');
const ANY = combinator('any');
const NOT = combinator('not');

/** One condition, recursively: the shape is told by its key (all, any, not or fact). */
const conditionSchema: v.GenericSchema<unknown, Condition> = v.lazy((input) => {
  if (!isObject(input)) return notACondition;
  if ('all' in input) return ALL;
  if ('any' in input) return ANY;
  if ('not' in input) return NOT;
  if ('fact' in input) return factConditionSchema(input);
  return notACondition;
}) as v.GenericSchema<unknown, Condition>;

/**
 * Depth and size first, without recursion, so a hostile definition (a
 * thousand nested "not") costs a bounded walk and never reaches the recursive
 * schema.
 */
const withinBounds = v.rawCheck<unknown>(({ dataset, addIssue }) => {
  const stack: { node: unknown; depth: number; path: (string | number)[] }[] = [{ node: dataset.value, depth: 1, path: [] }];
  let count = 0;
  while (stack.length) {
    const { node, depth, path } = stack.pop()!;
    if (!isObject(node)) continue;
    count++;
    if (count > L.maxConditions) {
      addIssue({ message: `a definition holds at most ${L.maxConditions} conditions` });
      return;
    }
    if (depth > L.maxDepth) {
      const items = toPathItems(dataset.value, path);
      addIssue({
        message: `conditions nest at most ${L.maxDepth} levels deep`,
        path: items.length ? (items as [v.IssuePathItem, ...v.IssuePathItem[]]) : undefined,
      });
      return;
    }
    for (const key of ['all', 'any'] as const) {
      const children = node[key];
      if (Array.isArray(children)) {
        if (children.length > L.maxListLength) continue; // the schema names it
        children.forEach((child, i) => stack.push({ node: child, depth: depth + 1, path: [...path, key, i] }));
      }
    }
    if ('not' in node) stack.push({ node: node.not, depth: depth + 1, path: [...path, 'not'] });
  }
});

function toPathItems(root: unknown, path: (string | number)[]): v.IssuePathItem[] {
  const items: v.IssuePathItem[] = [];
  let node = root;
  for (const key of path) {
    if (typeof key === 'number') items.push({ type: 'array', origin: 'value', input: node as unknown[], key, value: (node as unknown[])[key] });
    else items.push(pathItem(node, key));
    node = (node as Record<string | number, unknown>)[key];
  }
  return items;
}

/** An audience definition: one condition, bounded in depth and size. */
export const audienceDefinitionSchema: v.GenericSchema<unknown, Condition> = v.pipe(v.unknown(), withinBounds, conditionSchema);

/** `definition.all[2].value` from a valibot issue path. */
export function issuePath(root: string, issue: v.BaseIssue<unknown>): string {
  let path = root;
  for (const item of issue.path ?? []) {
    const key = (item as { key?: unknown }).key;
    path += typeof key === 'number' ? `[${key}]` : /^[A-Za-z_$][\w$]*$/.test(String(key)) ? `.${String(key)}` : `[${JSON.stringify(key)}]`;
  }
  return path;
}

/**
 * Validates a definition. Issues carry the JSON path from `root` (the name of
 * the field holding the definition in the request body, `definition` by default).
 */
export function parseAudienceDefinition(input: unknown, root = 'definition'): { ok: true; definition: Condition } | { ok: false; issues: DefinitionIssue[] } {
  const result = v.safeParse(audienceDefinitionSchema, input);
  if (result.success) return { ok: true, definition: result.output };
  return { ok: false, issues: result.issues.map((issue) => ({ path: issuePath(root, issue), message: issue.message })) };
}

/** One line per issue, for a 400 body: `definition.all[2].value: expected a number for "orders"`. */
export function describeDefinitionIssues(issues: readonly DefinitionIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}

// ---- Request bodies of the audiences admin API ------------------------------------------------
// The parts shared with static audiences (static-audience-schema.ts) are exported.

export const MAX_AUDIENCE_NAME = 200;
const AUDIENCE_FIELDS = 'the fields are name, definition and writeKey';
const PREVIEW_FIELDS = 'the fields are definition and writeKey';

export const audienceNameField = v.pipe(
  v.string('expected the audience name, a string'),
  v.trim(),
  v.minLength(1, `expected a name of 1 to ${MAX_AUDIENCE_NAME} characters`),
  v.maxLength(MAX_AUDIENCE_NAME, `expected a name of 1 to ${MAX_AUDIENCE_NAME} characters`),
);

export const writeKeyField = v.optional(
  v.pipe(v.string('expected a write key (a string)'), v.regex(/^[\w.-]{1,128}$/, 'a write key is 1–128 letters, digits, "_", "-" or "."')),
);

/** The message of a body's own issues (an unknown field, a missing one, not an object), naming the fields it takes. */
export function envelopeIssue(fields: string) {
  return (issue: v.BaseIssue<unknown>) => {
    if (issue.expected === 'never') return `is not a field; ${fields}`;
    if (issue.expected?.startsWith('"')) return `is required; ${fields}`;
    return `the body must be a JSON object; ${fields}`;
  };
}

/** A body's issues, each with its path from the body (`profileIds[3]`), `(body)` for the body itself. */
export function bodyIssues(issues: readonly v.BaseIssue<unknown>[]): DefinitionIssue[] {
  return issues.map((issue) => ({ path: issuePath('', issue).replace(/^\./, '') || '(body)', message: issue.message }));
}

const AudienceEnvelope = v.strictObject({ name: audienceNameField, definition: v.unknown(), writeKey: writeKeyField }, envelopeIssue(AUDIENCE_FIELDS));

const PreviewEnvelope = v.strictObject({ definition: v.unknown(), writeKey: writeKeyField }, envelopeIssue(PREVIEW_FIELDS));

export interface AudienceBody {
  name: string;
  definition: Condition;
  writeKey?: string;
}

export type Parsed<T> = { ok: true; body: T } | { ok: false; issues: DefinitionIssue[] };

function parseEnvelope<T extends { definition: unknown }>(
  schema: v.GenericSchema<unknown, T>,
  input: unknown,
  fields: string,
): Parsed<Omit<T, 'definition'> & { definition: Condition }> {
  if (!isObject(input)) return { ok: false, issues: [{ path: '(body)', message: `the body must be a JSON object; ${fields}` }] };
  const envelope = v.safeParse(schema, input);
  const issues: DefinitionIssue[] = envelope.success ? [] : bodyIssues(envelope.issues);
  const definition = 'definition' in input ? parseAudienceDefinition(input.definition) : undefined;
  if (definition && !definition.ok) issues.push(...definition.issues);
  if (issues.length > 0 || !envelope.success || !definition?.ok) return { ok: false, issues };
  return { ok: true, body: { ...envelope.output, definition: definition.definition } };
}

/** `PUT /v1/admin/audiences/:id`: `{ name, definition, writeKey? }`, every problem with its JSON path. */
export function parseAudienceBody(input: unknown): Parsed<AudienceBody> {
  return parseEnvelope(AudienceEnvelope, input, AUDIENCE_FIELDS) as Parsed<AudienceBody>;
}

/** `POST /v1/admin/audiences/preview`: `{ definition, writeKey? }`. */
export function parsePreviewBody(input: unknown): Parsed<{ definition: Condition; writeKey?: string }> {
  return parseEnvelope(PreviewEnvelope, input, PREVIEW_FIELDS) as Parsed<{ definition: Condition; writeKey?: string }>;
}
