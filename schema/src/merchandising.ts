/**
 * Merchandising rules (contract section 9): what a merchandiser pins,
 * boosts, buries or excludes in the recommendation slots, on which slots,
 * under which conditions and when. The body of `PUT /v1/admin/rules/:id`
 * is defined here once; the collector, the dashboard and the tests use it.
 */
import * as v from 'valibot';
import { issuePath } from './audience-schema';
import { SLOTS } from './recommendations';

/** The path of an issue about the whole body, as the audiences API names it. */
export const BODY_PATH = '(body)';

export const RULE_ACTIONS = ['pin', 'boost', 'bury', 'exclude'] as const;
export type RuleAction = (typeof RULE_ACTIONS)[number];

/** Rule ids: what fits in a URL path segment unescaped. */
export const RULE_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
export const MAX_RULES_PER_SITE = 200;
export const MAX_RULE_PRODUCTS = 100;
/** Pins place products within the first positions a slot can show (its largest `limit`). */
export const MAX_PIN_POSITION = 50;
export const MAX_BOOST_FACTOR = 100;
export const DEFAULT_FACTOR = { boost: 2, bury: 0.5 } as const;

const text = (field: string, max: number) =>
  v.pipe(
    v.string(`${field} must be a string`),
    v.trim(),
    v.minLength(1, `${field} must not be empty`),
    v.maxLength(max, `${field} is at most ${max} characters`),
    v.check((s) => !/[\u0000-\u001f\u007f]/.test(s), `${field} must be printable text`),
  );
const isoTime = (field: string) => v.pipe(v.string(`${field} must be a string`), v.isoTimestamp(`${field} must be an ISO 8601 time like 2026-06-01T00:00:00Z`));

/** The message of a strict object's own issues: an unknown field, a missing one, or not an object at all. */
function objectIssue(expected: string | null, fields: string): string {
  if (expected === 'never') return `is not a field; ${fields}`;
  if (expected?.startsWith('"')) return 'is required';
  return `must be a JSON object; ${fields}`;
}

const WhenSchema = v.strictObject(
  {
    /** The product on screen (the product slot's productId). */
    productId: v.optional(text('when.productId', 256)),
    /** The category the shopper is in: the product on screen's, else that of their latest view or list in this session (subcategories included). */
    category: v.optional(text('when.category', 200)),
    /** The visitor's region: a country code ("DE"), a region name ("Bavaria") or both ("DE/Bavaria"). */
    region: v.optional(text('when.region', 120)),
    /** Members of an audience (contract section 7). */
    audienceId: v.optional(
      v.pipe(v.string('when.audienceId must be a string'), v.regex(RULE_ID, 'when.audienceId is 1–128 letters, digits, "_", "-", "." or ":"')),
    ),
  },
  (issue) => objectIssue(issue.expected, 'the conditions are productId, category, region and audienceId'),
);

const RuleFields = v.strictObject(
  {
    slots: v.pipe(
      v.array(
        v.picklist([...SLOTS, '*'], `each slot must be one of ${SLOTS.join(', ')} or "*" (every slot)`),
        'slots must be an array of slots, e.g. ["home"] or ["*"]',
      ),
      v.minLength(1, `slots must name at least one slot: ${SLOTS.join(', ')} or "*"`),
      v.maxLength(SLOTS.length + 1, 'slots lists each slot once'),
    ),
    when: v.optional(WhenSchema),
    action: v.picklist(RULE_ACTIONS, `action must be one of ${RULE_ACTIONS.join(', ')}`),
    products: v.optional(
      v.pipe(
        v.array(text('each product id', 256), 'products must be an array of product ids'),
        v.minLength(1, 'products must name at least one product id'),
        v.maxLength(MAX_RULE_PRODUCTS, `products holds at most ${MAX_RULE_PRODUCTS} ids`),
      ),
    ),
    category: v.optional(text('category', 200)),
    position: v.optional(
      v.pipe(
        v.number('position must be a number'),
        v.integer('position must be a whole number (1 is the first place)'),
        v.minValue(1, 'position is 1-based: 1 is the first place'),
        v.maxValue(MAX_PIN_POSITION, `position is at most ${MAX_PIN_POSITION}`),
      ),
    ),
    factor: v.optional(v.pipe(v.number('factor must be a number'), v.finite('factor must be a finite number'))),
    startsAt: v.optional(isoTime('startsAt')),
    endsAt: v.optional(isoTime('endsAt')),
  },
  (issue) => objectIssue(issue.expected, 'the fields are slots, when, action, products, category, position, factor, startsAt and endsAt'),
);

