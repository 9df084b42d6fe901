/**
 * Clock-skew correction as Segment does it: the sender's clock may be wrong,
 * but the gap between when it recorded an event and when it sent it is right.
 * timestamp = receivedAt − (sentAt − originalTimestamp).
 */
export interface EventTimes {
  timestamp: string;
  originalTimestamp?: string;
}

export function correctedTimes(
  clientTimestamp: string | undefined,
  sentAt: string | undefined,
  receivedAtMs: number,
): EventTimes {
  if (!clientTimestamp) return { timestamp: new Date(receivedAtMs).toISOString() };
  const original = Date.parse(clientTimestamp);
  // Formatting dates is a good part of the per-message cost: a timestamp already in canonical form is kept as sent.
  const originalTimestamp = CANONICAL.test(clientTimestamp) ? clientTimestamp : new Date(original).toISOString();
  const sent = sentAt ? Date.parse(sentAt) : NaN;
  if (Number.isNaN(sent)) return { timestamp: originalTimestamp, originalTimestamp };
  const corrected = receivedAtMs - (sent - original);
  // A corrected time outside what Date can hold means the client's clock data is garbage.
  const timestamp = Number.isFinite(corrected) && Math.abs(corrected) < 8.64e15 ? new Date(corrected).toISOString() : originalTimestamp;
  return { timestamp, originalTimestamp };
}

/** What `Date.prototype.toISOString` produces for years 0–9999. */
const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
