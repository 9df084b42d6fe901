/**
 * The query string of a statistics request, read once and checked: the
 * period, the filters, the funnel's steps and window. Every mistake is a 400
 * whose message says what to send instead. Pure.
 */
import type { LifecycleStage, StatsDimension, StatsFilters, StatsPeriod } from '@trailmark/schema';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** The longest period a request may ask for: about thirteen months, enough to compare a year with the one before. */
const MAX_SPAN_MS = 400 * DAY_MS;

export const DIMENSIONS: readonly StatsDimension[] = ['country', 'region', 'device', 'source', 'medium', 'campaign', 'landing', 'visitor', 'variant'];
const CHOICES: Partial<Record<StatsDimension, readonly string[]>> = {
  visitor: ['new', 'returning'],
  variant: ['treatment', 'control', 'none'],
};
export const LIFECYCLE_STAGES: readonly LifecycleStage[] = ['new', 'active', 'at-risk', 'sleeping', 'lapsed'];

export class QueryError extends Error {}

/** [fromMs, toMs): `to` exclusive. */
export interface Range {
  fromMs: number;
  toMs: number;
}

export type Query = (name: string) => string | undefined;

/** `from` and `to` (ISO 8601); by default the seven days up to now. */
export function readRange(query: Query, nowMs: number): Range {
  const to = readDate(query('to'), 'to') ?? nowMs;
  const from = readDate(query('from'), 'from') ?? to - 7 * DAY_MS;
  if (from >= to) throw new QueryError('from must be before to.');
  if (to - from > MAX_SPAN_MS) throw new QueryError('A period is at most 400 days long; ask for a shorter one.');
  return { fromMs: from, toMs: to };
}

/** The period of the same length that ends where `range` starts. */
export function previousRange(range: Range): Range {
  return { fromMs: 2 * range.fromMs - range.toMs, toMs: range.fromMs };
}

export function toPeriod(range: Range): StatsPeriod {
  return { from: new Date(range.fromMs).toISOString(), to: new Date(range.toMs).toISOString() };
}

/** Whole hours a range overlaps, as [first, end) in hours since 1970. */
export function hoursOf(range: Range): { from: number; to: number } {
  return { from: Math.floor(range.fromMs / HOUR_MS), to: Math.ceil(range.toMs / HOUR_MS) };
}

/** Whole days a range overlaps, as [first, end) in days since 1970. */
export function daysOf(range: Range): { from: number; to: number } {
  return { from: Math.floor(range.fromMs / DAY_MS), to: Math.ceil(range.toMs / DAY_MS) };
}

function readDate(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || ms < 0 || ms > Date.UTC(9999, 0)) throw new QueryError(`${name} must be an ISO 8601 date, e.g. 2026-01-31T00:00:00Z.`);
  return ms;
}

/** Filters: `?country=DE&device=mobile&visitor=new`… */
export function readFilters(query: Query): StatsFilters {
  const filters: StatsFilters = {};
  for (const dimension of DIMENSIONS) {
    const value = query(dimension);
    if (value === undefined) continue;
    if (value.length > 200) throw new QueryError(`The ${dimension} filter is at most 200 characters.`);
    const choices = CHOICES[dimension];
    if (choices && !choices.includes(value)) throw new QueryError(`${dimension} must be one of ${choices.join(', ')}.`);
    filters[dimension] = value;
  }
  return filters;
}

export function readDimension(value: string | undefined, name: string): StatsDimension {
  if (value && (DIMENSIONS as readonly string[]).includes(value)) return value as StatsDimension;
  throw new QueryError(`${name} must be one of ${DIMENSIONS.join(', ')}.`);
}

/** A duration such as `30m`, `24h` or `7d`, from one minute to 90 days; in milliseconds. */
export function readWindow(value: string | undefined, fallbackMs = DAY_MS): number {
  if (value === undefined || value === '') return fallbackMs;
  const match = /^(\d{1,4})([mhd])$/.exec(value);
  const unit = match ? { m: 60_000, h: HOUR_MS, d: DAY_MS }[match[2] as 'm' | 'h' | 'd'] : 0;
  const ms = match ? Number(match[1]) * unit : NaN;
  if (!(ms >= 60_000 && ms <= 90 * DAY_MS)) throw new QueryError('window is a duration from 1m to 90d, such as 30m, 24h or 7d.');
  return ms;
}

export const DEFAULT_FUNNEL = ['Product Viewed', 'Product Added', 'Checkout Started', 'Order Completed'] as const;

/** Funnel steps, in order: `?step=Product Viewed&step=Order Completed` (2 to 8; the default is view → add → checkout → order). */
export function readSteps(values: string[] | undefined): string[] {
  if (!values || values.length === 0) return [...DEFAULT_FUNNEL];
  if (values.length < 2 || values.length > 8) throw new QueryError('A funnel has 2 to 8 steps: repeat step=<event name> for each, in order.');
  for (const step of values) {
    if (!step || step.length > 100) throw new QueryError('Each step is an event name of 1 to 100 characters, or $page or $identify.');
  }
  return values;
}

/** A 1-based step number of the funnel. */
export function readStepNumber(value: string | undefined, steps: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > steps) throw new QueryError(`stepNumber must be a step of the funnel, 1 to ${steps}.`);
  return n;
}

export function readStage(value: string | undefined): LifecycleStage {
  // The audiences' `lifecycle` fact spells it at_risk: either spelling names the stage.
  const stage = value === 'at_risk' ? 'at-risk' : value;
  if (stage && (LIFECYCLE_STAGES as readonly string[]).includes(stage)) return stage as LifecycleStage;
  throw new QueryError(`stage must be one of ${LIFECYCLE_STAGES.join(', ')}.`);
}

export function readInteger(value: string | undefined, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new QueryError(`${name} must be a whole number from ${min} to ${max}.`);
  return n;
}