type Fields = v.InferOutput<typeof RuleFields>;

/** `PUT /v1/admin/rules/:id` */
export const RuleBodySchema = v.pipe(
  RuleFields,
  v.forward(
    v.check((r: Fields) => r.action !== 'pin' || r.products !== undefined, 'a pin places products; name them in "products"'),
    ['products'],
  ),
  v.forward(
    v.check((r: Fields) => r.action !== 'pin' || r.category === undefined, 'a pin places products, not a category; give "products" instead'),
    ['category'],
  ),
  v.forward(
    v.check((r: Fields) => r.action === 'pin' || r.products !== undefined || r.category !== undefined, 'name the products and/or the category to act on'),
    ['products'],
  ),
  v.forward(
    v.check((r: Fields) => r.action === 'pin' || r.position === undefined, 'only a pin has a position'),
    ['position'],
  ),
  v.forward(
    v.check((r: Fields) => r.action === 'boost' || r.action === 'bury' || r.factor === undefined, 'only boost and bury have a factor'),
    ['factor'],
  ),
  v.forward(
    v.check(
      (r: Fields) => r.action !== 'boost' || r.factor === undefined || (r.factor > 1 && r.factor <= MAX_BOOST_FACTOR),
      `a boost multiplies by more than 1, at most ${MAX_BOOST_FACTOR} (default ${DEFAULT_FACTOR.boost})`,
    ),
    ['factor'],
  ),
  v.forward(
    v.check(
      (r: Fields) => r.action !== 'bury' || r.factor === undefined || (r.factor > 0 && r.factor < 1),
      `a bury multiplies by more than 0 and less than 1 (default ${DEFAULT_FACTOR.bury}); to hide products use "exclude"`,
    ),
    ['factor'],
  ),
  v.forward(
    v.check((r: Fields) => !r.startsAt || !r.endsAt || Date.parse(r.startsAt) < Date.parse(r.endsAt), 'endsAt must be after startsAt'),
    ['endsAt'],
  ),
);
export type RuleBody = v.InferOutput<typeof RuleBodySchema>;

/** A stored rule, as `GET /v1/admin/rules` lists it. */
export interface Rule extends RuleBody {
  id: string;
  createdAt: string;
  updatedAt: string;
}

/** Whether a rule applies now: `scheduled` before startsAt, `expired` from endsAt. */
export type RuleStatus = 'active' | 'scheduled' | 'expired';

export interface RuleView extends Rule {
  status: RuleStatus;
}

/** One problem of a request body: the JSON path of the bad field (`when.region`, `slots[1]`; `(body)` for the whole body) and what is wrong. */
export interface RuleIssue {
  path: string;
  message: string;
}

/** Every problem of a body at once, each with the path of its field. */
export function ruleIssues(issues: readonly v.BaseIssue<unknown>[]): RuleIssue[] {
  const seen = new Set<string>();
  const out: RuleIssue[] = [];
  for (const issue of issues) {
    const path = issuePath('', issue).replace(/^\./, '') || BODY_PATH;
    const message = issue.message;
    const key = `${path}\u0000${message}`;
    if (!seen.has(key) && seen.add(key)) out.push({ path, message });
  }
  return out;
}

/** The issues as one line for the error message: `position is 1-based: …; slots[0]: …`. */
export function describeRuleIssues(issues: readonly RuleIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}

// ---- Why an answer is what it is (`explain`) ---------------------------------------------------

/** A rule of the site that did not apply to an answer, and why not (`when.region: the visitor is in US/Texas`). */
export interface RuleNotApplied {
  id: string;
  action: RuleAction;
  because: string;
}

