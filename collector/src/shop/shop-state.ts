/**
 * ShopState: one Durable Object per site, the live state of a shop in its own
 * SQLite: the identity graph, shopper profiles, the catalog and the
 * recommendation aggregates. IngestShards feed it in batches; each batch is
 * applied in one transaction and each message at most once, so a retried
 * drain changes nothing.
 */
import { DurableObject } from 'cloudflare:workers';
import type { StoredMessage } from '@trailmark/schema';
import { resolveProfile } from '../identity/resolve-profile';
import { IDENTITY_SCHEMA, SqliteIdentityStore } from '../identity/sqlite-identity-store';
import { idHash } from '../lib/hash';

const SCHEMA = `
${IDENTITY_SCHEMA}
CREATE TABLE IF NOT EXISTS applied (
  message_id TEXT PRIMARY KEY,
  profile_id TEXT,              -- null: suppressed, not applied
  applied_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS applied_by_time ON applied (applied_at);
CREATE TABLE IF NOT EXISTS suppressed_ids (id_hash TEXT PRIMARY KEY);
`;

/** How long a messageId is remembered for deduplication; older retries are caught by the event log's unique key. */
const APPLIED_RETENTION_MS = 35 * 24 * 3600 * 1000;

export interface IngestItem {
  message: StoredMessage;
  /** SHA-256 of the message's anonymousId and userId (for the suppression list). */
  idHashes: string[];
}

export interface IngestOutcome {
  /** Per message, in order: the profile it belongs to now, or null when its ids are suppressed. */
  profileIds: (string | null)[];
  merges: { from: string; into: string }[];
}

export interface Erasure {
  profileIds: string[];
  anonymousIds: string[];
  userIds: string[];
  idHashes: string[];
}

export class ShopState extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly identities: SqliteIdentityStore;
  private lastPrune = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => {
      this.sql.exec(SCHEMA);
    });
    this.identities = new SqliteIdentityStore(this.sql);
  }

  /** Answers when the object is reachable; the shards' health probe. */
  ping(): true {
    return true;
  }

  ingest(items: IngestItem[]): IngestOutcome {
    const merges: IngestOutcome['merges'] = [];
    const profileIds = this.ctx.storage.transactionSync(() =>
      items.map(({ message, idHashes }) => {
        const seen = this.sql
          .exec<{ profile_id: string | null }>('SELECT profile_id FROM applied WHERE message_id = ?', message.messageId)
          .toArray()[0];
        if (seen) return seen.profile_id === null ? null : this.identities.current(seen.profile_id);
        if (this.isSuppressed(idHashes)) {
          this.sql.exec('INSERT INTO applied (message_id, profile_id, applied_at) VALUES (?, NULL, ?)', message.messageId, Date.now());
          return null;
        }
        const resolution = resolveProfile(this.identities, message as StoredMessage & { previousId?: string });
        if (resolution.merged) merges.push(resolution.merged);
        this.sql.exec(
          'INSERT INTO applied (message_id, profile_id, applied_at) VALUES (?, ?, ?)',
          message.messageId,
          resolution.profileId,
          Date.now(),
        );
        return resolution.profileId;
      }),
    );
    this.pruneApplied();
    return { profileIds, merges };
  }

  /**
   * Erases the person `id` names: their profile and every linked id go, and
   * the ids' hashes are suppressed so late retries are not applied again.
   * Other messages wait meanwhile, so no new id can be linked halfway.
   */
  async erase(writeKey: string, id: string): Promise<Erasure> {
    return this.ctx.blockConcurrencyWhile(async () => {
      const linked = this.identities.linkedTo(id);
      const anonymousIds = linked?.anonymousIds ?? [];
      const userIds = linked?.userIds ?? [];
      const everyId = [...new Set([id, ...anonymousIds, ...userIds])];
      const hashes = await Promise.all(everyId.map((each) => idHash(writeKey, each)));
      this.ctx.storage.transactionSync(() => {
        for (const hash of hashes) this.sql.exec('INSERT OR IGNORE INTO suppressed_ids (id_hash) VALUES (?)', hash);
        if (linked) this.identities.forget(linked.profileIds);
      });
      return { profileIds: linked?.profileIds ?? [], anonymousIds, userIds, idHashes: hashes };
    });
  }

  private isSuppressed(idHashes: string[]): boolean {
    for (const hash of idHashes) {
      if (this.sql.exec('SELECT 1 FROM suppressed_ids WHERE id_hash = ?', hash).toArray().length > 0) return true;
    }
    return false;
  }

  private pruneApplied(): void {
    const now = Date.now();
    if (now - this.lastPrune < 3600_000) return;
    this.lastPrune = now;
    this.sql.exec('DELETE FROM applied WHERE applied_at < ?', now - APPLIED_RETENTION_MS);
  }
}
