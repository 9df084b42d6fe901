/**
 * The report of contract section 8 from the profile hosts' totals: the
 * hosts' sums add up, then the experiments library turns them into every
 * figure, and the verdicts put the answer in one sentence each.
 */
import type { CampaignDay, CampaignDefinition, CampaignReport } from '@trailmark/schema';
import { conversionLift } from '../experiments/conversion-lift';
import { sequentialConversionLift } from '../experiments/sequential';
import { addTotals, EMPTY_TOTALS } from '../experiments/totals';
import { measureCampaign } from '../experiments/measure-campaign';
import { conversionVerdict, revenueVerdict } from '../experiments/verdict';
import { campaignState, type CampaignDayCounts, type HostCampaignTotals } from './campaign-store';
import { DAY_MS } from './outcome';

/** Days the timeline shows at most (the latest). */
export const TIMELINE_DAYS = 120;

export const ATTRIBUTION_METHOD =
  'A member is assigned when the campaign starts (if in the audience then) or when they enter the audience while it runs, once, at the collector’s clock. ' +
  'They convert with their first goal event (the event, and the product or category when the goal names one) whose time is within the window that follows; ' +
  'revenue is what their Order Completed events in that window total, in the campaign’s currency (the site’s when it was saved, kept from its start); orders in another currency add nothing and are counted in `otherCurrencyOrders`. Each stored event counts once. ' +
  'Figures of members still inside their window are so far; `matured` counts those whose window has closed. ' +
  'A person keeps their group when their browser and account profiles merge; if both had been assigned, the earlier assignment counts. ' +
  'The assignment that stays counts the events of both profiles inside its window (an order id once per person); `exposure.controlContacted` counts control members contacted as treatment under a profile merged into theirs.';

export const GLOBAL_HOLDOUT_METHOD =
  'Shoppers in the site-wide holdout (settings.globalHoldoutPercent, chosen by a hash of the site and the profile id) are assigned to no campaign and get no personalised recommendations; `globalHoldout` counts the audience members it kept out of this campaign.';

export function emptyHostTotals(): HostCampaignTotals {
  return {
    treatment: { ...EMPTY_TOTALS },
    control: { ...EMPTY_TOTALS },
    reached: 0,
    exposure: { delivered: 0, offerServed: 0, offerViewed: 0, offerClicked: 0, controlContacted: 0 },
    matured: { treatment: 0, control: 0 },
    globalHoldout: 0,
    otherCurrencyOrders: { treatment: 0, control: 0 },
    firstAssignedAt: null,
    days: [],
  };
}

/** Adds up the figures of several profile hosts. */
export function addHostTotals(parts: readonly HostCampaignTotals[]): HostCampaignTotals {
  return parts.reduce(
    (sum, part) => ({
      treatment: addTotals(sum.treatment, part.treatment),
      control: addTotals(sum.control, part.control),
      reached: sum.reached + part.reached,
      exposure: {
        delivered: sum.exposure.delivered + part.exposure.delivered,
        offerServed: sum.exposure.offerServed + part.exposure.offerServed,
        offerViewed: sum.exposure.offerViewed + part.exposure.offerViewed,
        offerClicked: sum.exposure.offerClicked + part.exposure.offerClicked,
        controlContacted: sum.exposure.controlContacted + part.exposure.controlContacted,
      },
      matured: { treatment: sum.matured.treatment + part.matured.treatment, control: sum.matured.control + part.matured.control },
      globalHoldout: sum.globalHoldout + part.globalHoldout,
      otherCurrencyOrders: {
        treatment: sum.otherCurrencyOrders.treatment + part.otherCurrencyOrders.treatment,
        control: sum.otherCurrencyOrders.control + part.otherCurrencyOrders.control,
      },
      firstAssignedAt:
        sum.firstAssignedAt === null
          ? part.firstAssignedAt
          : part.firstAssignedAt === null
            ? sum.firstAssignedAt
            : Math.min(sum.firstAssignedAt, part.firstAssignedAt),
      days: [...sum.days, ...part.days],
    }),
    emptyHostTotals(),
  );
}

