/**
 * Campaign assignments and outcomes on a profile host (the Durable Object that
 * holds profiles and their audience memberships), over its SQLite.
 *
 * - Definitions are replicated from the admin API (`define`).
 * - Assignment: every member of the campaign's audience while it runs is
 *   assigned once, to treatment or control (assignment.ts), at the host's
 *   clock: members present at the start by `sweep`, later entries right
 *   after the batch that made them members (`afterApply`) or, for entries
 *   with no event (a time condition, a backfill), by the next `sweep`. The
 *   row then never changes group; an identity merge moves it to the
 *   surviving profile (`merge`), so a person keeps the group they were first
 *   given. Shoppers in the site-wide holdout are recorded as held out and
 *   assigned to nothing.
 * - Outcomes: each event applied to an assigned profile is credited once
 *   (by messageId, so a retried batch adds nothing): the first goal event
 *   in the member's window converts them, `Order Completed` in the window
 *   adds revenue, `Offer Viewed` / `Offer Clicked` of the campaign record
 *   exposure. The CUPED covariate (spend in the 30 days before assignment)
 *   is read from the profile when the member is assigned.
 * - Credits (`campaign_credits`) keep each such event's time, goal flag,
 *   revenue and order id, for every profile while a campaign can count it,
 *   member or not, in its window or not: when two profiles merge, the kept
 *   assignment adds the other profile's events inside its window (`merge`),
 *   so the person's figures are those of all their stored events.
 * - Totals per group come from SQL sums (experiments/totals.ts shapes), so a
 *   report costs one indexed aggregate per campaign and host.
 *
 * Every method runs inside the host's transaction. Its tables are the
 * campaign module's schema steps, frozen in schema-steps/campaign-host.ts.
 */
import type { CampaignDefinition, CampaignExposure, OfferView, StoredMessage } from '@trailmark/schema';
import type { CovariateTotals, GroupTotals } from '../experiments/totals';
import { EMPTY_TOTALS } from '../experiments/totals';
import { eventTimeMs } from '../lib/event-time';
import { first, type Sql } from '../lib/sql';
import type { Profile } from '../profiles/profile';
import { mergeTargets, survivorOf } from '../identity/batch-merges';
import { orderIdOf } from '../shop/seen-orders';
import { campaignGroup, inGlobalHoldout, type CampaignGroup } from './assignment';
import { DAY_MS, inWindow, isGoal, orderMoney, spendBefore } from './outcome';

/** What the store needs to know about the site at each call. */
export interface CampaignSite {
  writeKey: string;
  globalHoldoutPercent: number;
  /** The site's currency now: a campaign's amounts count in the currency frozen in its definition, else this one. */
  currency: string;
}

/** The currency a campaign's amounts count in: frozen in its definition when it was saved, else the site's. */
export function campaignCurrency(campaign: Pick<CampaignDefinition, 'currency'>, site: Pick<CampaignSite, 'currency'>): string {
  return campaign.currency ?? site.currency;
}

export type CampaignState = 'scheduled' | 'running' | 'ended';

export function campaignState(definition: Pick<CampaignDefinition, 'startsAt' | 'endsAt'>, now: number): CampaignState {
  if (now < Date.parse(definition.startsAt)) return 'scheduled';
  if (definition.endsAt && now >= Date.parse(definition.endsAt)) return 'ended';
  return 'running';
}

/** One host's figures of a campaign; the report adds the hosts' up. */
export interface HostCampaignTotals {
  treatment: GroupTotals & CovariateTotals;
  control: GroupTotals & CovariateTotals;
  /** Treatment members contacted: delivered to a destination, or with an offer view. */
  reached: number;
  exposure: CampaignExposure;
  matured: { treatment: number; control: number };
  globalHoldout: number;
  /** Orders inside members' windows left out of revenue because they are in another currency than the campaign's. */
  otherCurrencyOrders: { treatment: number; control: number };
  /** When the first member was assigned (ms), if any. */
  firstAssignedAt: number | null;
  days: CampaignDayCounts[];
}

/** Members assigned and converted per UTC day (days since the epoch), per group: the report's timeline. */
export interface CampaignDayCounts {
  day: number;
  group: CampaignGroup;
  assigned: number;
  converted: number;
}

export interface PendingDelivery {
  seq: number;
  campaignId: string;
  profileId: string;
  at: number;
}

