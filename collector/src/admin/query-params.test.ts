import { describe, expect, it } from 'vitest';
import { ApiError } from '../http/errors';
import { cursorParam, dateParam, idKindParam, limitParam, rangeParams } from './query-params';

const status = (fn: () => unknown) => {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return err instanceof ApiError ? err.status : `threw ${String(err)}`;
  }
};

describe('admin query parameters', () => {
  it('turns every date outside 1970–9999 into a 400, including the ends of what Date holds', () => {
    for (const bad of [
      '+275760-09-13',
      '+275760-09-13T00:00:00.000Z',
      '99999-01-01',
      '+099999-01-01',
      '-271821-04-20',
      '-000001-01-01',
      '0000-01-01',
      '1969-12-31T23:59:59Z',
      'notadate',
      '10000-01-01',
    ]) {
      expect(
        status(() => dateParam(bad, 'since')),
        bad,
      ).toBe(400);
    }
    expect(dateParam('2026-01-31', 'since')).toBe('2026-01-31T00:00:00.000Z');
    expect(dateParam('1970-01-01T00:00:00Z', 'since')).toBe('1970-01-01T00:00:00.000Z');
    expect(dateParam('9999-12-31T23:59:59.999Z', 'since')).toBe('9999-12-31T23:59:59.999Z');
    expect(dateParam('', 'since')).toBeUndefined();
    expect(dateParam(undefined, 'since')).toBeUndefined();
  });

  it('takes only ISO 8601 dates, never what Date.parse would quietly read as another moment', () => {
    for (const bad of [
      '0',
      '-1',
      '1e20',
      '2026',
      '2026-1-5',
      '2026-02-30',
      '2026-02-29',
      '2026-13-01',
      '2026-00-10',
      '2026-01-31T24:00',
      '2026-01-31T10:61',
      '2026-01-31T10:00:60Z',
      '2026-01-31T10:00+25:00',
      '1/2/2026',
      'Jan 2 2026',
      'Sat, 31 Jan 2026 00:00:00 GMT',
      '2026-01-31 10:00',
      ' 2026-01-31',
      'yesterday',
    ]) {
      expect(
        status(() => dateParam(bad, 'since')),
        bad,
      ).toBe(400);
    }
    expect(dateParam('2024-02-29', 'since')).toBe('2024-02-29T00:00:00.000Z');
    expect(dateParam('2026-01-31T10:00', 'since')).toBe('2026-01-31T10:00:00.000Z');
    expect(dateParam('2026-01-31t10:00:00.123456z', 'since')).toBe('2026-01-31T10:00:00.123Z');
    expect(dateParam('2026-01-31T10:00:00+02:00', 'since')).toBe('2026-01-31T08:00:00.000Z');
    expect(dateParam('2026-01-31T10:00:00-0130', 'since')).toBe('2026-01-31T11:30:00.000Z');
    // "+02:00" sent without encoding its plus.
    expect(dateParam('2026-01-31T10:00:00 02:00', 'since')).toBe('2026-01-31T08:00:00.000Z');
  });

  it('keeps the statistics range in order and within the same years', () => {
    const now = Date.parse('2026-05-01T12:00:00Z');
    expect(rangeParams(undefined, undefined, now)).toEqual({ from: '2026-04-24T12:00:00.000Z', to: '2026-05-01T12:00:00.000Z' });
    // A far-future `from` used to pass "from before to" as a string ("+275760" < "2026").
    expect(status(() => rangeParams('+275760-09-13', undefined, now))).toBe(400);
    expect(status(() => rangeParams(undefined, '-271821-04-20', now))).toBe(400);
    expect(status(() => rangeParams('2026-05-02', '2026-05-01', now))).toBe(400);
    // The default `from` a week before an early `to` never leaves the range.
    expect(rangeParams(undefined, '1970-01-02', now).from).toBe('1970-01-01T00:00:00.000Z');
  });

  it('accepts only plain integers for limit and cursor', () => {
    for (const bad of ['0', '-1', 'abc', '1e3', '0x10', '10001', ' 5', '5.0', ''])
      expect(
        status(() => limitParam(bad, 100)),
        bad,
      ).toBe(400);
    expect(limitParam(undefined, 100)).toBe(100);
    expect(limitParam('10000', 100)).toBe(10_000);
    for (const bad of ['x1', '-1', '1.5', '1234567890123456', ''])
      expect(
        status(() => cursorParam(bad)),
        bad,
      ).toBe(400);
    expect(cursorParam('42')).toBe(42);
  });

  it('knows the two kinds of id', () => {
    expect(idKindParam('user')).toBe('user');
    expect(idKindParam('anonymous')).toBe('anonymous');
    expect(idKindParam(undefined)).toBeUndefined();
    expect(status(() => idKindParam('email'))).toBe(400);
  });
});
