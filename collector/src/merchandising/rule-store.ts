/**
 * A site's merchandising rules in D1 (migration 0024), and the copy each
 * isolate serves recommendations from. The copy is read again once it is
 * older than RULES_TTL_MS (behind the request that finds it so, which is
 * served the copy), never served older than RULES_MAX_AGE_MS, and dropped at
 * once in the isolate that changed the rules: so a change takes effect
 * everywhere within RULES_MAX_AGE_MS plus one read, and a recommendation
 * request reads D1 at most once a second per isolate and site, and while
 * requests keep coming, none waits for it.
 */
import type { Rule, RuleBody } from '@trailmark/schema';

export const RULES_TTL_MS = 1000;
/** Never served older than this: past it a request waits for D1 (rules take effect within 2 s, contract section 9). */
export const RULES_MAX_AGE_MS = 1500;

interface Row {
  id: string;
  rule: string;
  created_at: string;
  updated_at: string;
  [column: string]: unknown;
}

const fromRow = (row: Row): Rule => ({ ...(JSON.parse(row.rule) as RuleBody), id: row.id, createdAt: row.created_at, updatedAt: row.updated_at });

export async function listRules(db: D1Database, writeKey: string): Promise<Rule[]> {
  const { results } = await db.prepare('SELECT id, rule, created_at, updated_at FROM merch_rules WHERE write_key = ? ORDER BY id').bind(writeKey).all<Row>();
  return results.map(fromRow);
}

export async function countRules(db: D1Database, writeKey: string): Promise<number> {
  return (await db.prepare('SELECT COUNT(*) AS n FROM merch_rules WHERE write_key = ?').bind(writeKey).first<{ n: number }>())?.n ?? 0;
}

export async function findRule(db: D1Database, writeKey: string, id: string): Promise<Rule | null> {
  const row = await db.prepare('SELECT id, rule, created_at, updated_at FROM merch_rules WHERE write_key = ? AND id = ?').bind(writeKey, id).first<Row>();
  return row ? fromRow(row) : null;
}

/** Creates or replaces a rule; its creation time is kept. */
export async function saveRule(db: D1Database, writeKey: string, id: string, body: RuleBody, nowIso: string): Promise<Rule> {
  await db
    .prepare(
      `INSERT INTO merch_rules (write_key, id, rule, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)
       ON CONFLICT (write_key, id) DO UPDATE SET rule = ?3, updated_at = ?4`,
    )
    .bind(writeKey, id, JSON.stringify(body), nowIso)
    .run();
  cache.delete(writeKey);
  lastRead.delete(writeKey);
  return (await findRule(db, writeKey, id))!;
}

export async function deleteRule(db: D1Database, writeKey: string, id: string): Promise<boolean> {
  const result = await db.prepare('DELETE FROM merch_rules WHERE write_key = ? AND id = ?').bind(writeKey, id).run();
  cache.delete(writeKey);
  lastRead.delete(writeKey);
  return (result.meta.changes ?? 0) > 0;
}

const cache = new Map<string, { rules: Promise<Rule[]>; readAt: number }>();
/** The last rules read for a site: served if a later read fails, rather than none. */
const lastRead = new Map<string, Rule[]>();
/** Sites whose rules are being read again behind the copy served meanwhile. */
const refreshing = new Set<string>();

/**
 * The site's rules as this isolate saw them at most RULES_TTL_MS ago (one
 * read shared by concurrent requests), or, while a fresh read is under way,
 * at most RULES_MAX_AGE_MS ago: a copy past RULES_TTL_MS is read again
 * behind the request that finds it (`waitUntil` keeps that read alive), so
 * under steady traffic no request waits for D1, and a change still takes
 * effect within RULES_MAX_AGE_MS plus one read. If D1 cannot be read, the
 * last rules read are served; with none, the read's error is thrown.
 */
export function siteRules(db: D1Database, writeKey: string, nowMs = Date.now(), waitUntil?: (read: Promise<unknown>) => void): Promise<Rule[]> {
  const hit = cache.get(writeKey);
  if (hit && nowMs - hit.readAt < RULES_TTL_MS) return hit.rules;
  if (hit && nowMs - hit.readAt < RULES_MAX_AGE_MS && lastRead.has(writeKey)) {
    if (!refreshing.has(writeKey)) {
      refreshing.add(writeKey);
      const read = readRules(db, writeKey, nowMs).finally(() => refreshing.delete(writeKey));
      waitUntil?.(read.catch(() => undefined));
    }
    return hit.rules;
  }
  return readRules(db, writeKey, nowMs);
}

function readRules(db: D1Database, writeKey: string, nowMs: number): Promise<Rule[]> {
  const entry = {
    rules: listRules(db, writeKey).then(
      (rules) => (lastRead.set(writeKey, rules), rules),
      (err: unknown) => {
        // A failed read is not kept: the next request reads again.
        if (cache.get(writeKey) === entry) cache.delete(writeKey);
        const last = lastRead.get(writeKey);
        if (last) return last;
        throw err;
      },
    ),
    readAt: nowMs,
  };
  const current = cache.get(writeKey);
  // Read behind a copy still served: it replaces that copy once it has the rules, not before.
  if (current && lastRead.has(writeKey) && nowMs - current.readAt < RULES_MAX_AGE_MS) {
    void entry.rules.then(
      () => {
        if (cache.get(writeKey) === current) cache.set(writeKey, entry);
      },
      () => undefined,
    );
  } else {
    cache.set(writeKey, entry);
  }
  return entry.rules;
}