const OFFER_VIEWED = 'offer viewed';
const OFFER_CLICKED = 'offer clicked';

type MemberRow = { grp: string; assigned_at: number };

/** Exposure columns of a member row: on a merge the kept row takes the earliest of both rows'. */
const EXPOSURE_COLUMNS = ['delivered_at', 'served_at', 'viewed_at', 'clicked_at'] as const;

/**
 * Whether an event at `at` can fall in some member's window of the campaign:
 * assignments happen while it runs, so windows lie between its start and
 * its end plus one window. Outside that, a non-member's event is not kept.
 */
function mayCount(campaign: CampaignDefinition, at: number): boolean {
  if (at < Date.parse(campaign.startsAt)) return false;
  return !campaign.endsAt || at < Date.parse(campaign.endsAt) + campaign.windowDays * DAY_MS;
}

export class CampaignStore {
  private campaigns = new Map<string, CampaignDefinition>();

  constructor(
    private readonly sql: Sql,
    /** The profile documents, for the spend before assignment. */
    private readonly profileOf: (profileId: string) => Pick<Profile, 'orders'> | undefined,
  ) {
    this.reload();
  }

  /** Reads the definitions again (after a transaction that changed them rolled back). */
  reload(): void {
    this.campaigns = new Map(
      this.sql
        .exec<{ campaign_id: string; definition: string }>('SELECT campaign_id, definition FROM campaign_definitions')
        .toArray()
        .map((row) => [row.campaign_id, JSON.parse(row.definition) as CampaignDefinition]),
    );
  }

  get count(): number {
    return this.campaigns.size;
  }

  definition(campaignId: string): CampaignDefinition | undefined {
    return this.campaigns.get(campaignId);
  }

  // ---- definitions -------------------------------------------------------

  /** Saves a definition as the admin API replicates it. Members already assigned keep their group. */
  define(definition: CampaignDefinition, now: number): void {
    const previous = this.campaigns.get(definition.id);
    // A new audience: its present members are swept from the start again.
    const restart = !previous || previous.audienceId !== definition.audienceId;
    this.sql.exec(
      `INSERT INTO campaign_definitions (campaign_id, definition, swept_through, updated_at) VALUES (?, ?, 0, ?)
       ON CONFLICT (campaign_id) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at,
         swept_through = CASE WHEN ? THEN 0 ELSE swept_through END`,
      definition.id,
      JSON.stringify(definition),
      now,
      restart ? 1 : 0,
    );
    this.campaigns.set(definition.id, definition);
  }

  /** Deletes a campaign and everything recorded about it on this host. */
  remove(campaignId: string): void {
    for (const table of ['campaign_definitions', 'campaign_members', 'campaign_held_out', 'campaign_credits', 'campaign_outbox']) {
      this.sql.exec(`DELETE FROM ${table} WHERE campaign_id = ?`, campaignId);
    }
    this.campaigns.delete(campaignId);
  }

  private running(now: number): CampaignDefinition[] {
    return [...this.campaigns.values()].filter((c) => campaignState(c, now) === 'running');
  }

  // ---- assignment ----------------------------------------------------------

  /**
   * Assigns running campaigns' audience members who entered since the last
   * sweep (all present members, the first time), `limit` at a time.
   * Returns how many were assigned (or held out); call again while that
   * equals `limit`.
   */
  sweep(now: number, site: CampaignSite, limit: number): number {
    let done = 0;
    for (const campaign of this.running(now)) {
      if (done >= limit) break;
      const room = limit - done;
      const rows = this.unassignedSince(campaign, room);
      for (const row of rows) this.assign(campaign, row.profile_id, now, site);
      done += rows.length;
      // A full page may have left members at the last entry time: continue from it (the assigned ones are skipped).
      const through = rows.length < room ? now : rows[rows.length - 1]!.entered_at;
      this.sql.exec('UPDATE campaign_definitions SET swept_through = MAX(swept_through, ?) WHERE campaign_id = ?', through, campaign.id);
    }
    return done;
  }

  /** Whether a sweep has members to assign: a running campaign's audience has an entry since its last sweep not yet assigned. */
  needsSweep(now: number): boolean {
    return this.running(now).some((campaign) => this.unassignedSince(campaign, 1).length > 0);
  }

