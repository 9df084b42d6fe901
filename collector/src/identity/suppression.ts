/**
 * How an erased person's ids are kept on the suppression lists (ShopState,
 * D1): as SHA-256 digests of the write key and the id, never readable, each
 * with the kind of id it was. One string can be one person's userId and
 * another person's anonymousId; erasing the first must not silence the
 * second, so a suppressed id matches only ids of its own kind.
 *
 * Suppressions made before kinds were kept carry the kind ANY_KIND and match
 * both, as they always did.
 */
import { idHash } from '../lib/hash';
import type { Sql } from '../lib/sql';
import type { IdKind } from './resolve-profile';

export const ANY_KIND = '*';

export interface IdHash {
  kind: IdKind;
  hash: string;
}

/** The ids a message or an erasure names, by kind. */
export interface PersonIds {
  anonymousIds: readonly string[];
  userIds: readonly string[];
}

/** The kinded ids of a message's anonymousId and userId. */
export function idsOfMessage(ids: { anonymousId?: string; userId?: string }): PersonIds {
  return { anonymousIds: ids.anonymousId ? [ids.anonymousId] : [], userIds: ids.userId ? [ids.userId] : [] };
}

/**
 * Digests of a person's ids, by kind. `cache` keeps the digests of one drain,
 * where the same shopper's id comes back on every message.
 */
export function hashIds(writeKey: string, ids: PersonIds, cache = new Map<string, Promise<string>>()): Promise<IdHash[]> {
  const digest = (id: string) => {
    let hash = cache.get(id);
    if (!hash) cache.set(id, (hash = idHash(writeKey, id)));
    return hash;
  };
  return Promise.all([
    ...ids.anonymousIds.map(async (id) => ({ kind: 'anonymous' as const, hash: await digest(id) })),
    ...ids.userIds.map(async (id) => ({ kind: 'user' as const, hash: await digest(id) })),
  ]);
}

/** Does a person's set of ids include one of these (by kind)? For buffered items, which carry raw ids. */
export function namesPerson(ids: { anonymousId?: string; userId?: string }, person: PersonIds): boolean {
  return (!!ids.anonymousId && person.anonymousIds.includes(ids.anonymousId)) || (!!ids.userId && person.userIds.includes(ids.userId));
}

/** The suppression list in a Durable Object's SQLite. */
export class SuppressionList {
  constructor(private readonly sql: Sql) {}

  includesAny(ids: readonly IdHash[]): boolean {
    return ids.some(
      ({ kind, hash }) => this.sql.exec('SELECT 1 AS x FROM suppressed WHERE id_hash = ? AND id_kind IN (?, ?)', hash, kind, ANY_KIND).toArray().length > 0,
    );
  }

  /**
   * Which of many ids are suppressed, in one query: a predicate over them for
   * a drained batch (erasures wait for the batch, so it cannot change meanwhile).
   */
  matcher(ids: readonly IdHash[]): (ids: readonly IdHash[]) => boolean {
    const found = new Set<string>();
    if (ids.length > 0) {
      for (const row of this.sql.exec<{ id_hash: string; id_kind: string }>(
        'SELECT id_hash, id_kind FROM suppressed WHERE id_hash IN (SELECT value FROM json_each(?))',
        JSON.stringify([...new Set(ids.map((id) => id.hash))]),
      )) {
        found.add(`${row.id_kind}:${row.id_hash}`);
      }
    }
    return (some) => found.size > 0 && some.some(({ kind, hash }) => found.has(`${kind}:${hash}`) || found.has(`${ANY_KIND}:${hash}`));
  }

  add(ids: readonly IdHash[]): void {
    for (const { kind, hash } of ids) this.sql.exec('INSERT OR IGNORE INTO suppressed (id_hash, id_kind) VALUES (?, ?)', hash, kind);
  }
}
