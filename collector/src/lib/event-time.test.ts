import { describe, expect, it } from 'vitest';
import { eventTimeMs, FUTURE_TOLERANCE_MS } from './event-time';

describe('eventTimeMs', () => {
  const receivedAt = '2026-04-01T12:00:00.000Z';
  const received = Date.parse(receivedAt);

  it('counts a future timestamp (a clock 30 days fast) at receivedAt plus the tolerance', () => {
    const fast = new Date(received + 30 * 86_400_000).toISOString();
    expect(eventTimeMs({ timestamp: fast, receivedAt })).toBe(received + FUTURE_TOLERANCE_MS);
    expect(eventTimeMs({ timestamp: '2100-01-01T00:00:00.000Z', receivedAt })).toBe(received + FUTURE_TOLERANCE_MS);
  });

  it('keeps past timestamps and a small skew as they are', () => {
    expect(eventTimeMs({ timestamp: '2026-04-01T11:00:00.000Z', receivedAt })).toBe(received - 3_600_000);
    expect(eventTimeMs({ timestamp: '2026-04-01T12:01:00.000Z', receivedAt })).toBe(received + 60_000);
  });
});
