/**
 * GET /v1/admin/live: the newest stored events, newest first, in one request
 * however many arrived since the last one. The cursor is the event log's
 * sequence number (the order events were stored in), so a burst of
 * thousands costs one bounded read, never a replay of the export.
 */
import type { ExportedEvent, LiveEvents } from '@trailmark/schema';

/** How many skipped events are counted exactly; beyond, the answer says "at least". */
const COUNT_CAP = 100_000;

export async function liveEvents(db: D1Database, writeKey: string, after: number | undefined, limit: number): Promise<LiveEvents> {
  const since = after ?? 0;
  // `+write_key`: the newest rows by their sequence number, read from the end until enough are found. Given the
  // site's key, SQLite reads every event of the site through an index by key and sorts them (1.7 s at a million).
  const statements = [
    db
      .prepare(
        `SELECT e.seq, e.body, COALESCE(m.to_profile, e.profile_id) AS profile_id
         FROM events e LEFT JOIN profile_merges m ON m.write_key = e.write_key AND m.from_profile = e.profile_id
         WHERE e.seq > ?1 AND +e.write_key = ?2 ORDER BY e.seq DESC LIMIT ?3`,
      )
      .bind(since, writeKey, limit),
  ];
  // A first look has nothing to have skipped; later ones say how many arrived beyond the newest shown.
  if (after !== undefined) {
    statements.push(
      db.prepare('SELECT COUNT(*) AS n FROM (SELECT 1 FROM events WHERE seq > ?1 AND +write_key = ?2 LIMIT ?3)').bind(since, writeKey, COUNT_CAP),
    );
  }
  const [rows, count] = await db.batch<Record<string, unknown>>(statements);
  const events = rows!.results.map((row) => ({ ...(JSON.parse(String(row.body)) as object), writeKey, profileId: String(row.profile_id) }) as ExportedEvent);
  const newest = rows!.results[0]?.seq;
  const arrived = typeof count?.results[0]?.n === 'number' ? count.results[0].n : events.length;
  return { events, cursor: String(typeof newest === 'number' ? newest : since), skipped: Math.max(0, arrived - events.length) };
}
