/**
 * Grows a local state to a target number of events by copying its shoppers
 * under new ids, fast: the same copies as copy-shoppers.ts (every event of a
 * shopper again under a new message id, anonymousId, userId, profile and
 * visit, the merges too), but the statistics are copied with them instead
 * of being recomputed event by event. Replaying a million events through
 * the statistics triggers takes over twenty minutes on a loaded 2-core
 * machine; copying the rows takes a minute or two.
 *
 * What it writes is exactly what the triggers would have written, because a
 * copy is the same events at the same times under other ids:
 * - rows per person, visit or order (stats_people, stats_sessions,
 *   stats_orders…) are copied with the ids renamed as the triggers would
 *   derive them from the renamed events (a visit's key `h:<profile>:<hour>`
 *   takes the new profile id, `s:<sessionId>` the new session id);
 * - rows that add up everyone (events per hour, sales per day and region,
 *   lifecycle deltas…) are multiplied by the number of shoppers' copies.
 * bulk-copy-shoppers.test.ts checks this against the triggers on a small
 * log, table by table. A statistics table this file does not know is an
 * error, not a silent omission.
 *
 * The triggers are dropped for the copy and created again after it, inside
 * the one file `wrangler d1 execute` runs; the collector must not be running
 * on the state. Dashboard queries then read these tables through the real
 * collector, as they would after live traffic.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { copyStatements } from './copy-shoppers';

const run = promisify(execFile);

/** What the copy needs to know of the database: its tables' columns and its triggers, in creation order. */
export interface LogSchema {
  columns: Map<string, string[]>;
  triggers: { name: string; sql: string }[];
}

/** Statistics kept per person, visit, order or search: copied under the new ids. */
const PER_PERSON = new Set([
  'stats_people',
  'stats_person_ids',
  'stats_person_steps',
  'stats_person_days',
  'stats_funnel_days',
  'stats_sessions',
  'stats_orders',
  'stats_searches',
  'stats_exposures',
  'stats_exposure_revenue',
]);

/** Statistics that add everyone up, with the columns that count: multiplied. */
const TOTALS: Record<string, string[]> = {
  stats_hourly: ['count'],
  stats_region_products: ['views', 'units', 'revenue'],
  stats_slots: ['impressions', 'clicks', 'adds', 'orders', 'revenue'],
  stats_region_sales: ['units', 'sales'],
  stats_slot_sales: ['sales'],
  stats_lifecycle_deltas: ['delta'],
};

/** Statistics tables a copy leaves alone: settings, reference data, and feeds that are empty between statements. */
const UNCHANGED = new Set([
  'stats_known_referrers',
  'stats_lifecycle_basis',
  'stats_feed',
  'stats_session_feed',
  'stats_erase_feed',
  'stats_merge_feed',
  'stats_funnel_redo',
  'stats_lifecycle_ops',
  'stats_lifecycle_changes',
]);

/** A column's value in copy `tag` ('~N'), as the triggers would derive it from the copied events. */
function renamed(column: string, tag: string): string {
  const t = `'${tag}'`;
  switch (column) {
    case 'profile_id':
    case 'message_id':
    case 'id':
      return `${column} || ${t}`;
    case 'user_id':
    case 'anonymous_id':
      return `CASE WHEN ${column} IS NULL THEN NULL ELSE ${column} || ${t} END`;
    case 'session_key':
      // 's:' || first 64 characters of the sessionId, or 'h:' || profile || ':' || 'YYYY-MM-DDTHH'.
      return `CASE WHEN session_key LIKE 's:%' THEN 's:' || substr(substr(session_key, 3) || ${t}, 1, 64)
                   ELSE substr(session_key, 1, length(session_key) - 14) || ${t} || substr(session_key, -14) END`;
    default:
      return column;
  }
}

/**
 * The SQL that adds copies 1…`copies` of the original shoppers (rows whose
 * ids carry no `~`) to a log holding none yet, in parts of at most
 * `perPart` copies to run one after the other, in order (`wrangler d1
 * execute` takes minutes to split one file of hundreds of long statements).
 * The first part drops the triggers, the last multiplies the totals and
 * creates the triggers again.
 */
