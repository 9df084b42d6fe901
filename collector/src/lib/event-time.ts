/**
 * The time an event counts at in profiles, aggregates and rankings. The
 * stored message keeps the timestamp its sender gave (skew-corrected when it
 * sent `sentAt`), but a timestamp after the collector received the event is
 * a fast clock or a forgery: counted as given, an event "from next month"
 * would outrank everything until then, for every visitor. So an event counts
 * at no later than its receivedAt plus a small tolerance.
 */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;

export function eventTimeMs(message: { timestamp: string; receivedAt: string }): number {
  const at = Date.parse(message.timestamp);
  const received = Date.parse(message.receivedAt);
  if (Number.isNaN(received)) return at;
  if (Number.isNaN(at)) return received;
  return Math.min(at, received + FUTURE_TOLERANCE_MS);
}
