import { describe, expect, it } from 'vitest';
import { RULES_MAX_AGE_MS, RULES_TTL_MS, siteRules } from './rule-store';

/** Just enough of D1 for the read path: the rows another isolate may have changed, and a count of reads. */
function fakeDb(rows: { id: string; rule: string }[]) {
  const db = {
    reads: 0,
    prepare: () => ({
      bind: () => ({
        all: async () => {
          db.reads++;
          return { results: rows.map((r) => ({ ...r, created_at: 't', updated_at: 't' })) };
        },
      }),
    }),
  };
  return db;
}

describe('the rules an isolate serves', () => {
  it('reads D1 at most once per second and site, behind the request, and serves a change made elsewhere within RULES_MAX_AGE_MS', async () => {
    const rows = [{ id: 'a', rule: JSON.stringify({ slots: ['home'], action: 'exclude', products: ['x'] }) }];
    const db = fakeDb(rows);
    const d1 = db as unknown as D1Database;
    const t0 = 1_000_000;
    expect((await siteRules(d1, 'ttl-site', t0)).map((r) => r.id)).toEqual(['a']);
    await Promise.all([siteRules(d1, 'ttl-site', t0 + 10), siteRules(d1, 'ttl-site', t0 + RULES_TTL_MS - 1)]);
    expect(db.reads).toBe(1);

    rows.push({ id: 'b', rule: JSON.stringify({ slots: ['home'], action: 'pin', products: ['y'] }) }); // another isolate's PUT
    expect((await siteRules(d1, 'ttl-site', t0 + RULES_TTL_MS - 1)).map((r) => r.id)).toEqual(['a']);
    // Past the TTL the request is served the copy at once, and the rules are read again behind it (once).
    const behind: Promise<unknown>[] = [];
    expect((await siteRules(d1, 'ttl-site', t0 + RULES_TTL_MS, (read) => behind.push(read))).map((r) => r.id)).toEqual(['a']);
    expect((await siteRules(d1, 'ttl-site', t0 + RULES_TTL_MS + 1, (read) => behind.push(read))).map((r) => r.id)).toEqual(['a']);
    expect(behind).toHaveLength(1);
    await Promise.all(behind);
    expect(db.reads).toBe(2);
    expect((await siteRules(d1, 'ttl-site', t0 + RULES_TTL_MS + 2)).map((r) => r.id)).toEqual(['a', 'b']);
  });

  it('never serves a copy older than RULES_MAX_AGE_MS: the request waits for D1', async () => {
    const rows = [{ id: 'a', rule: JSON.stringify({ slots: ['home'], action: 'exclude', products: ['x'] }) }];
    const db = fakeDb(rows);
    const d1 = db as unknown as D1Database;
    expect((await siteRules(d1, 'idle-site', 0)).map((r) => r.id)).toEqual(['a']);
    rows.push({ id: 'b', rule: JSON.stringify({ slots: ['home'], action: 'pin', products: ['y'] }) });
    expect(RULES_MAX_AGE_MS).toBeLessThan(2000);
    expect((await siteRules(d1, 'idle-site', RULES_MAX_AGE_MS)).map((r) => r.id)).toEqual(['a', 'b']);
    expect(db.reads).toBe(2);
  });

  it('serves the last rules read while D1 cannot be read', async () => {
    let fail = false;
    const d1 = {
      prepare: () => ({
        bind: () => ({
          all: async () =>
            fail ? Promise.reject(new Error('D1 down')) : { results: [{ id: 'a', rule: '{"slots":["*"],"action":"exclude","products":["x"]}' }] },
        }),
      }),
    } as unknown as D1Database;
    expect((await siteRules(d1, 'stale-site', 0)).map((r) => r.id)).toEqual(['a']);
    fail = true;
    expect((await siteRules(d1, 'stale-site', RULES_TTL_MS * 5)).map((r) => r.id)).toEqual(['a']);
  });

  it('does not keep a failed read', async () => {
    let fail = true;
    const d1 = {
      prepare: () => ({ bind: () => ({ all: async () => (fail ? Promise.reject(new Error('D1 down')) : { results: [] }) }) }),
    } as unknown as D1Database;
    await expect(siteRules(d1, 'flaky-site', 5)).rejects.toThrow('D1 down');
    await new Promise((r) => setTimeout(r, 0));
    fail = false;
    expect(await siteRules(d1, 'flaky-site', 6)).toEqual([]);
  });
});