export function bulkCopyParts(schema: LogSchema, copies: number, perPart = copies): string[] {
  if (!Number.isInteger(copies) || copies < 1) throw new Error(`copies must be a positive integer, not ${copies}`);
  const statsTables = [...schema.columns.keys()].filter((t) => t.startsWith('stats_'));
  const unknown = statsTables.filter((t) => !PER_PERSON.has(t) && !(t in TOTALS) && !UNCHANGED.has(t));
  if (unknown.length) throw new Error(`bulk-copy-shoppers.ts does not know how to copy ${unknown.join(', ')}: add each to PER_PERSON, TOTALS or UNCHANGED`);
  const parts: string[][] = [schema.triggers.map((t) => `DROP TRIGGER IF EXISTS ${t.name};`)];
  for (let copy = 1; copy <= copies; copy++) {
    const tag = `~${copy}`;
    const part = parts[parts.length - 1]!;
    part.push(copyStatements(copy).trim());
    for (const table of statsTables.filter((t) => PER_PERSON.has(t))) {
      const columns = schema.columns.get(table)!;
      part.push(
        `INSERT INTO ${table} (${columns.join(', ')}) SELECT ${columns.map((c) => renamed(c, tag)).join(', ')} FROM ${table} WHERE instr(profile_id, '~') = 0;`,
      );
    }
    if (copy % perPart === 0 && copy < copies) parts.push([]);
  }
  const last = parts[parts.length - 1]!;
  for (const [table, counted] of Object.entries(TOTALS)) {
    if (schema.columns.has(table)) last.push(`UPDATE ${table} SET ${counted.map((c) => `${c} = ${c} * ${copies + 1}`).join(', ')};`);
  }
  last.push(...schema.triggers.map((t) => `${t.sql.trim().replace(/;?$/, ';')}`));
  return parts.map((part) => part.join('\n'));
}

/** The whole copy as one script (for SQLite itself, or a test). */
export function bulkCopySql(schema: LogSchema, copies: number): string {
  return bulkCopyParts(schema, copies).join('\n');
}

/**
 * The SQL that reads a LogSchema (result sets: the statistics tables'
 * columns, every trigger) and the events already copied (the copy starts
 * from originals only). D1 refuses table_info of its own _cf_ tables.
 */
export const SCHEMA_QUERY = `SELECT m.name AS tbl, p.name AS col FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' AND substr(m.name, 1, 6) = 'stats_' ORDER BY m.name, p.cid;
SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY rowid;
SELECT COUNT(*) AS copied FROM events WHERE instr(message_id, '~') > 0;`;

/** A LogSchema from the two result sets of SCHEMA_QUERY. */
export function logSchema(columnRows: { tbl: string; col: string }[], triggerRows: { name: string; sql: string }[]): LogSchema {
  const columns = new Map<string, string[]>();
  for (const { tbl, col } of columnRows) columns.set(tbl, [...(columns.get(tbl) ?? []), col]);
  return { columns, triggers: triggerRows };
}

/**
 * Adds copies of the original shoppers until the log holds at least
 * `target` events (`originals`: the events before any copy), through
 * `wrangler d1 execute` on the state. Returns the events then stored, the
 * copies made and the seconds it took.
 */
export async function bulkCopyShoppers({
  root,
  stateDir,
  originals,
  target,
  log = () => {},
}: {
  root: string;
  stateDir: string;
  originals: number;
  target: number;
  log?: (line: string) => void;
}): Promise<{ events: number; copies: number; seconds: number }> {
  if (originals <= 0) throw new Error('There are no events to copy: load some first.');
  const copies = Math.max(0, Math.ceil(target / originals) - 1);
  if (copies === 0) return { events: originals, copies: 0, seconds: 0 };
  const started = Date.now();
  const wrangler = (args: string[]) =>
    run(
      process.execPath,
      [path.join(root, 'node_modules', 'wrangler', 'bin', 'wrangler.js'), 'd1', 'execute', 'DB', '--local', '--persist-to', stateDir, ...args],
      {
        cwd: root,
        env: { ...process.env, CI: '1', WRANGLER_SEND_METRICS: 'false', FORCE_COLOR: '0' },
        maxBuffer: 64 * 1024 * 1024,
      },
    );
  const { stdout } = await wrangler(['--json', '--command', SCHEMA_QUERY]);
  const [columns, triggers, copied] = JSON.parse(stdout) as [
    { results: { tbl: string; col: string }[] },
    { results: { name: string; sql: string }[] },
    { results: { copied: number }[] },
  ];
  if (copied.results[0]!.copied > 0) throw new Error(`${stateDir} holds copies already: start from a state with the simulated shoppers only.`);
  const schema = logSchema(columns.results, triggers.results);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'trailmark-bulk-copies-'));
  try {
    // About 60,000 events per part, as many copies as that holds.
    const parts = bulkCopyParts(schema, copies, Math.max(1, Math.floor(60_000 / originals)));
    log(`  copying ${originals.toLocaleString('en-US')} events' shoppers ${copies} times, with their statistics, in ${parts.length} parts…`);
    for (const [i, sql] of parts.entries()) {
      const file = path.join(dir, `part-${i}.sql`);
      await writeFile(file, sql);
      await wrangler(['--file', file]);
      log(`  copied: part ${i + 1} of ${parts.length} (${Math.round((Date.now() - started) / 1000)} s)`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const seconds = (Date.now() - started) / 1000;
  log(`  copied: ${((copies + 1) * originals).toLocaleString('en-US')} events (${Math.round(seconds)} s)`);
  return { events: (copies + 1) * originals, copies, seconds };
}