  private unassignedSince(campaign: CampaignDefinition, limit: number): { profile_id: string; entered_at: number }[] {
    const since =
      first<{ swept_through: number }>(this.sql, 'SELECT swept_through FROM campaign_definitions WHERE campaign_id = ?', campaign.id)?.swept_through ?? 0;
    return this.sql
      .exec<{ profile_id: string; entered_at: number }>(
        `SELECT m.profile_id, m.entered_at FROM audience_members m
         WHERE m.audience_id = ? AND m.entered_at >= ?
           AND NOT EXISTS (SELECT 1 FROM campaign_members c WHERE c.campaign_id = ? AND c.profile_id = m.profile_id)
           AND NOT EXISTS (SELECT 1 FROM campaign_held_out h WHERE h.campaign_id = ? AND h.profile_id = m.profile_id)
         ORDER BY m.entered_at LIMIT ?`,
        campaign.audienceId,
        since,
        campaign.id,
        campaign.id,
        limit,
      )
      .toArray();
  }

  /** When the next scheduled campaign starts (its present members are then swept), if any. */
  nextStart(now: number): number | undefined {
    let next: number | undefined;
    for (const campaign of this.campaigns.values()) {
      const at = Date.parse(campaign.startsAt);
      if (at > now && (next === undefined || at < next)) next = at;
    }
    return next;
  }

  private assign(campaign: CampaignDefinition, profileId: string, now: number, site: CampaignSite): CampaignGroup | 'held-out' {
    if (inGlobalHoldout(site.writeKey, profileId, site.globalHoldoutPercent)) {
      this.sql.exec('INSERT OR IGNORE INTO campaign_held_out (campaign_id, profile_id, at) VALUES (?, ?, ?)', campaign.id, profileId, now);
      return 'held-out';
    }
    const group = campaignGroup(campaign.id, profileId, campaign.holdoutPercent);
    const spend = spendBefore(this.profileOf(profileId), now, campaignCurrency(campaign, site));
    this.sql.exec(
      'INSERT OR IGNORE INTO campaign_members (campaign_id, profile_id, grp, assigned_at, spend_before) VALUES (?, ?, ?, ?, ?)',
      campaign.id,
      profileId,
      group,
      now,
      spend,
    );
    if (group === 'treatment' && campaign.destinations.length > 0) {
      this.sql.exec('INSERT INTO campaign_outbox (campaign_id, profile_id, at) VALUES (?, ?, ?)', campaign.id, profileId, now);
    }
    return group;
  }

  /**
   * After a batch was applied (inside its transaction, after the audiences
   * were evaluated): merged profiles hand their assignments to the survivor,
   * profiles the batch made members of a running campaign's audience are
   * assigned, and the batch's events are credited to their members.
   */
  afterApply(
    applied: readonly { message: StoredMessage; profileId: string | null }[],
    merges: readonly { from: string; into: string }[],
    now: number,
    site: CampaignSite,
  ): void {
    if (this.campaigns.size === 0) return;
    for (const { from, into } of merges) this.merge(from, into);
    // A message applied before a merge of its batch names the profile merged away: it counts for the survivor.
    const targets = mergeTargets(merges);
    const messages = applied.map((a) => (a.profileId && targets.has(a.profileId) ? { ...a, profileId: survivorOf(a.profileId, targets) } : a));
    const changed = new Set<string>();
    for (const { message, profileId } of messages) if (profileId && !message.context.bot) changed.add(profileId);
    const running = this.running(now);
    for (const profileId of changed) {
      for (const campaign of running) {
        if (this.isAssigned(campaign.id, profileId)) continue;
        if (first(this.sql, 'SELECT 1 AS x FROM audience_members WHERE audience_id = ? AND profile_id = ?', campaign.audienceId, profileId)) {
          this.assign(campaign, profileId, now, site);
        }
      }
    }
    for (const { message, profileId } of messages) {
      if (profileId && !message.context.bot) this.credit(profileId, message, site);
    }
  }

  private isAssigned(campaignId: string, profileId: string): boolean {
    return (
      first(this.sql, 'SELECT 1 AS x FROM campaign_members WHERE campaign_id = ? AND profile_id = ?', campaignId, profileId) !== undefined ||
      first(this.sql, 'SELECT 1 AS x FROM campaign_held_out WHERE campaign_id = ? AND profile_id = ?', campaignId, profileId) !== undefined
    );
  }

