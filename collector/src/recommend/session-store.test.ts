import { describe, expect, it } from 'vitest';
import { migrate } from '../lib/migrate';
import { openSqlJs } from '../lib/sqljs-sql';
import { SHOP_MIGRATIONS } from '../shop/shop-model';
import { RING, sessionKey, SessionStore } from './session-store';

async function store() {
  const { sql, transaction, counters } = await openSqlJs();
  migrate(sql, SHOP_MIGRATIONS);
  const sessions = new SessionStore(sql);
  const batch = (fn: () => void) =>
    transaction(() => {
      sessions.begin();
      fn();
      sessions.flush();
    });
  const count = (table: string) => sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).one().n;
  return { sql, sessions, batch, counters, count };
}

/** Views a session's products one by one, as the profile would list them after each view. */
function view(sessions: SessionStore, profileId: string, sessionId: string, products: string[], at = 1000) {
  const key = sessionKey(profileId, sessionId);
  const seen: string[] = [];
  for (const productId of products) {
    const i = seen.indexOf(productId);
    if (i >= 0) seen.splice(i, 1);
    seen.push(productId);
    sessions.noteView(key, profileId, productId, seen, at);
  }
  return key;
}

describe('SessionStore', () => {
  it("keeps each session's products in the order last viewed, and each product's sessions newest first", async () => {
    const { sessions, batch } = await store();
    let first = '';
    let second = '';
    batch(() => {
      first = view(sessions, 'p1', 's1', ['a', 'b', 'a']);
    });
    batch(() => {
      second = view(sessions, 'p2', 's1', ['b', 'c'], 2000);
    });
    expect(sessions.ringsOf(['a', 'b', 'c', 'zzz'])).toEqual(
      new Map([
        ['a', [first]],
        ['b', [second, first]],
        ['c', [second]],
      ]),
    );
    const rows = sessions.sessions([first, second, 'missing']).sort((x, y) => x.at - y.at);
    expect(rows).toEqual([
      { key: first, at: 1000, products: ['b', 'a'] },
      { key: second, at: 2000, products: ['b', 'c'] },
    ]);
  });

  it('names no one in a ring: keys are digests of the profile and session ids', () => {
    const key = sessionKey('7a1e0c3e-0000-4000-8000-000000000001', 's1700000000000');
    expect(key).not.toContain('7a1e0c3e');
    expect(key).toBe(sessionKey('7a1e0c3e-0000-4000-8000-000000000001', 's1700000000000'));
    expect(key).not.toBe(sessionKey('7a1e0c3e-0000-4000-8000-000000000001', 's1700000000001'));
  });

  it('remembers at most RING sessions per product, and drops a session no ring holds any more', async () => {
    const { sessions, batch, count } = await store();
    // Session 0 views "popular" and its own "rare"; then RING more sessions view "popular" only.
    batch(() => view(sessions, 'p', 's0', ['popular', 'rare']));
    for (let s = 1; s <= RING; s++) batch(() => view(sessions, 'p', `s${s}`, ['popular'], 1000 + s));
    expect(sessions.ringsOf(['popular']).get('popular')).toHaveLength(RING);
    // Session 0 left the popular ring but "rare" still holds it.
    expect(sessions.sessions([sessionKey('p', 's0')])).toHaveLength(1);
    expect(count('recent_sessions')).toBe(RING + 1);

    // One more session evicts s1, which nothing else holds: its row goes.
    batch(() => view(sessions, 'p', `s${RING + 1}`, ['popular'], 5000));
    expect(sessions.sessions([sessionKey('p', 's1')])).toEqual([]);
    expect(count('recent_sessions')).toBe(RING + 1);
  });

  it('writes a bounded number of rows per view', async () => {
    const { sessions, batch, counters } = await store();
    batch(() => view(sessions, 'p', 'warm', ['a', 'b']));
    const before = counters.rowsWritten;
    batch(() => view(sessions, 'p', 's', ['a']));
    // The session row and the product's ring.
    expect(counters.rowsWritten - before).toBe(2);
    const again = counters.rowsWritten;
    batch(() => view(sessions, 'p', 's', ['a', 'b', 'a'].slice(1)));
    // A new product: its ring and the session row; a repeat view: the session row only (combined in one batch).
    expect(counters.rowsWritten - again).toBe(2);
  });

  it("forgets an erased profile's sessions and their keys in the rings", async () => {
    const { sessions, batch, count } = await store();
    let gone = '';
    let kept = '';
    batch(() => {
      gone = view(sessions, 'erased', 's1', ['a', 'b']);
      kept = view(sessions, 'other', 's1', ['a']);
    });
    batch(() => sessions.forgetProfiles(['erased']));
    expect(sessions.ringsOf(['a', 'b'])).toEqual(
      new Map([
        ['a', [kept]],
        ['b', []],
      ]),
    );
    expect(sessions.sessions([gone, kept]).map((s) => s.key)).toEqual([kept]);
    expect(count('recent_sessions')).toBe(1);
  });

  it('forgets a batch that failed before it was flushed', async () => {
    const { sessions, batch } = await store();
    sessions.noteView('k', 'p', 'a', ['a'], 1);
    batch(() => view(sessions, 'p', 's', ['b']));
    expect(sessions.ringsOf(['a'])).toEqual(new Map());
  });

  it("reads rings and sessions from SQLite once, and sees each batch's changes at once", async () => {
    const { sessions, batch, counters } = await store();
    let first = '';
    let second = '';
    batch(() => {
      first = view(sessions, 'p1', 's1', ['a', 'b']);
      second = view(sessions, 'p2', 's1', ['b'], 2000);
    });
    const read = () => ({ rings: sessions.ringsOf(['a', 'b', 'none']), rows: sessions.sessions([second, first, 'gone']) });
    const before = read();
    const rowsRead = counters.rowsRead;
    expect(read()).toEqual(before);
    expect(counters.rowsRead).toBe(rowsRead);
    // In the order of their keys, cached or not.
    expect(before.rows.map((r) => r.key)).toEqual([first, second].sort());

    // The second session views "c", then "a": its row and the rings of "a" and "c" change.
    batch(() => view(sessions, 'p2', 's1', ['b', 'c', 'a'], 3000));
    const after = read();
    expect(after.rings.get('a')).toEqual([second, first]);
    expect(after.rings.get('b')).toEqual(before.rings.get('b'));
    expect(after.rows.find((r) => r.key === second)).toEqual({ key: second, at: 3000, products: ['b', 'c', 'a'] });
    expect(sessions.ringsOf(['c']).get('c')).toEqual([second]);

    // An erasure forgets what was read before it.
    batch(() => sessions.forgetProfiles(['p1']));
    expect(sessions.ringsOf(['a']).get('a')).toEqual([second]);
    expect(sessions.sessions([first])).toEqual([]);
  });

  it('hands out frozen rings and sessions, so no caller can change what the next request reads', async () => {
    const { sessions, batch } = await store();
    let key = '';
    batch(() => {
      key = view(sessions, 'p', 's', ['a']);
    });
    expect(Object.isFrozen(sessions.ringsOf(['a']).get('a'))).toBe(true);
    const [row] = sessions.sessions([key]);
    expect(Object.isFrozen(row)).toBe(true);
    expect(Object.isFrozen(row!.products)).toBe(true);
  });
});
