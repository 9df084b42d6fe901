/**
 * ProfileShard: one of a site's `profileShards` objects (named
 * `${writeKey}#p${i}`, i = hash(profileId) % shards), holding the documents
 * of the profiles that hash to it, the outcome of each message applied to
 * them, and their audience memberships, due times and campaign assignments
 * (the same hosts as ShopState's: profile-hosting.ts), changed in the same
 * transaction as the documents. Drains call `apply` once per shard per
 * batch, and the merge steps when the identity directory joined two
 * profiles; the profile API and recommendations read one document; the
 * audience and campaign routes fan out to every shard (audiences/hosts.ts).
 * The documents' exactly-once rules: profile-shard-model.ts.
 */
import type { LifecycleStage, LifecycleThresholds, StoredMessage } from '@trailmark/schema';
import type { AudienceHost } from '../audiences/audience-host';
import type { CampaignHost } from '../campaigns/campaign-host';
import { CAMPAIGN_TABLES } from '../campaigns/campaign-tables';
import { identityDirectoryStub } from '../identity/identity-directory';
import type { Alarms } from '../lib/alarms';
import { copyRows, type TableRows } from '../lib/copy-rows';
import { migrate } from '../lib/migrate';
import type { Profile } from './profile';
import type { MergePayload } from './profile-drain';
import { hostProfiles, migrateProfileHosting } from './profile-hosting';
import { ProfileHostObject } from './profile-host-object';
import { PROFILE_SHARD_MIGRATIONS, ProfileShardModel, profileShardOf, type ProfileApplied, type ProfileItem } from './profile-shard-model';

/** Tables a shop moving from one object copies here (shop/profile-layout.ts), with their columns. */
export const PROFILE_SHARD_TABLES: Record<string, readonly string[]> = {
  profiles: ['profile_id', 'user_id', 'created_at', 'updated_at', 'data', 'first_seen', 'last_seen', 'sessions'],
  applied: ['message_id', 'profile_id', 'applied_at', 'outcome'],
};

export class ProfileShard extends ProfileHostObject {
  private readonly model: ProfileShardModel;
  protected readonly audiences: AudienceHost;
  protected readonly campaigns: CampaignHost;
  protected readonly alarms: Alarms;
  private lastPrune = 0;
  /** Work done, for the capacity model (bench/capacity.ts). */
  private readonly work = { batches: 0, messages: 0, merges: 0, reads: 0 };

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.transactionSync(() => {
      migrate(ctx.storage.sql, PROFILE_SHARD_MIGRATIONS);
      migrateProfileHosting(ctx.storage.sql);
    });
    this.model = new ProfileShardModel(ctx.storage.sql);
    const writeKey = (ctx.id.name ?? '').replace(/#p\d+$/, '');
    ({
      audiences: this.audiences,
      campaigns: this.campaigns,
      alarms: this.alarms,
    } = hostProfiles(ctx, env, {
      writeKey,
      profile: (profileId) => this.model.find(profileId),
      // Ids and customers are the directory's.
      people: { describe: (profileIds) => identityDirectoryStub(env, writeKey).describe([...profileIds]) },
      clock: () => this.clock(),
    }));
  }

  ping(): true {
    return true;
  }

  /** Applies a batch's messages for this shard's profiles, with their audiences and campaigns, in one transaction. */
  async apply(items: ProfileItem[], currency: string): Promise<ProfileApplied[]> {
    this.work.batches++;
    this.work.messages += items.length;
    await this.audiences.refreshSite();
    await this.campaigns.refreshSite();
    const now = this.clock();
    const out = this.ctx.storage.transactionSync(() => {
      const results = this.model.apply(items, currency, Date.now());
      // Only what was applied now: a message applied before changed its memberships then.
      const fresh = items.flatMap((item, i): { message: StoredMessage; profileId: string | null }[] =>
        results[i]!.fresh ? [{ message: item.message, profileId: results[i]!.profileId }] : [],
      );
      if (fresh.length > 0) {
        this.audiences.afterApply(fresh, [], now, this.model.profiles.written());
        this.campaigns.afterApply(fresh, [], now);
      }
      return results;
    });
    await this.alarms.reschedule();
    if (now - this.lastPrune > 3600_000) {
      this.lastPrune = now;
      this.ctx.storage.transactionSync(() => this.model.prune(Date.now()));
    }
    return out.map(({ fresh: _fresh, ...result }) => result);
  }