  /**
   * Credits one event to each campaign it matters to, once per messageId: a
   * member's row takes it when it falls in their window (exposure from
   * assignment on), and the credit keeps what it brought for a later merge,
   * also for a profile that is no member.
   */
  private credit(profileId: string, message: StoredMessage, site: CampaignSite): void {
    const at = eventTimeMs(message);
    const event = message.type === 'track' ? message.event.trim().toLowerCase() : '';
    const orderId = orderIdOf(message) ?? null;
    const money = orderMoney(message, site.currency);
    for (const campaign of this.campaigns.values()) {
      // Amounts in another currency cannot be added up with the campaign's: the order adds no revenue, and is counted as left out.
      const sameCurrency = money !== null && money.currency === campaignCurrency(campaign, site);
      const revenue = sameCurrency ? money.total : 0;
      const otherCurrency = money !== null && !sameCurrency ? money.currency : null;
      const goal = isGoal(campaign.goal, message);
      const ofThisCampaign = message.type === 'track' && (message.properties as Record<string, unknown> | undefined)?.campaignId === campaign.id;
      const viewed = ofThisCampaign && event === OFFER_VIEWED;
      const clicked = ofThisCampaign && event === OFFER_CLICKED;
      if (!goal && revenue === 0 && !otherCurrency && !viewed && !clicked) continue;
      const row = first<MemberRow>(this.sql, 'SELECT grp, assigned_at FROM campaign_members WHERE campaign_id = ? AND profile_id = ?', campaign.id, profileId);
      const inside = row !== undefined && inWindow(at, row.assigned_at, campaign.windowDays);
      const exposure = row !== undefined && at >= row.assigned_at && (viewed || clicked);
      // Kept for a later merge only while some member's window can hold it (an ended campaign's credits stop growing).
      if (!inside && !exposure && !mayCount(campaign, at)) continue;
      this.sql.exec(
        'INSERT OR IGNORE INTO campaign_credits (campaign_id, profile_id, message_id, at, goal, revenue, order_id, other_currency) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        campaign.id,
        profileId,
        message.messageId,
        at,
        goal ? 1 : 0,
        revenue,
        orderId,
        otherCurrency,
      );
      if ((first<{ n: number }>(this.sql, 'SELECT changes() AS n')?.n ?? 0) === 0) continue;
      if (!inside && !exposure) continue;
      this.sql.exec(
        `UPDATE campaign_members SET
           converted_at = CASE WHEN ? THEN MIN(COALESCE(converted_at, ?), ?) ELSE converted_at END,
           revenue = revenue + ?,
           viewed_at = CASE WHEN ? THEN MIN(COALESCE(viewed_at, ?), ?) ELSE viewed_at END,
           clicked_at = CASE WHEN ? THEN MIN(COALESCE(clicked_at, ?), ?) ELSE clicked_at END
         WHERE campaign_id = ? AND profile_id = ?`,
        inside && goal ? 1 : 0,
        at,
        at,
        inside ? revenue : 0,
        viewed ? 1 : 0,
        at,
        at,
        clicked ? 1 : 0,
        at,
        at,
        campaign.id,
        profileId,
      );
    }
  }

