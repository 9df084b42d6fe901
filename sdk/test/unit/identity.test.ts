import { describe, expect, it } from 'vitest';
import { keptUserHash, parseStoredId } from '../../src/identity';
import { continueSession, createSession, SESSION_TIMEOUT_MS } from '../../src/session';

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
    expect(continueSession(`a.${t0}`, t0 + SESSION_TIMEOUT_MS - 1, newId)).toEqual(['a', t0]);
  });

  it('starts a new one after 30 minutes without activity', () => {
    expect(continueSession(`a.${t0}`, t0 + SESSION_TIMEOUT_MS, newId)[0]).not.toBe('a');
    expect(continueSession(null, t0, newId)).toEqual([expect.stringMatching(/^s\d+$/), t0]);
  });

  it('survives a clock that went back a little, not a lot', () => {
    expect(continueSession(`a.${t0}`, t0 - 60_000, newId)).toEqual(['a', t0]);
    expect(continueSession(`a.${t0}`, t0 - 2 * SESSION_TIMEOUT_MS, newId)[0]).not.toBe('a');
  });

  it('starts a new one when what is stored is damaged', () => {
    for (const raw of [null, '', 'abc', 'a.b', '.123', `a.${t0}x`, `${t0}`, 'undefined']) {
      expect(continueSession(raw, t0, newId)[0], String(raw)).toMatch(/^s\d+$/);
    }
  });

  it('keeps the session across tabs, forgets it on reset, and stores only when allowed', () => {
    const stored = new Map<string, string>();
    const storage = {
      getItem: (k: string) => stored.get(k) ?? null,
      setItem: (k: string, v: string) => stored.set(k, v),
      removeItem: (k: string) => stored.delete(k),
    };
    (globalThis as { localStorage?: unknown }).localStorage = storage;
    try {
      let allowed = false;
      const clock = createSession(() => allowed);
      const first = clock(t0);
      expect(stored.size).toBe(0); // nothing stored before consent
      allowed = true;
      expect(clock(t0 + 1000)).toBe(first);
      expect(stored.get('tm_sid')).toBe(`${first}.${t0 + 1000}`);
      // Another tab kept it alive: a clock that last saw it 40 minutes ago still continues it.
      stored.set('tm_sid', `${first}.${t0 + 39 * 60_000}`);
      expect(clock(t0 + 40 * 60_000)).toBe(first);
      clock(0);
      expect(stored.has('tm_sid')).toBe(false);
      expect(clock(t0 + 41 * 60_000)).not.toBe(first);
    } finally {
      delete (globalThis as { localStorage?: unknown }).localStorage;
    }
  });
});

describe('keptUserHash', () => {
  it("gives identify's userHash for the userId it proves only, and nothing for damaged storage", () => {
    const stored = new Map<string, string>();
    (globalThis as { localStorage?: unknown }).localStorage = { getItem: (k: string) => stored.get(k) ?? null };
    try {
      expect(keptUserHash('u-1')).toBeUndefined();
      stored.set('tm_uh', JSON.stringify(['u-1', 'ab12']));
      expect(keptUserHash('u-1')).toBe('ab12');
      expect(keptUserHash('u-2')).toBeUndefined();
      for (const damaged of ['{', '"ab12"', '{"0":"u-1","1":"ab12"}', '["u-1",12]', 'null']) {
        stored.set('tm_uh', damaged);
        expect(keptUserHash('u-1'), damaged).toBeUndefined();
      }
    } finally {
      delete (globalThis as { localStorage?: unknown }).localStorage;
    }
  });
});
