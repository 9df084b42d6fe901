import { describe, expect, it } from 'vitest';
import { parseStoredId } from '../../src/identity';
import { continueSession, parseSession, SESSION_TIMEOUT_MS } from '../../src/session';

describe('parseStoredId (adopting Segment ids)', () => {
  it('reads analytics.js JSON-quoted ids, as in localStorage and (decoded) in its cookie', () => {
    expect(parseStoredId('"6f0e2a8c-95a1-4d3b-8e7f-1a2b3c4d5e6f"')).toBe('6f0e2a8c-95a1-4d3b-8e7f-1a2b3c4d5e6f');
    expect(parseStoredId(decodeURIComponent('%22abc-123%22'))).toBe('abc-123');
  });
  it('reads bare ids, as older versions and our own cookie hold them', () => {
    expect(parseStoredId('abc-123')).toBe('abc-123');
  });
  it('refuses what is not a usable id', () => {
    for (const raw of [undefined, null, '', '""', 'null', '"null"', 'undefined', '"unterminated', '{"a":1}', '42x'.repeat(100)]) {
      expect(parseStoredId(raw as string)).toBeUndefined();
    }
    expect(parseStoredId('123')).toBe('123');
  });
});

describe('sessions', () => {
  const t0 = Date.parse('2026-03-01T10:00:00Z');
  let n = 0;
  const newId = () => `s${++n}`;

  it('continues while the last activity is under 30 minutes old', () => {
    const session = continueSession({ id: 'a', last: t0 }, t0 + SESSION_TIMEOUT_MS - 1, newId);
    expect(session).toEqual({ id: 'a', last: t0 + SESSION_TIMEOUT_MS - 1 });
  });

  it('starts a new one after 30 minutes without activity', () => {
    expect(continueSession({ id: 'a', last: t0 }, t0 + SESSION_TIMEOUT_MS, newId).id).not.toBe('a');
    expect(continueSession(undefined, t0, newId)).toEqual({ id: expect.stringMatching(/^s\d+$/), last: t0 });
  });

  it('survives a clock that went back a little, not a lot', () => {
    expect(continueSession({ id: 'a', last: t0 }, t0 - 60_000, newId)).toEqual({ id: 'a', last: t0 });
    expect(continueSession({ id: 'a', last: t0 }, t0 - 2 * SESSION_TIMEOUT_MS, newId).id).not.toBe('a');
  });

  it('reads what it stored and nothing else', () => {
    expect(parseSession('0b7c-44.1767262000000')).toEqual({ id: '0b7c-44', last: 1767262000000 });
    for (const raw of [null, '', 'abc', 'a.b', '.123', 'x y.1', `${'a'.repeat(65)}.1`]) expect(parseSession(raw)).toBeUndefined();
  });
});