  /**
   * A profile merged into another: its assignments follow the person. Where
   * both had been assigned to one campaign, the earlier assignment stays
   * (the person's first group and window) and the later one goes; its
   * contacts (delivery, offer served, viewed, clicked) are kept on the row
   * that stays, so a control member contacted as treatment under their
   * other profile shows in the report (`exposure.controlContacted`). The
   * row that stays then counts the other profile's credited events inside
   * its window (its first goal event, its order totals; an order id the
   * person already counted, once), whether that profile was assigned or
   * not; the credits follow the person.
   */
  merge(from: string, into: string): void {
    const campaignIds = this.sql
      .exec<{ campaign_id: string }>('SELECT DISTINCT campaign_id FROM campaign_members WHERE profile_id IN (?, ?)', from, into)
      .toArray()
      .map((r) => r.campaign_id);
    for (const campaignId of campaignIds) {
      const moving = first<MemberRow>(this.sql, 'SELECT grp, assigned_at FROM campaign_members WHERE campaign_id = ? AND profile_id = ?', campaignId, from);
      const staying = first<MemberRow>(this.sql, 'SELECT grp, assigned_at FROM campaign_members WHERE campaign_id = ? AND profile_id = ?', campaignId, into);
      // The earlier assignment stays (at a tie, the survivor's).
      const keepFrom = moving !== undefined && (staying === undefined || moving.assigned_at < staying.assigned_at);
      const [kept, keptRow, other] = keepFrom ? [from, moving, into] : [into, staying!, from];
      if (moving && staying) {
        const dropped = first<Record<(typeof EXPOSURE_COLUMNS)[number], number | null>>(
          this.sql,
          `SELECT ${EXPOSURE_COLUMNS.join(', ')} FROM campaign_members WHERE campaign_id = ? AND profile_id = ?`,
          campaignId,
          other,
        )!;
        this.sql.exec(
          `UPDATE campaign_members SET ${EXPOSURE_COLUMNS.map((c, i) => `${c} = MIN(COALESCE(${c}, ?${i + 1}), COALESCE(?${i + 1}, ${c}))`).join(', ')}
           WHERE campaign_id = ?${EXPOSURE_COLUMNS.length + 1} AND profile_id = ?${EXPOSURE_COLUMNS.length + 2}`,
          ...EXPOSURE_COLUMNS.map((c) => dropped[c]),
          campaignId,
          kept,
        );
        this.sql.exec('DELETE FROM campaign_members WHERE campaign_id = ? AND profile_id = ?', campaignId, other);
        this.sql.exec('DELETE FROM campaign_outbox WHERE campaign_id = ? AND profile_id = ?', campaignId, other);
      }
      this.countOtherCredits(campaignId, kept, keptRow.assigned_at, other);
      if (keepFrom) {
        this.sql.exec('DELETE FROM campaign_held_out WHERE campaign_id = ? AND profile_id = ?', campaignId, into);
        this.sql.exec('UPDATE campaign_members SET profile_id = ? WHERE campaign_id = ? AND profile_id = ?', into, campaignId, from);
        this.sql.exec('UPDATE campaign_outbox SET profile_id = ? WHERE campaign_id = ? AND profile_id = ?', into, campaignId, from);
      }
    }
    // Every credit is the person's now (message ids are unique per campaign: no clash).
    this.sql.exec('UPDATE campaign_credits SET profile_id = ? WHERE profile_id = ?', into, from);
    // Held out under the old id: the survivor is held out too, unless it was assigned.
    this.sql.exec(
      `INSERT OR IGNORE INTO campaign_held_out (campaign_id, profile_id, at)
       SELECT h.campaign_id, ?, h.at FROM campaign_held_out h
       WHERE h.profile_id = ? AND NOT EXISTS (SELECT 1 FROM campaign_members c WHERE c.campaign_id = h.campaign_id AND c.profile_id = ?)`,
      into,
      from,
      into,
    );
    this.sql.exec('DELETE FROM campaign_held_out WHERE profile_id = ?', from);
  }

  /**
   * Adds to the kept member row (of profile `kept`, assigned at
   * `assignedAt`) what profile `other`'s credits inside its window brought.
   * Credits made before schema step 2 carry no time and are left out.
   */
  private countOtherCredits(campaignId: string, kept: string, assignedAt: number, other: string): void {
    const campaign = this.campaigns.get(campaignId);
    if (!campaign) return;
    const found = first<{ converted: number | null; revenue: number }>(
      this.sql,
      `SELECT MIN(CASE WHEN o.goal = 1 THEN o.at END) AS converted, TOTAL(o.revenue) AS revenue
       FROM campaign_credits o
       WHERE o.profile_id = ? AND o.campaign_id = ? AND o.at >= ? AND o.at < ?
         AND (o.order_id IS NULL OR NOT EXISTS (
           SELECT 1 FROM campaign_credits k WHERE k.profile_id = ? AND k.campaign_id = o.campaign_id AND k.order_id = o.order_id))`,
      other,
      campaignId,
      assignedAt,
      assignedAt + campaign.windowDays * DAY_MS,
      kept,
    );
    if (!found || (found.converted === null && found.revenue === 0)) return;
    this.sql.exec(
      `UPDATE campaign_members SET converted_at = MIN(COALESCE(converted_at, ?1), COALESCE(?1, converted_at)), revenue = revenue + ?2
       WHERE campaign_id = ?3 AND profile_id = ?4`,
      found.converted,
      found.revenue,
      campaignId,
      kept,
    );
  }

  /** Erasure: the profiles leave every campaign without a trace (their figures leave the report too). */
  forget(profileIds: readonly string[]): void {
    for (const profileId of profileIds) {
      for (const table of ['campaign_members', 'campaign_held_out', 'campaign_credits', 'campaign_outbox']) {
        this.sql.exec(`DELETE FROM ${table} WHERE profile_id = ?`, profileId);
      }
    }
  }

