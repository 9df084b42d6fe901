/**
 * Grows a local state's event log to a target size by copying the shoppers
 * already in it under new ids: every copy of an event names a new message,
 * a new anonymousId and userId, a new profile and a new visit, so a copy is
 * another person doing the same things at the same times, and the copies
 * carry the originals' merges. The rows go into the D1 log with
 * `wrangler d1 execute`, so the same triggers that count live traffic build
 * the statistics (what the dashboard bench measures) from them.
 *
 * Used because sending a million events through `wrangler dev` on a small
 * machine takes hours; the collector must not be running on the state.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The statements that add copy number `copy` of every original event (one whose message id has no `~`). */
export function copyStatements(copy: number): string {
  if (!Number.isInteger(copy) || copy < 1) throw new Error(`copy must be a positive integer, not ${copy}`);
  const tag = `'~${copy}'`;
  const renamed = (column: string) => `CASE WHEN ${column} IS NULL THEN NULL ELSE ${column} || ${tag} END`;
  return `
INSERT OR IGNORE INTO profile_merges (write_key, from_profile, to_profile, merged_at)
SELECT write_key, from_profile || ${tag}, to_profile || ${tag}, merged_at FROM profile_merges WHERE instr(from_profile, '~') = 0;
INSERT OR IGNORE INTO events (write_key, message_id, type, event, anonymous_id, user_id, profile_id, timestamp, received_at, country, region, bot, body)
SELECT write_key, message_id || ${tag}, type, event, ${renamed('anonymous_id')}, ${renamed('user_id')}, profile_id || ${tag},
       timestamp, received_at, country, region, bot,
       json_set(body, '$.messageId', message_id || ${tag},
                '$.anonymousId', COALESCE(${renamed('anonymous_id')}, json_extract(body, '$.anonymousId')),
                '$.userId', COALESCE(${renamed('user_id')}, json_extract(body, '$.userId')),
                '$.profileId', profile_id || ${tag},
                '$.context.sessionId', CASE WHEN json_type(body, '$.context.sessionId') = 'text'
                                            THEN json_extract(body, '$.context.sessionId') || ${tag} END)
FROM events WHERE instr(message_id, '~') = 0 ORDER BY seq;`;
}

/**
 * Adds copies of the original events until the log holds at least `target`
 * events. `originals` is how many events the log holds before any copy.
 * Returns the number of events then stored and the seconds it took.
 */
export async function copyShoppers({
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
  const started = Date.now();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'trailmark-copies-'));
  try {
    // Several copies per wrangler invocation (each starts a runtime), few enough to show progress.
    const perRun = Math.max(1, Math.ceil(50_000 / originals));
    for (let first = 1; first <= copies; first += perRun) {
      const last = Math.min(copies, first + perRun - 1);
      const file = path.join(dir, `copies-${first}.sql`);
      const statements: string[] = [];
      for (let copy = first; copy <= last; copy++) statements.push(copyStatements(copy));
      await writeFile(file, statements.join('\n'));
      await run(
        process.execPath,
        [path.join(root, 'node_modules', 'wrangler', 'bin', 'wrangler.js'), 'd1', 'execute', 'DB', '--local', '--persist-to', stateDir, '--file', file],
        {
          cwd: root,
          env: { ...process.env, CI: '1', WRANGLER_SEND_METRICS: 'false', FORCE_COLOR: '0' },
          maxBuffer: 64 * 1024 * 1024,
        },
      );
      log(`  copied: ${((last + 1) * originals).toLocaleString('en-US')} events (${Math.round((Date.now() - started) / 1000)} s)`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return { events: (copies + 1) * originals, copies, seconds: (Date.now() - started) / 1000 };
}
