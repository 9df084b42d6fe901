/**
 * The admin API's query parameters, read strictly: anything a parameter
 * cannot mean is the caller's error (a 400 that says what to send), never a
 * 500 or a silently different query. Pure, so every odd value is tested fast.
 */
import { badRequest } from '../http/errors';

/**
 * Dates are compared as ISO strings in D1, which orders them correctly only
 * with four-digit years: "+275760-09-13…" or "-000001-…" would sort before
 * "2026-…" and turn a filter inside out, and a date near the ends of what
 * `Date` holds overflows the moment anything is added to it.
 */
const MIN_DATE_MS = Date.UTC(1970, 0, 1);
const MAX_DATE_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
export const MAX_PAGE = 10_000;

const EXAMPLE = 'e.g. 2026-01-31T00:00:00Z';

/**
 * An ISO 8601 (RFC 3339) date or date-time: `2026-01-31`, `2026-01-31T10:00`,
 * `2026-01-31T10:00:00.5Z`, `…+02:00`. Date.parse alone takes far more, and
 * reads it into a different moment without a word: "0" is the year 2000,
 * "2026-02-30" is March 2nd, "1/2/2026" is January 2nd.
 */
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):?(\d{2}))?)?$/i;

/** An ISO 8601 date between 1970 and 9999, as a canonical ISO string; absent or "" is undefined. */
export function dateParam(value: string | undefined, name: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  // An unencoded "+02:00" arrives as " 02:00" (a plus in a query string is a space).
  const text = value.replace(/ (\d{2}:?\d{2})$/, '+$1');
  const parts = ISO_DATE.exec(text);
  if (!parts || !isCalendarDate(parts)) {
    throw badRequest(`${name} must be an ISO 8601 date or date-time, ${EXAMPLE} (a time without an offset is UTC; encode "+" as %2B).`);
  }
  // A date-time without an offset would be local time to Date.parse: here it is UTC.
  const hasTime = parts[4] !== undefined;
  const ms = Date.parse(hasTime && parts[7] === undefined ? `${text}Z` : text.toUpperCase());
  if (Number.isNaN(ms) || ms < MIN_DATE_MS || ms > MAX_DATE_MS) throw badRequest(`${name} must be a date between 1970 and 9999, ${EXAMPLE}.`);
  return new Date(ms).toISOString();
}

/** Whether the fields matched by ISO_DATE name a real day and time: no February 30th, no 24:61. */
function isCalendarDate(parts: RegExpExecArray): boolean {
  const [year, month, day] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return false;
  const within = (field: string | undefined, max: number) => field === undefined || Number(field) <= max;
  return within(parts[4], 23) && within(parts[5], 59) && within(parts[6], 59) && within(parts[8], 23) && within(parts[9], 59);
}

/** A cursor is the value of a previous Next-Cursor (or Cursor) header. */
export function cursorParam(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value)) throw badRequest('cursor must be the value of a previous Next-Cursor header.');
  return Number(value);
}

export function limitParam(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d{1,6}$/.test(value)) throw badRequest(`limit must be an integer from 1 to ${MAX_PAGE}.`);
  const n = Number(value);
  if (n < 1 || n > MAX_PAGE) throw badRequest(`limit must be an integer from 1 to ${MAX_PAGE}.`);
  return n;
}

/** `from` and `to` of a statistics range: both optional (to defaults to now, from to a week before `to`). */
export function rangeParams(fromValue: string | undefined, toValue: string | undefined, nowMs: number): { from: string; to: string } {
  const to = dateParam(toValue, 'to') ?? new Date(Math.min(nowMs, MAX_DATE_MS)).toISOString();
  const from = dateParam(fromValue, 'from') ?? new Date(Math.max(MIN_DATE_MS, Date.parse(to) - 7 * 86_400_000)).toISOString();
  if (from >= to) throw badRequest('from must be before to.');
  return { from, to };
}

/** Which kind of id an erasure names, when one string could be either. */
export function idKindParam(value: string | undefined): 'user' | 'anonymous' | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'user' || value === 'anonymous') return value;
  throw badRequest('kind must be "user" or "anonymous" (leave it out to match a userId first, then an anonymousId).');
}
