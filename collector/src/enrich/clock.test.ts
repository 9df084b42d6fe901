import { describe, expect, it } from 'vitest';
import { correctedTimes } from './clock';

const receivedAt = '2026-04-01T12:00:00.000Z';
const received = Date.parse(receivedAt);

describe('correctedTimes', () => {
  it('corrects a skewed clock from sentAt and keeps what the client said', () => {
    // The client's clock is an hour behind; it recorded the event 2 s before sending it.
    expect(correctedTimes('2026-04-01T11:00:00.000Z', '2026-04-01T11:00:02.000Z', received)).toEqual({
      timestamp: '2026-04-01T11:59:58.000Z',
      originalTimestamp: '2026-04-01T11:00:00.000Z',
    });
    expect(correctedTimes('2026-04-01T11:00:00Z', undefined, received)).toEqual({
      timestamp: '2026-04-01T11:00:00.000Z',
      originalTimestamp: '2026-04-01T11:00:00.000Z',
    });
    expect(correctedTimes(undefined, undefined, received)).toEqual({ timestamp: receivedAt });
  });

  it('stores only timestamps in the years an admin query can name, whatever the clock data says', () => {
    const cases: [string, string | undefined, string][] = [
      // No sentAt: a timestamp out of range gives receivedAt.
      ['+275760-09-13T00:00:00.000Z', undefined, receivedAt],
      ['0000-01-01T00:00:00.000Z', undefined, receivedAt],
      ['-000001-01-01T00:00:00Z', undefined, receivedAt],
      ['1969-12-31T23:59:59.999Z', undefined, receivedAt],
      // A sentAt that corrects the time out of range: the timestamp alone, if it is in range.
      ['2026-03-01T00:00:00.000Z', '-271821-04-20T00:00:00Z', '2026-03-01T00:00:00.000Z'],
      ['2026-03-01T00:00:00.000Z', '9999-12-31T00:00:00Z', '2026-03-01T00:00:00.000Z'],
      // Both out of range, or a correction that lands before 1970.
      ['+275760-09-13T00:00:00.000Z', '2026-04-01T12:00:00Z', receivedAt],
      ['1970-01-01T00:00:00.000Z', '2100-01-01T00:00:00Z', '1970-01-01T00:00:00.000Z'],
    ];
    for (const [timestamp, sentAt, expected] of cases) {
      const times = correctedTimes(timestamp, sentAt, received);
      expect(times.timestamp, `${timestamp} sent ${sentAt}`).toBe(expected);
      expect(Date.parse(times.originalTimestamp!), `${timestamp}: original kept`).toBe(Date.parse(timestamp));
    }
  });

  it('keeps the edges of the storable years', () => {
    expect(correctedTimes('1970-01-01T00:00:00.000Z', undefined, received).timestamp).toBe('1970-01-01T00:00:00.000Z');
    expect(correctedTimes('9999-12-31T23:59:59.999Z', undefined, received).timestamp).toBe('9999-12-31T23:59:59.999Z');
  });
});
