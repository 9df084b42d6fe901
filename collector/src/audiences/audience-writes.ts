/**
 * The membership store's writes for one unit of work (a drain batch, a
 * wake-up step, a backfill step), kept in memory and written at its end as
 * a few bulk statements instead of several statements per membership change.
 *
 * A shopper who enters 40 audiences in one batch cost 200 statements when
 * each change was written at once (member row, size row read and written,
 * size of the day, transition); here they are one member insert, one
 * transition insert and three statements for all the audiences' sizes,
 * shared by every profile of the batch.
 *
 * Writes to one key compose, so only the last state of each is written:
 * - a membership row: inserted or deleted (INSERT OR REPLACE / DELETE);
 * - a due time: replaced, lowered, or deleted (lowering after a replace is a
 *   replace with the earlier time, lowering after a delete inserts);
 * - sizes: the changes of one audience on one day add up. Each size is
 *   floored at 0 once per unit rather than after each change, which differs
 *   only for a size already out of line with its rows.
 * Transitions are appended in order; their `seq` is filled in on flush.
 */
import type { Sql, SqlValue } from '../lib/sql';
import type { Transition } from './audience-store';

/** Bound parameters per statement: under the Durable Object SQL limit of 100. */
const MAX_PARAMS = 99;

type DueWrite = { mode: 'replace' | 'lower'; at: number } | { mode: 'delete' };

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export class AudienceWrites {
  /** `audienceId\tprofileId` → entered at (insert) or null (delete). */
  private members = new Map<string, { audienceId: string; profileId: string; enteredAt: number | null }>();
  private due = new Map<string, DueWrite>();
  /** `audienceId\tday` → change in members. */
  private sizes = new Map<string, { audienceId: string; day: string; delta: number }>();
  private transitions: Transition[] = [];

  constructor(private readonly sql: Sql) {}

  enter(audienceId: string, profileId: string, at: number): void {
    this.members.set(`${audienceId}\t${profileId}`, { audienceId, profileId, enteredAt: at });
  }

  leave(audienceId: string, profileId: string): void {
    this.members.set(`${audienceId}\t${profileId}`, { audienceId, profileId, enteredAt: null });
  }

  /** A change of `delta` members of an audience, at `now` (the day whose end size it sets). */
  count(audienceId: string, delta: number, now: number): void {
    const day = dayOf(now);
    const key = `${audienceId}\t${day}`;
    const entry = this.sizes.get(key);
    if (entry) entry.delta += delta;
    else this.sizes.set(key, { audienceId, day, delta });
  }

  /** replace: the exact next due time; lower: only ever earlier; delete: none. */
  setDue(profileId: string, write: DueWrite): void {
    const before = this.due.get(profileId);
    if (write.mode === 'lower' && before) {
      if (before.mode === 'delete') write = { mode: 'replace', at: write.at };
      else write = { mode: before.mode, at: Math.min(before.at, write.at) };
    }
    this.due.set(profileId, write);
  }

  record(transition: Transition): void {
    this.transitions.push(transition);
  }

  get empty(): boolean {
    return this.members.size === 0 && this.due.size === 0 && this.sizes.size === 0 && this.transitions.length === 0;
  }

  /** Forgets what was not written (the unit failed; its transaction rolls back). */
  clear(): void {
    this.members.clear();
    this.due.clear();
    this.sizes.clear();
    this.transitions = [];
  }

  /** Writes everything kept, in bulk statements; call inside the unit's transaction. */
  flush(): void {
    if (this.empty) return;
    const members = [...this.members.values()];
    const due = [...this.due];
    const sizes = [...this.sizes.values()];
    const transitions = this.transitions;
    this.clear();

    const entered = members.filter((m) => m.enteredAt !== null);
    bulk(
      this.sql,
      entered,
      3,
      (n) => `INSERT OR REPLACE INTO audience_members (audience_id, profile_id, entered_at) VALUES ${rows(n, 3)}`,
      (m) => [m.audienceId, m.profileId, m.enteredAt],
    );
    for (const m of members)
      if (m.enteredAt === null) this.sql.exec('DELETE FROM audience_members WHERE audience_id = ? AND profile_id = ?', m.audienceId, m.profileId);

    // Per day (a unit has one, in practice), in order: the sizes move, then the day's end size is what they are.
    for (const day of [...new Set(sizes.map((x) => x.day))].sort()) {
      const changes = sizes.filter((x) => x.day === day && x.delta !== 0);
      bulk(
        this.sql,
        changes,
        1,
        (n) => `INSERT OR IGNORE INTO audience_sizes (audience_id, members) VALUES ${repeat(n, '(?, 0)')}`,
        (x) => [x.audienceId],
      );
      const moved: { audienceId: string; members: number }[] = [];
      bulk(
        this.sql,
        changes,
        3,
        (n) =>
          `UPDATE audience_sizes SET members = MAX(0, members + CASE audience_id ${repeat(n, 'WHEN ? THEN ?', ' ')} END)
           WHERE audience_id IN (${repeat(n, '?')}) RETURNING audience_id, members`,
        (x) => [x.audienceId, x.delta],
        (row: { audience_id: string; members: number }) => moved.push({ audienceId: row.audience_id, members: row.members }),
        (chunk) => chunk.map((x) => x.audienceId),
      );
      bulk(
        this.sql,
        moved,
        3,
        (n) =>
          `INSERT INTO audience_size_days (audience_id, day, members) VALUES ${rows(n, 3)} ON CONFLICT (audience_id, day) DO UPDATE SET members = excluded.members`,
        (x) => [x.audienceId, day, x.members],
      );
    }

    const byId = new Map(transitions.map((t) => [t.id, t]));
    bulk(
      this.sql,
      transitions,
      5,
      (n) => `INSERT INTO audience_transitions (transition_id, audience_id, profile_id, kind, at) VALUES ${rows(n, 5)} RETURNING seq, transition_id`,
      (t) => [t.id, t.audienceId, t.profileId, t.kind, t.at],
      (row: { seq: number; transition_id: string }) => {
        byId.get(row.transition_id)!.seq = row.seq;
      },
    );

    const deleted = due.filter(([, w]) => w.mode === 'delete').map(([profileId]) => profileId);
    bulk(
      this.sql,
      deleted,
      1,
      (n) => `DELETE FROM audience_due WHERE profile_id IN (${repeat(n, '?')})`,
      (id) => [id],
    );
    for (const mode of ['replace', 'lower'] as const) {
      const set = due.flatMap(([profileId, w]) => (w.mode === mode ? [{ profileId, at: Math.ceil(w.at) }] : []));
      const update = mode === 'replace' ? 'excluded.due_at' : 'MIN(due_at, excluded.due_at)';
      bulk(
        this.sql,
        set,
        2,
        (n) => `INSERT INTO audience_due (profile_id, due_at) VALUES ${rows(n, 2)} ON CONFLICT (profile_id) DO UPDATE SET due_at = ${update}`,
        (d) => [d.profileId, d.at],
      );
    }
  }
}

/** `part` n times, joined by `separator`. */
const repeat = (n: number, part: string, separator = ', ') => Array.from({ length: n }, () => part).join(separator);

/** `(?, ?), (?, ?)`: n rows of `width` parameters. */
const rows = (n: number, width: number) => repeat(n, `(${repeat(width, '?')})`);

/**
 * Runs `statement` over `items` in chunks that stay under the parameter
 * limit: each item's `params`, then the chunk's `trailing` ones (an IN list).
 */
function bulk<T, R extends Record<string, SqlValue>>(
  sql: Sql,
  items: readonly T[],
  width: number,
  statement: (n: number) => string,
  params: (item: T) => unknown[],
  onRow?: (row: R) => void,
  trailing?: (chunk: readonly T[]) => unknown[],
): void {
  const per = Math.floor(MAX_PARAMS / width);
  for (let i = 0; i < items.length; i += per) {
    const chunk = items.slice(i, i + per);
    const cursor = sql.exec<R>(statement(chunk.length), ...chunk.flatMap(params), ...(trailing ? trailing(chunk) : []));
    if (onRow) for (const row of cursor) onRow(row);
    else cursor.toArray();
  }
}
