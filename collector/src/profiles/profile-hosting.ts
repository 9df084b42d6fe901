/**
 * The audience and campaign hosts of an object that holds profiles
 * (ShopState in the single-object layout, each ProfileShard in the sharded
 * one), built the one way for both: memberships, due times and campaign
 * assignments live next to the documents they come from, change in the same
 * transaction as them, and wake through the object's one alarm.
 */
import { AUDIENCE_HOST_MIGRATIONS, AUDIENCE_MODULE, AudienceHost, type PersonDirectory } from '../audiences/audience-host';
import { profilesTableSource } from '../audiences/profile-source';
import { CAMPAIGN_MIGRATIONS, CAMPAIGN_MODULE, CampaignHost } from '../campaigns/campaign-host';
import { enqueueChanges, subscribedAudiences } from '../destinations/producer';
import { Alarms } from '../lib/alarms';
import { migrateModule } from '../lib/migrate';
import type { Sql } from '../lib/sql';
import { DEFAULT_SETTINGS } from '../sites/site';
import { findSite } from '../sites/site-directory';
import type { Profile } from './profile';

export interface ProfileHosting {
  audiences: AudienceHost;
  campaigns: CampaignHost;
  /** The one alarm, shared by every job that needs waking (lib/alarms.ts). */
  alarms: Alarms;
}

/** The hosts' schema steps; run inside the object's first transaction, after its own. */
export function migrateProfileHosting(sql: Sql): void {
  migrateModule(sql, AUDIENCE_MODULE, AUDIENCE_HOST_MIGRATIONS);
  // After the audiences: campaigns read (and index) their memberships.
  migrateModule(sql, CAMPAIGN_MODULE, CAMPAIGN_MIGRATIONS);
}

export function hostProfiles(
  ctx: DurableObjectState,
  env: Env,
  options: {
    writeKey: string;
    /** A profile document of this object. */
    profile: (profileId: string) => Profile | undefined;
    /** Who a profile is beyond its document (ids, customer). */
    people: PersonDirectory;
    clock: () => number;
  },
): ProfileHosting {
  const { writeKey, clock } = options;
  const transaction = <T>(fn: () => T) => ctx.storage.transactionSync(fn);
  const audiences: AudienceHost = new AudienceHost({
    sql: ctx.storage.sql,
    transaction,
    profiles: profilesTableSource(ctx.storage.sql),
    people: options.people,
    lifecycle: async () => (writeKey ? await findSite(env, writeKey) : null)?.settings.lifecycle ?? DEFAULT_SETTINGS.lifecycle,
    deliver: (changes) => enqueueChanges(env, writeKey, changes),
    subscribed: () => subscribedAudiences(env, writeKey),
    clock,
  });
  const campaigns = new CampaignHost({
    sql: ctx.storage.sql,
    transaction,
    profile: options.profile,
    site: async () => {
      const site = writeKey ? await findSite(env, writeKey) : null;
      const settings = site?.settings ?? DEFAULT_SETTINGS;
      return { writeKey, globalHoldoutPercent: settings.globalHoldoutPercent, currency: settings.currency };
    },
    describe: (profileIds) => audiences.describe(profileIds),
    audienceName: (audienceId) => audiences.store.nameOf(audienceId) || audienceId,
    deliver: (changes) => enqueueChanges(env, writeKey, changes),
    clock,
  });
  const alarms = new Alarms(ctx.storage, clock);
  alarms.add(audiences);
  alarms.add(campaigns);
  return { audiences, campaigns, alarms };
}
