const MAX_WAIT_MS = 10 * 60_000;

/**
 * A `Retry-After` header value in milliseconds: delay-seconds or an
 * HTTP-date (RFC 9110, section 10.2.3). Undefined when absent or unreadable;
 * capped at 10 minutes so that a wrong header cannot stall delivery for long.
 */
export function retryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  // An HTTP-date has a weekday and a month name; a lenient Date.parse would read "-5" as a year.
  const ms = /^\s*\d+\s*$/.test(value) ? Number(value) * 1000 : /[a-z]/i.test(value) ? Date.parse(value) - now : NaN;
  return ms == ms ? Math.min(Math.max(ms, 0), MAX_WAIT_MS) : undefined;
}