/** One shown item: where it would have been without rules, and the rules that placed, promoted or moved it. */
export interface ExplainedItem {
  productId: string;
  /** 1-based. */
  position: number;
  reason: string;
  /** Its 1-based position in the slot's answer without rules; null when rules brought it in. */
  withoutRules: number | null;
  rules: string[];
}

/**
 * What the merchandiser needs to see why a slot shows what it shows: the
 * rules that applied and those that did not (with why), each item's place
 * with and without rules, what rules took out, and pins that could not be
 * placed. Given to admins only (`explain=1` with the admin token, and the
 * rule preview).
 */
export interface RecommendationExplain {
  applied: { id: string; action: RuleAction }[];
  notApplied: RuleNotApplied[];
  items: ExplainedItem[];
  /** What the slot shows without rules. */
  withoutRules: { productId: string; reason: string }[];
  /** Items of the answer without rules that this answer does not show. */
  removed: { productId: string; withoutRules: number; because: string; rules: string[] }[];
  /** Pinned products not shown, and why (`out of stock`, `excluded by rule no-knives`, …). */
  unplacedPins: { rule: string; productId: string; position: number; because: string }[];
}

// ---- Rule preview -------------------------------------------------------------------------------

const PREVIEW_FIELDS = 'the fields are slot, anonymousId, userId, productId, limit, exclude, country, region, at, rules and without';
const previewId = (field: string) => v.optional(text(field, 256));

/**
 * `POST /v1/admin/rules/preview`: a slot's answer for a visitor, at a time and
 * place, with the stored rules, draft `rules` (by id: they replace a stored
 * rule of that id or come in addition) and `without` some stored rules.
 * Nothing is stored; the answer always carries `explain`.
 */
const PreviewFields = v.strictObject(
  {
    slot: v.picklist(SLOTS, `slot must be one of ${SLOTS.join(', ')}`),
    anonymousId: previewId('anonymousId'),
    userId: previewId('userId'),
    productId: previewId('productId'),
    limit: v.optional(
      v.pipe(
        v.number('limit must be a number'),
        v.integer('limit must be a whole number'),
        v.minValue(1, 'limit is at least 1'),
        v.maxValue(50, 'limit is at most 50'),
      ),
    ),
    exclude: v.optional(
      v.pipe(v.array(text('each product id in exclude', 256), 'exclude must be an array of product ids'), v.maxLength(100, 'exclude holds at most 100 ids')),
    ),
    /** Where the visitor is: the country code and region name the collector reads from the request (e.g. "DE", "Bavaria"). */
    country: v.optional(text('country', 2)),
    region: v.optional(text('region', 120)),
    /** The time to preview at (validity windows): now if absent. */
    at: v.optional(isoTime('at')),
    rules: v.optional(
      v.pipe(
        v.record(
          v.pipe(v.string(), v.regex(RULE_ID, 'a rule id is 1–128 letters, digits, "_", "-", "." or ":"')),
          RuleBodySchema,
          'rules must be an object of draft rules by id, e.g. { "summer-pin": { … } }',
        ),
        v.check((r) => Object.keys(r).length <= 20, 'rules holds at most 20 draft rules'),
      ),
    ),
    without: v.optional(
      v.pipe(
        v.array(
          v.pipe(
            v.string('each rule id in without must be a string'),
            v.regex(RULE_ID, 'each rule id in without is 1–128 letters, digits, "_", "-", "." or ":"'),
          ),
          'without must be an array of rule ids',
        ),
        v.maxLength(MAX_RULES_PER_SITE, `without holds at most ${MAX_RULES_PER_SITE} ids`),
      ),
    ),
  },
  (issue) => objectIssue(issue.expected, PREVIEW_FIELDS),
);

export const RulePreviewSchema = v.pipe(
  PreviewFields,
  v.forward(
    v.check(
      (p: v.InferOutput<typeof PreviewFields>) => p.slot !== 'product' || p.productId !== undefined,
      'the product slot needs the productId of the product on screen',
    ),
    ['productId'],
  ),
);
export type RulePreview = v.InferOutput<typeof RulePreviewSchema>;
