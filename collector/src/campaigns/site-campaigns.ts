/**
 * A site's campaigns across its profile hosts (audiences/hosts.ts, the one
 * seam every fan-out goes through): definitions replicated to each host,
 * totals added up for the report.
 */
import type { CampaignDefinition } from '@trailmark/schema';
import { hostOfProfile, profileHosts } from '../audiences/hosts';
import type { HostCampaignTotals } from './campaign-store';

export async function replicateCampaigns(env: Env, writeKey: string, put: readonly CampaignDefinition[], remove: readonly string[] = []): Promise<void> {
  await Promise.all((await profileHosts(env, writeKey)).map((host) => host.campaignDefine([...put], [...remove])));
}

export async function siteCampaignTotals(env: Env, writeKey: string, campaignId: string): Promise<HostCampaignTotals[]> {
  return Promise.all((await profileHosts(env, writeKey)).map((host) => host.campaignTotals(campaignId)));
}

/** The campaigns a profile was assigned to, with its group and outcome (the admin profile API). */
export async function profileCampaigns(env: Env, writeKey: string, profileId: string) {
  const rows = await (await hostOfProfile(env, writeKey, profileId)).campaignAssignments(profileId);
  return rows.map((r) => ({
    campaignId: r.campaignId,
    group: r.group,
    assignedAt: new Date(r.assignedAt).toISOString(),
    convertedAt: r.convertedAt === null ? null : new Date(r.convertedAt).toISOString(),
    revenue: r.revenue,
  }));
}