  // ---- the offer slot --------------------------------------------------------

  /**
   * The offer a profile sees now: of the running campaigns with an offer in
   * which it is in treatment, the one it was assigned to last. The first
   * answer is recorded as exposure (`served_at`). Control sees nothing.
   */
  offerFor(profileId: string, now: number): OfferView | null {
    const rows = this.sql
      .exec<{ campaign_id: string; served_at: number | null }>(
        "SELECT campaign_id, served_at FROM campaign_members WHERE profile_id = ? AND grp = 'treatment' ORDER BY assigned_at DESC, campaign_id",
        profileId,
      )
      .toArray();
    for (const row of rows) {
      const campaign = this.campaigns.get(row.campaign_id);
      if (!campaign?.offer || campaignState(campaign, now) !== 'running') continue;
      if (row.served_at === null)
        this.sql.exec('UPDATE campaign_members SET served_at = ? WHERE campaign_id = ? AND profile_id = ?', now, campaign.id, profileId);
      return { campaignId: campaign.id, ...campaign.offer };
    }
    return null;
  }

  /** The profile's campaigns and groups (the profile API, tests). */
  assignmentsOf(profileId: string): { campaignId: string; group: CampaignGroup; assignedAt: number; convertedAt: number | null; revenue: number }[] {
    return this.sql
      .exec<{ campaign_id: string; grp: string; assigned_at: number; converted_at: number | null; revenue: number }>(
        'SELECT campaign_id, grp, assigned_at, converted_at, revenue FROM campaign_members WHERE profile_id = ? ORDER BY campaign_id',
        profileId,
      )
      .toArray()
      .map((r) => ({ campaignId: r.campaign_id, group: r.grp as CampaignGroup, assignedAt: r.assigned_at, convertedAt: r.converted_at, revenue: r.revenue }));
  }

  // ---- delivery outbox -------------------------------------------------------

  pendingDeliveries(limit: number): PendingDelivery[] {
    return this.sql
      .exec<{ seq: number; campaign_id: string; profile_id: string; at: number }>(
        'SELECT seq, campaign_id, profile_id, at FROM campaign_outbox ORDER BY seq LIMIT ?',
        limit,
      )
      .toArray()
      .map((r) => ({ seq: r.seq, campaignId: r.campaign_id, profileId: r.profile_id, at: r.at }));
  }

  hasPendingDeliveries(): boolean {
    return first(this.sql, 'SELECT 1 AS x FROM campaign_outbox LIMIT 1') !== undefined;
  }

  /** The destinations took these deliveries (`delivered`: at least one destination was there to take them). */
  acknowledgeDeliveries(deliveries: readonly PendingDelivery[], delivered: ReadonlySet<number>, now: number): void {
    for (const d of deliveries) {
      if (delivered.has(d.seq)) {
        this.sql.exec(
          'UPDATE campaign_members SET delivered_at = COALESCE(delivered_at, ?) WHERE campaign_id = ? AND profile_id = ?',
          now,
          d.campaignId,
          d.profileId,
        );
      }
      this.sql.exec('DELETE FROM campaign_outbox WHERE seq = ?', d.seq);
    }
  }

  // ---- the report ------------------------------------------------------------

  /** Assignments and first conversions per day and group (a few rows per day of the campaign). */
  dayCounts(campaignId: string): CampaignDayCounts[] {
    const rows = this.sql
      .exec<{ grp: string; day: number; assigned: number; converted: number }>(
        `SELECT grp, day, SUM(assigned) AS assigned, SUM(converted) AS converted FROM (
           SELECT grp, CAST(assigned_at / ${DAY_MS} AS INTEGER) AS day, 1 AS assigned, 0 AS converted FROM campaign_members WHERE campaign_id = ?
           UNION ALL
           SELECT grp, CAST(converted_at / ${DAY_MS} AS INTEGER) AS day, 0, 1 FROM campaign_members WHERE campaign_id = ? AND converted_at IS NOT NULL
         ) GROUP BY grp, day ORDER BY day`,
        campaignId,
        campaignId,
      )
      .toArray();
    return rows.map((r) => ({ day: r.day, group: r.grp as CampaignGroup, assigned: r.assigned, converted: r.converted }));
  }

