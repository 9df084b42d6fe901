/**
 * The SQL each dashboard panel sends to D1, with its parameters written in,
 * as a script for the SQLite shell: read query plans, or time the panels on
 * a copy of a state's database without the server, the HTTP and whatever
 * else the machine is doing in between (`user` is the CPU the statements
 * took). Statements that depend on an earlier answer are left out (a fake
 * D1 answers nothing); every panel's heavy statements go in the first round.
 *
 *   tsx bench/dashboard-sql.ts [--days 7] [--device mobile] > panels.sql
 *   (echo .timer on; cat panels.sql) | sqlite3 -readonly STATE/v3/d1/miniflare-D1DatabaseObject/<hash>.sqlite
 */
import { parseArgs } from 'node:util';
import type { StatsFilters } from '@trailmark/schema';
import { breakdownStats } from '../collector/src/stats/breakdown';
import { statsContext } from '../collector/src/stats/context';
import { funnelStats } from '../collector/src/stats/funnel';
import { lifecycleStats } from '../collector/src/stats/lifecycle';
import { overviewStats } from '../collector/src/stats/overview';
import { funnelStepPeople, lifecyclePeople } from '../collector/src/stats/people';
import { DEFAULT_FUNNEL } from '../collector/src/stats/query';
import { retentionStats } from '../collector/src/stats/retention';
import { searchStats } from '../collector/src/stats/search';
import { slotsStats } from '../collector/src/stats/slots';
import { readStats } from '../collector/src/storage/stats';

/** The collector's D1 binding type, as the statistics modules take it. */
type D1Database = Parameters<typeof statsContext>[0];

const DAY_MS = 86_400_000;
const THRESHOLDS = { activeDays: 14, atRiskDays: 30, lapsedDays: 90 };

/** A statement as SQL text with its ?N parameters written in as literals. */
export function inlineParameters(sql: string, values: unknown[]): string {
  const literal = (v: unknown) => (v === null || v === undefined ? 'NULL' : typeof v === 'number' ? String(v) : `'${String(v).replaceAll("'", "''")}'`);
  let next = 0;
  // A bare ? takes the next value in order, as SQLite numbers them.
  return sql.replace(/\?(\d+)?/g, (_, n: string | undefined) => literal(values[n === undefined ? next++ : Number(n) - 1]));
}

/** A D1 that writes down what it is asked and answers with nothing (and with the lifecycle thresholds already in place). */
function recordingD1(statements: string[]): D1Database {
  const prepared = (sql: string, values: unknown[] = []) => ({
    sql,
    values,
    bind: (...bound: unknown[]) => prepared(sql, bound),
    async first() {
      statements.push(inlineParameters(sql, values));
      return sql.includes('stats_lifecycle_basis')
        ? { active_days: THRESHOLDS.activeDays, at_risk_days: THRESHOLDS.atRiskDays, lapsed_days: THRESHOLDS.lapsedDays }
        : null;
    },
    async all() {
      statements.push(inlineParameters(sql, values));
      return { results: [], success: true, meta: { duration: 0 } };
    },
    async run() {
      return this.all();
    },
  });
  return {
    prepare: (sql: string) => prepared(sql),
    async batch(list: { sql: string; values: unknown[] }[]) {
      return list.map((s) => {
        statements.push(inlineParameters(s.sql, s.values));
        return { results: [], success: true, meta: { duration: 0 } };
      });
    },
  } as unknown as D1Database;
}

export async function panelStatements({
  days,
  filters = {},
  writeKey = 'demo-write-key',
  now = Date.now(),
}: {
  days: number;
  filters?: StatsFilters;
  writeKey?: string;
  now?: number;
}) {
  const spec = { steps: [...DEFAULT_FUNNEL], windowMs: DAY_MS };
  const panels: [string, (db: D1Database) => Promise<unknown>][] = [
    ['overview', (db) => overviewStats(ctx(db))],
    ['traffic by source', (db) => breakdownStats(ctx(db), 'source')],
    ['new vs returning', (db) => breakdownStats(ctx(db), 'visitor')],
    ['funnel', (db) => funnelStats(ctx(db), spec)],
    ['funnel by device', (db) => funnelStats(ctx(db), spec, 'device')],
    ['funnel step people', (db) => funnelStepPeople(ctx(db), spec, 3, 'dropped', { limit: 100 })],
    ['search', (db) => searchStats(ctx(db))],
    ['retention', (db) => retentionStats(ctx(db), 8)],
    ['lifecycle', (db) => lifecycleStats(ctx(db), THRESHOLDS, now)],
    ['lifecycle people', (db) => lifecyclePeople(ctx(db), 'at-risk', THRESHOLDS, now, { limit: 100 })],
    ['slots', (db) => slotsStats(ctx(db), 10)],
    ['summary', (db) => readStats(ctx(db), 10)],
  ];
  function ctx(db: D1Database) {
    return statsContext(db, writeKey, 'USD', { fromMs: now - days * DAY_MS, toMs: now }, filters);
  }
  const out: { panel: string; statements: string[] }[] = [];
  for (const [panel, run] of panels) {
    const statements: string[] = [];
    await run(recordingD1(statements));
    out.push({ panel, statements });
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { days: { type: 'string', default: '7' }, device: { type: 'string' }, 'write-key': { type: 'string', default: 'demo-write-key' } },
  });
  const panels = await panelStatements({ days: Number(values.days), filters: values.device ? { device: values.device } : {}, writeKey: values['write-key'] });
  for (const { panel, statements } of panels) {
    console.log(`.print "== ${panel}"`);
    for (const s of statements) console.log(`${s.trim()};`);
  }
}
