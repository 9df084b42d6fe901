/**
 * The retention sweep (a cron trigger): events older than the retention
 * window leave the D1 event log, in bounded chunks, without changing the
 * statistics (which keep counting them) — the R2 archive keeps the raw events.
 */
const CHUNK = 5000;
/** A sweep stops after this many chunks per site and continues at the next trigger. */
const MAX_CHUNKS = 20;

export async function sweepExpiredEvents(db: D1Database, writeKey: string, retentionDays: number, nowMs = Date.now()): Promise<number> {
  if (!(retentionDays > 0)) return 0;
  const cutoff = new Date(nowMs - retentionDays * 86_400_000).toISOString();
  let removed = 0;
  for (let chunk = 0; chunk < MAX_CHUNKS; chunk++) {
    const [, deleted] = await db.batch([
      db.prepare('INSERT OR IGNORE INTO retention_sweep (write_key) VALUES (?)').bind(writeKey),
      db
        .prepare(
          `DELETE FROM events WHERE seq IN (
             SELECT seq FROM events WHERE write_key = ?1 AND received_at < ?2 ORDER BY received_at LIMIT ?3)
           RETURNING seq`,
        )
        .bind(writeKey, cutoff, CHUNK),
      db.prepare('DELETE FROM retention_sweep WHERE write_key = ?').bind(writeKey),
    ]);
    const count = deleted?.results.length ?? 0;
    removed += count;
    if (count < CHUNK) break;
  }
  return removed;
}
