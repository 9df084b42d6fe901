/**
 * Clock-skew correction as Segment does it: the sender's clock may be wrong,
 * but the gap between when it recorded an event and when it sent it is right.
 * timestamp = receivedAt − (sentAt − originalTimestamp).
 */
export interface EventTimes {
  timestamp: string;
  originalTimestamp?: string;
}

/**
 * The stored timestamp lies within the years an admin query can name
 * (1970–9999), where ISO strings sort as the moments they stand for: D1
 * buckets statistics by the timestamp's text, and "+275760-09-13…" or
 * "0000-01-01…" would land in days no range selects. A client whose clock
 * data says otherwise gets receivedAt; what it said stays in
 * originalTimestamp.
 */
const MIN_STORED_MS = Date.UTC(1970, 0, 1);
const MAX_STORED_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const storable = (ms: number) => ms >= MIN_STORED_MS && ms <= MAX_STORED_MS;

export function correctedTimes(clientTimestamp: string | undefined, sentAt: string | undefined, receivedAtMs: number): EventTimes {
  if (!clientTimestamp) return { timestamp: new Date(receivedAtMs).toISOString() };
  const original = Date.parse(clientTimestamp);
  // Formatting dates is a good part of the per-message cost: a timestamp already in canonical form is kept as sent.
  const originalTimestamp = CANONICAL.test(clientTimestamp) ? clientTimestamp : new Date(original).toISOString();
  const sent = sentAt ? Date.parse(sentAt) : NaN;
  if (Number.isNaN(sent)) return { timestamp: storable(original) ? originalTimestamp : new Date(receivedAtMs).toISOString(), originalTimestamp };
  const corrected = receivedAtMs - (sent - original);
  // A corrected time out of range means the client's sentAt is garbage: its timestamp alone is the best guess left.
  const timestamp = storable(corrected) ? new Date(corrected).toISOString() : storable(original) ? originalTimestamp : new Date(receivedAtMs).toISOString();
  return { timestamp, originalTimestamp };
}

/** What `Date.prototype.toISOString` produces for years 0–9999. */
const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
