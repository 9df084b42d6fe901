/**
 * IdentityDirectory: one Durable Object per site (named after its write key)
 * that owns the site's identity graph when its profiles live in profile
 * shards (site setting `profileShards`). Drains call `resolve` once per
 * batch; erasure, the profile API and recommendations look ids up here.
 * The state and its rules: directory-model.ts.
 */
import { DurableObject } from 'cloudflare:workers';
import { identityTablesPeople } from '../audiences/profile-source';
import { migrate } from '../lib/migrate';
import type { Erasure } from '../shop/shop-state';
import { copyRows, type TableRows } from '../lib/copy-rows';
import { DIRECTORY_MIGRATIONS, DirectoryModel, type ResolveItem, type Resolved } from './directory-model';
import type { IdKind } from './resolve-profile';
import { hashIds, type IdHash } from './suppression';

/** Tables a shop moving from one object copies here (shop/profile-migration.ts), with their columns. */
export const DIRECTORY_TABLES: Record<string, readonly string[]> = {
  identities: ['id_kind', 'id', 'profile_id'],
  profiles: ['profile_id', 'user_id', 'created_at', 'updated_at'],
  merged_profiles: ['from_profile', 'to_profile'],
  applied: ['message_id', 'profile_id', 'applied_at', 'outcome'],
  suppressed: ['id_hash', 'id_kind'],
  order_claims: ['order_id', 'profile_id'],
};

export class IdentityDirectory extends DurableObject<Env> {
  private readonly model: DirectoryModel;
  private lastPrune = 0;
  /** Work done, for the capacity model (bench/capacity.ts). */
  private readonly work = { batches: 0, messages: 0, lookups: 0 };

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.transactionSync(() => migrate(ctx.storage.sql, DIRECTORY_MIGRATIONS));
    this.model = new DirectoryModel(ctx.storage.sql);
  }

  ping(): true {
    return true;
  }

  /** A drained batch's profiles, in order (directory-model.ts). */
  resolve(items: ResolveItem[]): Resolved[] {
    this.work.batches++;
    this.work.messages += items.length;
    const now = Date.now();
    const resolved = this.ctx.storage.transactionSync(() => this.model.resolve(items, now));
    if (now - this.lastPrune > 3600_000) {
      this.lastPrune = now;
      this.model.pruneResolutions(now);
    }
    return resolved;
  }

  profileIdOf(ids: { anonymousId?: string; userId?: string; userVerified?: boolean }): string | null {
    this.work.lookups++;
    return this.model.profileIdOf(ids) ?? null;
  }

  lookup(ids: { kind: IdKind; id: string }[]) {
    this.work.lookups++;
    return this.model.lookup(ids);
  }

  /** Every id and former profile of the person `id` names (an anonymousId or userId, else a profile id), and their customer id (the profile API). */
  linkedTo(id: string, kind?: IdKind) {
    const linked = this.model.identities.linkedTo(id, kind) ?? (kind ? undefined : this.model.identities.linkedToProfile(id));
    if (!linked) return null;
    return { ...linked, userId: this.model.identities.userOf(linked.profileId) ?? null };
  }

  /** Names and browsers of profiles, following merges (the audience members export of profile shards). */
  describe(profileIds: string[]) {
    return identityTablesPeople(this.ctx.storage.sql).describe(profileIds);
  }

  /**
   * Erasure's first step: the person's ids are suppressed (each with its
   * kind) and every link of theirs goes, in one transaction; returns what
   * the caller erases elsewhere (documents in the shards, the log, the archive).
   */
  async erase(writeKey: string, id: string, kind?: IdKind): Promise<Erasure> {
    return this.ctx.blockConcurrencyWhile(async () => {
      const linked = this.model.identities.linkedTo(id, kind);
      const anonymousIds = linked?.anonymousIds ?? (kind !== 'user' ? [id] : []);
      const userIds = linked?.userIds ?? (kind !== 'anonymous' ? [id] : []);
      const idHashes: IdHash[] = await hashIds(writeKey, { anonymousIds, userIds });
      this.ctx.storage.transactionSync(() => {
        this.model.suppressed.add(idHashes);
        if (linked) {
          this.model.orders.forget(linked.profileIds);
          this.model.identities.forget(linked.profileIds);
        }
      });
      return { profileIds: linked?.profileIds ?? [], anonymousIds, userIds, idHashes };
    });
  }

  /** A bounded chunk of a shop moving here from one object (shop/profile-migration.ts). */
  importRows(rows: TableRows): number {
    return this.ctx.storage.transactionSync(() => copyRows(this.ctx.storage.sql, DIRECTORY_TABLES, rows));
  }

  workDone() {
    return { ...this.work };
  }
}

export function identityDirectoryStub(env: Env, writeKey: string) {
  return env.IDENTITY_DIRECTORY.getByName(writeKey);
}
