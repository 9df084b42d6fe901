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
  const sent = sentAt ? Date.parse(sentAt) : NaN;
  const originalTimestamp = new Date(original).toISOString();
  if (Number.isNaN(sent)) return { timestamp: originalTimestamp, originalTimestamp };
  const corrected = receivedAtMs - (sent - original);
  // A corrected time outside what Date can hold means the client's clock data is garbage.
  const timestamp = Number.isFinite(corrected) && Math.abs(corrected) < 8.64e15 ? new Date(corrected).toISOString() : originalTimestamp;
  return { timestamp, originalTimestamp };
}
