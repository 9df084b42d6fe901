/**
 * Everything a profile host does for campaigns, in one unit next to the
 * audience host (audiences/audience-host.ts): the object that holds profiles
 * and memberships makes one CampaignHost over its SQLite and calls it
 *
 * - in the profile-apply transaction, after the audiences: `afterApply`
 *   (merges, new entrants, the batch's outcomes);
 * - as a job of its alarm (lib/alarms.ts): `run` sweeps the members of
 *   campaigns that started (or whose audience gained members with no event)
 *   in bounded steps, then hands treatment members to the campaign's
 *   destinations as `campaign.entered`;
 * - for reads over RPC: `offer` (the `offer` slot), `totals` (the report,
 *   added up across hosts by site-campaigns.ts), `define` (replication);
 * - at erasure: `forget`.
 */
import type { CampaignDefinition, DestinationChange, OfferView, StoredMessage } from '@trailmark/schema';
import { HandoffGate } from '../lib/handoff-gate';
import type { Sql } from '../lib/sql';
import type { Profile } from '../profiles/profile';
import { CampaignStore, type CampaignSite, type HostCampaignTotals } from './campaign-store';

/** The host's schema steps, frozen as shipped (lib/migrate.ts migrateModule, module "campaigns"). */
export { CAMPAIGN_MIGRATIONS } from '../schema-steps/campaign-host';
export const CAMPAIGN_MODULE = 'campaigns';

export interface CampaignHostOptions {
  sql: Sql;
  transaction: <T>(fn: () => T) => T;
  /** A profile document (for the spend before assignment). */
  profile: (profileId: string) => Pick<Profile, 'orders'> | undefined;
  /** The site as its settings say now (write key, global holdout, currency). */
  site: () => Promise<CampaignSite>;
  /** What a destination gets about each profile (contract section 7), by profile id; the erased are missing. */
  describe: (profileIds: string[]) => Promise<Map<string, DestinationChange['data']['profile']>>;
  /** The audience's name, for `data.audience` of a change. */
  audienceName: (audienceId: string) => string;
  /** destinations/producer.ts enqueueChanges: idempotent on each change's key. */
  deliver: (changes: DestinationChange[]) => Promise<{ enqueued: number; duplicates: number }>;
  clock: () => number;
}

const SWEEP_STEP = 500;
const SWEEP_STEPS_PER_RUN = 4;
const HANDOFF_STEP = 100;
const HANDOFF_STEPS_PER_RUN = 10;

/** An alarm job (lib/alarms.ts AlarmJob): name, due(), run(now). */
export class CampaignHost {
  readonly name = 'campaigns';
  readonly store: CampaignStore;
  private site: CampaignSite = { writeKey: '', globalHoldoutPercent: 0, currency: 'USD' };
  /** Hand-offs wait for erasures, and back off after a failure. */
  private readonly gate: HandoffGate;

  constructor(private readonly options: CampaignHostOptions) {
    this.store = new CampaignStore(options.sql, options.profile);
    this.gate = new HandoffGate('campaign', options.clock);
  }

  /** Reads the site's settings (cached by the site directory); call before afterApply and alarm work. */
  async refreshSite(): Promise<void> {
    this.site = await this.options.site();
  }

  afterApply(applied: readonly { message: StoredMessage; profileId: string | null }[], merges: readonly { from: string; into: string }[], now: number): void {
    this.store.afterApply(applied, merges, now, this.site);
  }

  // ---- the alarm job -----------------------------------------------------------

  due(): number | undefined {
    if (this.store.count === 0) return undefined;
    const now = this.options.clock();
    if (this.store.needsSweep(now)) return now;
    let next = this.store.nextStart(now);
    const at = this.gate.readyAt(now);
    if (at !== undefined && this.store.hasPendingDeliveries()) next = next === undefined ? at : Math.min(next, at);
    return next;
  }

