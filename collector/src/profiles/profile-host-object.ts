/**
 * The RPC surface of an object that hosts profiles for audiences and
 * campaigns (audiences/hosts.ts fans out to every such object of a site):
 * ShopState in the single-object layout, each ProfileShard in the sharded
 * one. One class, so both answer the same methods the same way.
 */
import { DurableObject } from 'cloudflare:workers';
import type { CampaignDefinition, Condition } from '@trailmark/schema';
import type { AudienceHost } from '../audiences/audience-host';
import type { RfmBoundaries } from '../audiences/rfm';
import type { CampaignHost } from '../campaigns/campaign-host';
import type { Alarms } from '../lib/alarms';

export abstract class ProfileHostObject extends DurableObject<Env> {
  /** Audience memberships, due times and transitions of this object's profiles. */
  protected abstract readonly audiences: AudienceHost;
  /** Campaign assignments and outcomes of this object's profiles. */
  protected abstract readonly campaigns: CampaignHost;
  /** The one alarm, shared by every job that needs waking (lib/alarms.ts). */
  protected abstract readonly alarms: Alarms;
  /** The clock audiences and alarms read; tests move it. */
  clock: () => number = () => Date.now();

  override async alarm(): Promise<void> {
    await this.alarms.run();
  }

  // ---- Audience host (audiences/audience-host.ts), reached through audiences/hosts.ts ----

  async audienceDefine(put: { id: string; name: string; definition: Condition }[], remove: string[]): Promise<void> {
    await this.audiences.refreshSite();
    this.audiences.define(put, remove, this.clock());
    await this.alarms.reschedule();
  }

  /** A static audience's list on this object (audiences/audience-host.ts list); its entries leave through the alarm. */
  async audienceList(audienceId: string, name: string, change: { add?: string[]; remove?: string[]; replace?: boolean }) {
    const result = await this.audiences.list(audienceId, name, change);
    await this.alarms.reschedule();
    return result;
  }

  audienceReport(ids?: string[], fromDay?: string) {
    return this.audiences.report(ids, fromDay);
  }

  audienceMembers(audienceId: string, cursor: string | null, limit: number) {
    return this.audiences.members(audienceId, cursor, limit);
  }

  audiencePreview(definition: Condition, limit: number, sample: number, start: string) {
    return this.audiences.preview(definition, limit, sample, start);
  }

  audienceProfile(profileId: string) {
    return this.audiences.profileAudiences(profileId);
  }

  audienceRfmSummary() {
    return this.audiences.rfmSummary();
  }

  async audienceRfmBoundaries(boundaries: RfmBoundaries) {
    const result = this.audiences.setRfmBoundaries(boundaries);
    await this.alarms.reschedule();
    return result;
  }

  // ---- Campaign host (campaigns/campaign-host.ts), reached through audiences/hosts.ts ----

  async campaignDefine(put: CampaignDefinition[], remove: string[]): Promise<void> {
    await this.campaigns.refreshSite();
    this.campaigns.define(put, remove);
    await this.alarms.reschedule();
  }

  campaignTotals(campaignId: string) {
    return this.campaigns.totals(campaignId);
  }
}