  /**
   * Orders in another currency inside each member's window, per group, an
   * order id once per person. Credits follow the person on a merge, so this
   * counts over the same events as the member's revenue.
   */
  private otherCurrencyOrders(campaignId: string, windowMs: number): { treatment: number; control: number } {
    const rows = this.sql
      .exec<{ grp: string; n: number }>(
        `SELECT m.grp AS grp, COUNT(DISTINCT c.profile_id || ' ' || COALESCE('o:' || c.order_id, 'm:' || c.message_id)) AS n
         FROM campaign_credits c JOIN campaign_members m ON m.campaign_id = c.campaign_id AND m.profile_id = c.profile_id
         WHERE c.campaign_id = ? AND c.other_currency IS NOT NULL AND c.at >= m.assigned_at AND c.at < m.assigned_at + ?
         GROUP BY m.grp`,
        campaignId,
        windowMs,
      )
      .toArray();
    const count = (grp: CampaignGroup) => rows.find((r) => r.grp === grp)?.n ?? 0;
    return { treatment: count('treatment'), control: count('control') };
  }

  totals(campaignId: string, now: number): HostCampaignTotals {
    const campaign = this.campaigns.get(campaignId);
    const windowMs = (campaign?.windowDays ?? 0) * DAY_MS;
    const rows = this.sql
      .exec<{
        grp: string;
        members: number;
        converted: number;
        revenue: number;
        revenue_squares: number;
        buyers: number;
        spend: number;
        spend_squares: number;
        spend_revenue: number;
        reached: number;
        delivered: number;
        served: number;
        viewed: number;
        clicked: number;
        matured: number;
        first_at: number | null;
      }>(
        `SELECT grp, COUNT(*) AS members, SUM(converted_at IS NOT NULL) AS converted,
           TOTAL(revenue) AS revenue, TOTAL(revenue * revenue) AS revenue_squares,
           SUM(revenue > 0) AS buyers, TOTAL(spend_before) AS spend, TOTAL(spend_before * spend_before) AS spend_squares, TOTAL(spend_before * revenue) AS spend_revenue,
           SUM(delivered_at IS NOT NULL OR viewed_at IS NOT NULL) AS reached,
           SUM(delivered_at IS NOT NULL) AS delivered, SUM(served_at IS NOT NULL) AS served,
           SUM(viewed_at IS NOT NULL) AS viewed, SUM(clicked_at IS NOT NULL) AS clicked,
           SUM(assigned_at + ? <= ?) AS matured, MIN(assigned_at) AS first_at
         FROM campaign_members WHERE campaign_id = ? GROUP BY grp`,
        windowMs,
        now,
        campaignId,
      )
      .toArray();
    const group = (name: CampaignGroup): GroupTotals & CovariateTotals => {
      const row = rows.find((r) => r.grp === name);
      if (!row) return { ...EMPTY_TOTALS };
      return {
        members: row.members,
        converted: row.converted,
        revenue: row.revenue,
        revenueSquares: row.revenue_squares,
        buyers: row.buyers,
        spendBefore: row.spend,
        spendBeforeSquares: row.spend_squares,
        spendBeforeTimesRevenue: row.spend_revenue,
      };
    };
    const treatment = rows.find((r) => r.grp === 'treatment');
    const firsts = rows.map((r) => r.first_at).filter((t): t is number => t !== null);
    const heldOut = first<{ n: number }>(this.sql, 'SELECT COUNT(*) AS n FROM campaign_held_out WHERE campaign_id = ?', campaignId)?.n ?? 0;
    return {
      treatment: group('treatment'),
      control: group('control'),
      reached: treatment?.reached ?? 0,
      exposure: {
        delivered: treatment?.delivered ?? 0,
        offerServed: treatment?.served ?? 0,
        offerViewed: treatment?.viewed ?? 0,
        offerClicked: treatment?.clicked ?? 0,
        controlContacted: rows.find((r) => r.grp === 'control')?.reached ?? 0,
      },
      matured: { treatment: treatment?.matured ?? 0, control: rows.find((r) => r.grp === 'control')?.matured ?? 0 },
      globalHoldout: heldOut,
      otherCurrencyOrders: this.otherCurrencyOrders(campaignId, windowMs),
      firstAssignedAt: firsts.length ? Math.min(...firsts) : null,
      days: this.dayCounts(campaignId),
    };
  }
}