  async run(now: number): Promise<void> {
    await this.refreshSite();
    for (let step = 0; step < SWEEP_STEPS_PER_RUN; step++) {
      const assigned = this.options.transaction(() => this.store.sweep(now, this.site, SWEEP_STEP));
      if (assigned < SWEEP_STEP) break;
    }
    await this.handOff();
  }

  /**
   * Hands queued treatment members to their campaign's destinations as
   * `campaign.entered`, with the offer. The key names the campaign and
   * profile, so a hand-off repeated after a crash delivers once. A failure
   * waits (doubling, up to a minute); none runs during an erasure
   * (lib/handoff-gate.ts).
   */
  private handOff(): Promise<void> {
    return this.gate.run(async () => {
      for (let step = 0; step < HANDOFF_STEPS_PER_RUN; step++) {
        const batch = this.store.pendingDeliveries(HANDOFF_STEP);
        if (batch.length === 0) return;
        const people = await this.options.describe([...new Set(batch.map((d) => d.profileId))]);
        const delivered = new Set<number>();
        // One call per campaign: its destinations take all of its changes or none.
        const byCampaign = new Map<string, typeof batch>();
        for (const d of batch) byCampaign.set(d.campaignId, [...(byCampaign.get(d.campaignId) ?? []), d]);
        for (const [campaignId, deliveries] of byCampaign) {
          const campaign = this.store.definition(campaignId);
          if (!campaign) continue;
          const changes = deliveries.flatMap((d) => {
            const profile = people.get(d.profileId);
            return profile
              ? [
                  {
                    seq: d.seq,
                    change: campaignEntered(campaign, this.options.audienceName(campaign.audienceId), { ...profile, profileId: d.profileId }, d.at),
                  },
                ]
              : [];
          });
          if (changes.length === 0) continue;
          const result = await this.options.deliver(changes.map((c) => c.change));
          if (result.enqueued + result.duplicates > 0) for (const c of changes) delivered.add(c.seq);
        }
        const now = this.options.clock();
        this.options.transaction(() => this.store.acknowledgeDeliveries(batch, delivered, now));
      }
    });
  }

  // ---- reads and replication (RPC) ----------------------------------------------

  define(put: readonly CampaignDefinition[], remove: readonly string[]): void {
    const now = this.options.clock();
    this.options.transaction(() => {
      for (const campaign of put) this.store.define(campaign, now);
      for (const id of remove) this.store.remove(id);
    });
  }

  offer(profileId: string | undefined): OfferView | null {
    if (!profileId || this.store.count === 0) return null;
    const now = this.options.clock();
    return this.options.transaction(() => this.store.offerFor(profileId, now));
  }

  totals(campaignId: string): HostCampaignTotals {
    return this.store.totals(campaignId, this.options.clock());
  }

  // ---- erasure -------------------------------------------------------------------

  /** Runs an erasure with no hand-off in flight or starting (what was handed over is cancelled by the caller). */
  erase<T>(fn: () => Promise<T>): Promise<T> {
    return this.gate.erase(fn);
  }

  forget(profileIds: readonly string[]): void {
    this.store.forget(profileIds);
  }
}

/** The change a destination receives when a treatment member enters a campaign (contract section 7's payload, with `campaign`). */
export function campaignEntered(
  campaign: CampaignDefinition,
  audienceName: string,
  profile: DestinationChange['data']['profile'],
  at: number,
): DestinationChange {
  return {
    key: `camp:${campaign.id}:${profile.profileId}`,
    type: 'campaign.entered',
    timestamp: new Date(at).toISOString(),
    destinations: campaign.destinations,
    data: {
      audience: { id: campaign.audienceId, name: audienceName },
      profile,
      campaign: {
        id: campaign.id,
        name: campaign.name,
        group: 'treatment',
        assignedAt: new Date(at).toISOString(),
        windowDays: campaign.windowDays,
        goal: campaign.goal,
        ...(campaign.offer ? { offer: campaign.offer } : {}),
      },
    },
  };
}
