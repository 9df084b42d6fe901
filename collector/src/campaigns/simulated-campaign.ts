/**
 * A campaign run end to end through the store, offline: an audience of
 * simulated shoppers, assignment, their events (each shopper's spend before
 * the campaign, then orders in and after the window, with a known effect of
 * being in treatment), and the report. The tests and `bench/campaigns.ts`
 * compare what the report measures with the effect that was planted.
 */
import type { CampaignDefinition, CampaignReport, StoredMessage } from '@trailmark/schema';
import { SeededDraws } from '../experiments/simulation';
import { migrate } from '../lib/migrate';
import { openSqlJs } from '../lib/sqljs-sql';
import type { Profile } from '../profiles/profile';
import { migrateProfileHosting } from '../profiles/profile-hosting';
import { PROFILE_SHARD_MIGRATIONS } from '../schema-steps/profile-shard';
import { campaignReport } from './campaign-report';
import { CampaignStore } from './campaign-store';
import { DAY_MS } from './outcome';

export interface CampaignScenario {
  members: number;
  /** Conversion within the window without the campaign. */
  baseRate: number;
  /** Conversion points the campaign adds (0.04 = 4 points); 0 for an A/A campaign. */
  lift: number;
  /** Mean order value. */
  orderValue: number;
  holdoutPercent?: number;
  windowDays?: number;
  seed: number;
}

export interface SimulatedCampaign {
  report: CampaignReport;
  /** The true difference of conversion rates the scenario planted. */
  trueLift: number;
  /** Converted members counted directly from the generated events (what the export would hold). */
  counted: { treatment: number; control: number; revenueTreatment: number; revenueControl: number };
}

const START = Date.UTC(2026, 10, 2, 9);

export async function simulateCampaign(scenario: CampaignScenario): Promise<SimulatedCampaign> {
  const { sql, transaction } = await openSqlJs();
  // The tables of a profile shard with its audience and campaign modules, migrated as the object does.
  migrate(sql, PROFILE_SHARD_MIGRATIONS);
  migrateProfileHosting(sql);
  const windowDays = scenario.windowDays ?? 3;
  const campaign: CampaignDefinition = {
    id: `sim-${scenario.seed}`,
    name: 'Simulated',
    audienceId: 'everyone',
    holdoutPercent: scenario.holdoutPercent ?? 50,
    goal: { event: 'Order Completed' },
    windowDays,
    startsAt: new Date(START).toISOString(),
    // Read once, at the planned end, with every window closed: the reading the fixed-horizon interval is made for.
    endsAt: new Date(START + DAY_MS).toISOString(),
    costPerContact: 0.1,
    destinations: [],
  };
  const random = new SeededDraws(scenario.seed);
  const history = new Map<string, Profile['orders']>();
  const store = new CampaignStore(sql, (id) => ({ orders: history.get(id) ?? [] }));
  const site = { writeKey: 'sim', globalHoldoutPercent: 0, currency: 'USD' };
  transaction(() => {
    store.define(campaign, START);
    for (let i = 0; i < scenario.members; i++) {
      const id = `shopper-${scenario.seed}-${i}`;
      sql.exec('INSERT INTO audience_members (audience_id, profile_id, entered_at) VALUES (?, ?, ?)', 'everyone', id, START - DAY_MS);
      // Spend before predicts spend after (the CUPED covariate): big spenders before buy bigger baskets.
      if (random.uniform() < 0.3)
        history.set(id, [{ orderId: `h${i}`, at: START - 10 * DAY_MS, total: random.logNormal(scenario.orderValue, 0.6), currency: 'USD', productIds: [] }]);
    }
    store.sweep(START, site, scenario.members);
  });
  const counted = { treatment: 0, control: 0, revenueTreatment: 0, revenueControl: 0 };
  let messages = 0;
  transaction(() => {
    for (let i = 0; i < scenario.members; i++) {
      const id = `shopper-${scenario.seed}-${i}`;
      const group = store.assignmentsOf(id)[0]!.group;
      const before = history.get(id)?.[0]?.total ?? 0;
      // Past buyers buy again more often (the base rate is kept on average over everyone); the effect adds the same points to all.
      const rate = scenario.baseRate * (before > 0 ? 1.6 : 0.75) + (group === 'treatment' ? scenario.lift : 0);
      const events: { at: number; total: number }[] = [];
      if (random.uniform() < rate) {
        const at = START + random.uniform() * windowDays * DAY_MS;
        events.push({ at, total: before > 0 ? before * (0.8 + 0.4 * random.uniform()) : random.logNormal(scenario.orderValue, 0.6) });
        if (random.uniform() < 0.2)
          events.push({ at: Math.min(at + DAY_MS / 2, START + windowDays * DAY_MS - 1), total: random.logNormal(scenario.orderValue / 2, 0.5) });
      }
      // Orders after the window count for nothing.
      if (random.uniform() < scenario.baseRate) events.push({ at: START + (windowDays + 1) * DAY_MS, total: 100 });
      for (const event of events) {
        const timestamp = new Date(event.at).toISOString();
        const message = {
          type: 'track',
          event: 'Order Completed',
          messageId: `m${++messages}`,
          anonymousId: id,
          timestamp,
          receivedAt: timestamp,
          properties: { order_id: `o${messages}`, total: event.total, currency: 'USD' },
          context: {},
        } as unknown as StoredMessage;
        store.afterApply([{ message, profileId: id }], [], START + (windowDays + 2) * DAY_MS, site);
        if (event.at < START + windowDays * DAY_MS) {
          if (group === 'treatment') counted.revenueTreatment += event.total;
          else counted.revenueControl += event.total;
        }
      }
      if (events.some((e) => e.at < START + windowDays * DAY_MS)) counted[group]++;
    }
  });
  const now = START + (windowDays + 2) * DAY_MS;
  const report = campaignReport(campaign, [store.totals(campaign.id, now)], { now, currency: 'USD' });
  return { report, trueLift: scenario.lift, counted };
}
