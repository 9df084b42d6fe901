/**
 * A site's campaigns across its profile hosts (audiences/hosts.ts, the one
 * seam every fan-out goes through): definitions replicated to each host,
 * totals added up for the report.
 */
import type { CampaignDefinition } from '@trailmark/schema';
import { profileHosts } from '../audiences/hosts';
import type { HostCampaignTotals } from './campaign-store';

export async function replicateCampaigns(env: Env, writeKey: string, put: readonly CampaignDefinition[], remove: readonly string[] = []): Promise<void> {
  await Promise.all(profileHosts(env, writeKey).map((host) => host.campaignDefine([...put], [...remove])));
}

export async function siteCampaignTotals(env: Env, writeKey: string, campaignId: string): Promise<HostCampaignTotals[]> {
  return Promise.all(profileHosts(env, writeKey).map((host) => host.campaignTotals(campaignId)));
}
