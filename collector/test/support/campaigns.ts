/**
 * Helpers for the tests that run campaigns (contract section 8): the admin
 * calls, and the profile host's alarm run until its audiences and campaigns
 * have nothing left due.
 */
import { SELF, env, runInDurableObject } from 'cloudflare:test';
import type { AudienceHost } from '../../src/audiences/audience-host';
import type { CampaignHost } from '../../src/campaigns/campaign-host';
import type { ShopState } from '../../src/shop/shop-state';
import { runAlarm } from './audiences';
import { ADMIN, BASE } from './collector';

export function putCampaign(writeKey: string, id: string, body: Record<string, unknown>): Promise<Response> {
  return SELF.fetch(`${BASE}/v1/admin/campaigns/${id}?writeKey=${writeKey}`, {
    method: 'PUT',
    headers: { ...ADMIN, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** A campaign's report (its groups' members, conversions and revenue). */
export async function report(writeKey: string, id: string): Promise<Record<string, any>> {
  const res = await SELF.fetch(`${BASE}/v1/admin/campaigns/${id}/report?writeKey=${writeKey}`, { headers: ADMIN });
  if (res.status !== 200) throw new Error(`campaign report: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Runs the profile host's alarm until neither audiences nor campaigns have work due. */
export async function settle(writeKey: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const due = await runInDurableObject(env.SHOP_STATE.getByName(writeKey), async (instance: ShopState) => {
      const hosts = instance as unknown as { audiences: AudienceHost; campaigns: CampaignHost };
      await hosts.audiences.idle();
      const now = instance.clock();
      return [hosts.audiences.due(), hosts.campaigns.due()].some((at) => at !== undefined && at <= now);
    });
    if (!due) return;
    await runAlarm(writeKey);
  }
  throw new Error('the profile host never settled');
}
