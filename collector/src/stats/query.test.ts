import { describe, expect, it } from 'vitest';
import { DAY_MS, previousRange, readFilters, readRange, readStage, readSteps, readWindow, hoursOf, QueryError } from './query';

const q = (values: Record<string, string>) => (name: string) => values[name];

describe('statistics query strings', () => {
  it('read a period, defaulting to the last seven days, and the one before it', () => {
    const now = Date.UTC(2026, 2, 10, 12);
    expect(readRange(q({}), now)).toEqual({ fromMs: now - 7 * DAY_MS, toMs: now });
    const range = readRange(q({ from: '2026-03-01T00:00:00Z', to: '2026-03-08T00:00:00Z' }), now);
    expect(previousRange(range)).toEqual({ fromMs: Date.UTC(2026, 1, 22), toMs: Date.UTC(2026, 2, 1) });
    expect(hoursOf({ fromMs: Date.UTC(2026, 0, 1, 0, 30), toMs: Date.UTC(2026, 0, 1, 2, 1) })).toEqual({
      from: Date.UTC(2026, 0, 1) / 3_600_000,
      to: Date.UTC(2026, 0, 1, 3) / 3_600_000,
    });
  });

  it('say what to send instead of a bad value', () => {
    expect(() => readRange(q({ from: 'yesterday' }), 0)).toThrow(/from must be an ISO 8601 date/);
    expect(() => readRange(q({ from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }), 0)).toThrow(/before/);
    expect(() => readRange(q({ from: '2020-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }), 0)).toThrow(/400 days/);
    expect(() => readFilters(q({ visitor: 'sometimes' }))).toThrow(/visitor must be one of new, returning/);
    expect(() => readWindow('1y')).toThrow(QueryError);
    expect(() => readWindow('0m')).toThrow(/from 1m to 90d/);
    expect(() => readSteps(['Only one'])).toThrow(/2 to 8 steps/);
  });

  it('read filters, windows and steps', () => {
    expect(readFilters(q({ country: 'DE', variant: 'none', planet: 'Mars' }))).toEqual({ country: 'DE', variant: 'none' });
    expect(readWindow(undefined)).toBe(DAY_MS);
    expect(readWindow('30m')).toBe(30 * 60_000);
    expect(readWindow('7d')).toBe(7 * DAY_MS);
    expect(readSteps(undefined)).toEqual(['Product Viewed', 'Product Added', 'Checkout Started', 'Order Completed']);
    expect(readSteps(['$page', 'Order Completed'])).toEqual(['$page', 'Order Completed']);
  });

  it('read a lifecycle stage in either spelling of at risk', () => {
    expect(readStage('at-risk')).toBe('at-risk');
    expect(readStage('at_risk')).toBe('at-risk');
    expect(readStage('sleeping')).toBe('sleeping');
    expect(() => readStage('asleep')).toThrow(/stage must be one of new, active, at-risk, sleeping, lapsed/);
    expect(() => readStage(undefined)).toThrow(QueryError);
  });
});