export function campaignReport(
  campaign: CampaignDefinition,
  hosts: readonly HostCampaignTotals[],
  options: { now: number; currency: string; overlapping?: string[] },
): CampaignReport {
  const totals = addHostTotals(hosts);
  // The currency frozen when the campaign was saved; the site's for campaigns saved before it was kept.
  const currency = campaign.currency ?? options.currency;
  const m = measureCampaign({ treatment: totals.treatment, control: totals.control, reached: totals.reached, costPerContact: campaign.costPerContact ?? 0 });
  const status = campaignState(campaign, options.now);
  // ROI is made of the revenue difference: not said while revenue cannot be judged yet (too few buyers). Its
  // interval is fixed-horizon, so the verdict that may be read daily gives the estimate alone.
  const roi = m.revenueNotYet ? null : m.roi;
  const dailyRoi = roi && { ...roi, roiCi95: null };
  const provisional = fixedHorizonCaveat(status, totals);
  return {
    campaignId: campaign.id,
    name: campaign.name,
    status,
    startedAt: status === 'scheduled' ? null : campaign.startsAt,
    endsAt: campaign.endsAt ?? null,
    windowDays: campaign.windowDays,
    groups: m.groups,
    lift: m.lift,
    cuped: m.cuped,
    sequential: m.sequential,
    roi: m.roi,
    membersNeeded: m.membersNeeded,
    verdict: {
      conversionRate: conversionVerdict(m.lift.conversionRate, { needed: m.membersNeeded.conversionRate, roi, noun: 'members', provisional }),
      revenuePerMember: revenueVerdict(m.lift.revenuePerMember, currency, {
        needed: m.membersNeeded.revenuePerMember,
        noun: 'members',
        notYet: m.revenueNotYet,
        provisional,
      }),
      sequential: conversionVerdict(m.sequential.conversionRate, { needed: m.membersNeeded.sequentialConversionRate, roi: dailyRoi, noun: 'members' }),
    },
    exposure: totals.exposure,
    matured: totals.matured,
    globalHoldout: totals.globalHoldout,
    currency,
    otherCurrencyOrders: totals.otherCurrencyOrders,
    timeline: timeline(totals.days, timelineEnd(campaign, options.now)),
    overlapping: options.overlapping ?? [],
    methods: { ...m.methods, attribution: ATTRIBUTION_METHOD, globalHoldout: GLOBAL_HOLDOUT_METHOD },
  };
}

/**
 * Why the fixed-horizon verdicts are provisional, or null once they are
 * final: their intervals hold when read once, at the planned end, with
 * every member's window closed. Before that, the verdict to act on is the
 * always-valid one (`verdict.sequential`).
 */
export function fixedHorizonCaveat(status: CampaignReport['status'], totals: Pick<HostCampaignTotals, 'treatment' | 'control' | 'matured'>): string | null {
  const act = 'to act before then, read the daily verdict (always valid)';
  if (status !== 'ended') return `the fixed-horizon interval is valid read once, at the planned end; ${act}`;
  if (totals.matured.treatment + totals.matured.control < totals.treatment.members + totals.control.members) {
    return `the fixed-horizon interval is final once every member's window has closed; ${act}`;
  }
  return null;
}

/**
 * The last moment the timeline shows: now, or for a campaign that has ended
 * the close of its last members' window, after which nothing changes. Anchored
 * on now, a campaign ended long ago would show only its flat tail.
 */
export function timelineEnd(campaign: Pick<CampaignDefinition, 'endsAt' | 'windowDays'>, now: number): number {
  if (!campaign.endsAt) return now;
  return Math.min(now, Date.parse(campaign.endsAt) + campaign.windowDays * DAY_MS);
}

/**
 * Cumulative members and conversions per group at the end of each day, and
 * the lift's intervals as a reader would have seen them that day: the chart
 * of a campaign over time. The always-valid interval is the one that may be
 * acted on any day.
 */
export function timeline(days: readonly CampaignDayCounts[], until: number): CampaignDay[] {
  if (days.length === 0) return [];
  const today = Math.floor(until / DAY_MS);
  const first = Math.max(Math.min(...days.map((d) => d.day)), today - TIMELINE_DAYS + 1);
  const out: CampaignDay[] = [];
  const sums = { treatment: { members: 0, converted: 0 }, control: { members: 0, converted: 0 } };
  for (const d of days) if (d.day < first) add(d);
  function add(d: CampaignDayCounts): void {
    sums[d.group].members += d.assigned;
    sums[d.group].converted += d.converted;
  }
  for (let day = first; day <= today; day++) {
    for (const d of days) if (d.day === day) add(d);
    const group = (g: 'treatment' | 'control') => ({ ...sums[g], conversionRate: sums[g].members > 0 ? sums[g].converted / sums[g].members : null });
    const fixed = conversionLift(sums.treatment, sums.control);
    const sequential = sequentialConversionLift(sums.treatment, sums.control);
    out.push({
      day: new Date(day * DAY_MS).toISOString().slice(0, 10),
      treatment: group('treatment'),
      control: group('control'),
      absolute: fixed.absolute,
      ci95: fixed.ci95,
      sequentialCi95: sequential.ci95,
    });
  }
  return out;
}