  /** The source side of a merge (profile-shard-model.ts): the document and campaign rows leave, the memberships end. */
  mergeOut(mergeId: string, from: string, into: string): MergePayload & { done: boolean } {
    this.work.merges++;
    return this.ctx.storage.transactionSync(() => {
      const seen = this.model.mergeOut(mergeId, from, into, Date.now());
      if (seen.repeat) return { doc: seen.doc, campaigns: seen.campaigns ?? {}, done: seen.done };
      const campaigns = takeProfileRows(this.ctx.storage.sql, CAMPAIGN_TABLES, from);
      this.model.keepCampaignRows(mergeId, campaigns);
      this.audiences.afterApply([], [{ from, into }], this.clock());
      return { doc: seen.doc, campaigns, done: false };
    });
  }

  /** The target side: once per merge id, the document joins, the campaign rows follow, the memberships are evaluated again. */
  async mergeIn(mergeId: string, from: string, into: string, payload: MergePayload, userId: string | undefined, currency: string): Promise<void> {
    await this.audiences.refreshSite();
    await this.campaigns.refreshSite();
    this.ctx.storage.transactionSync(() => {
      if (!this.model.mergeIn(mergeId, into, payload.doc, userId, currency, Date.now())) return;
      copyRows(this.ctx.storage.sql, CAMPAIGN_TABLES, payload.campaigns);
      this.audiences.afterApply([], [{ from, into }], this.clock());
      this.campaigns.afterApply([], [{ from, into }], this.clock());
    });
    await this.alarms.reschedule();
  }

  mergeAcked(mergeId: string): void {
    this.ctx.storage.transactionSync(() => this.model.mergeAcked(mergeId));
  }

  profile(profileId: string): Profile | null {
    this.work.reads++;
    return this.model.find(profileId) ?? null;
  }

  /** Documents of profiles, with the audiences each is in (a recommendation's read: one call). */
  profiles(profileIds: string[]): { profile: Profile; audienceIds: string[] }[] {
    this.work.reads++;
    return profileIds.flatMap((id) => {
      const profile = this.model.find(id);
      return profile ? [{ profile, audienceIds: this.audiences.store.audiencesOf(id).map((m) => m.audienceId) }] : [];
    });
  }

  /** The offer slot of a visitor whose profile is here. */
  campaignOffer(profileId: string) {
    return this.campaigns.offer(profileId);
  }

  campaignAssignments(profileId: string) {
    return this.campaigns.store.assignmentsOf(profileId);
  }

  lifecycle(nowMs: number, thresholds: LifecycleThresholds): Record<LifecycleStage, number> {
    return this.model.profiles.lifecycleCounts(nowMs, thresholds);
  }

  /** Erasure: the documents, memberships and assignments of the profiles go, silently. */
  async forget(profileIds: string[]): Promise<void> {
    await this.audiences.erase(() =>
      this.campaigns.erase(async () => {
        this.ctx.storage.transactionSync(() => {
          this.audiences.forget(profileIds);
          this.campaigns.forget(profileIds);
          this.model.forget(profileIds);
        });
      }),
    );
    await this.alarms.reschedule();
  }

  /** A bounded chunk of a shop moving here from one object (shop/profile-layout.ts). */
  importRows(rows: TableRows): number {
    return this.ctx.storage.transactionSync(() => copyRows(this.ctx.storage.sql, { ...PROFILE_SHARD_TABLES, ...CAMPAIGN_TABLES }, rows));
  }

  workDone() {
    return { ...this.work };
  }
}

/** Takes a profile's rows out of the tables (in the listed columns). Call inside a transaction. */
function takeProfileRows(sql: SqlStorage, tables: Record<string, readonly string[]>, profileId: string): TableRows {
  const out: TableRows = {};
  for (const [table, columns] of Object.entries(tables)) {
    const rows = sql.exec<Record<string, SqlStorageValue>>(`SELECT ${columns.join(', ')} FROM ${table} WHERE profile_id = ?`, profileId).toArray();
    if (rows.length === 0) continue;
    out[table] = rows.map((row) => columns.map((c) => row[c] ?? null));
    sql.exec(`DELETE FROM ${table} WHERE profile_id = ?`, profileId);
  }
  return out;
}

export { profileShardOf } from './profile-shard-model';
/** A profile's campaign rows, which travel with its document (campaigns/campaign-tables.ts). */
export { CAMPAIGN_TABLES };

export function profileShardStub(env: Env, writeKey: string, index: number) {
  return env.PROFILE_SHARD.getByName(`${writeKey}#p${index}`);
}
