/**
 * The demo's campaigns on a fresh `npm start`: each of the four seeded
 * campaigns reports members in both groups with intervals and a verdict;
 * the coffee maker coupon's conversions equal a recount from the exported
 * events and each converter's assignment (the profile API); a shopper who
 * viewed an offer gets the offer of their latest treatment campaign from the
 * offer slot, and a shopper the campaigns never assigned gets none.
 */
import { expect, test } from '@playwright/test';
import { adminJson, exportAll, type StoredEvent, waitForDemoSeed, WRITE_KEY } from './support';

const DAY = 86_400_000;
const CAMPAIGNS = ['coffee-maker-coupon', 'loyalty-top-tier', 'reorder-reminder', 'bavaria-picks'];

interface Group {
  members: number;
  reached: number;
  converted: number;
  revenue: number;
}
interface Report {
  status: string;
  groups: { treatment: Group; control: Group };
  lift: { conversionRate: { ci95: [number, number] | null; pValue: number | null } };
  sequential: { conversionRate: { ci95: [number, number] | null } };
  verdict: { conversionRate: { text: string } };
  timeline: unknown[];
  windowDays: number;
}
interface ProfileCampaign {
  campaignId: string;
  group: 'treatment' | 'control';
  assignedAt: string;
}

test.beforeAll(async () => {
  await waitForDemoSeed();
});

test('every demo campaign reports both groups with intervals and a verdict', async ({ baseURL }) => {
  for (const id of CAMPAIGNS) {
    const report = await adminJson<Report>(baseURL!, `/v1/admin/campaigns/${id}/report`);
    expect(report.status, id).toBe('running');
    expect(report.groups.treatment.members, id).toBeGreaterThan(0);
    expect(report.groups.control.members, id).toBeGreaterThan(0);
    expect(report.groups.treatment.reached, id).toBeGreaterThan(0);
    expect(report.groups.control.reached, id).toBe(0);
    expect(report.lift.conversionRate.ci95, id).toHaveLength(2);
    expect(report.sequential.conversionRate.ci95, id).toHaveLength(2);
    expect(report.verdict.conversionRate.text, id).toMatch(/points|not enough data/);
    expect(report.timeline.length, id).toBeGreaterThan(0);
  }
});

test('the coffee maker coupon counts exactly the exported orders of its members in their window', async ({ baseURL }) => {
  const report = await adminJson<Report>(baseURL!, '/v1/admin/campaigns/coffee-maker-coupon/report');
  const events = await exportAll(baseURL!);
  const goalOrders = events.filter(
    (e) =>
      e.event === 'Order Completed' &&
      (e.properties?.products ?? []).some((p: { category?: string }) => p.category?.startsWith('Home & Kitchen > Coffee Makers')),
  );
  const converted = { treatment: new Set<string>(), control: new Set<string>() };
  const assignments = new Map<string, ProfileCampaign | undefined>();
  for (const order of goalOrders) {
    if (!assignments.has(order.profileId)) {
      const id = order.userId ?? order.anonymousId!;
      const profile = await adminJson<{ campaigns: ProfileCampaign[] }>(baseURL!, `/v1/admin/profiles/${encodeURIComponent(id)}?writeKey=${WRITE_KEY}`);
      assignments.set(
        order.profileId,
        profile.campaigns.find((c) => c.campaignId === 'coffee-maker-coupon'),
      );
    }
    const assignment = assignments.get(order.profileId);
    if (!assignment) continue;
    const at = Date.parse(order.timestamp);
    const from = Date.parse(assignment.assignedAt);
    if (at >= from && at < from + report.windowDays * DAY) converted[assignment.group].add(order.profileId);
  }
  expect(report.groups.treatment.converted).toBe(converted.treatment.size);
  expect(report.groups.control.converted).toBe(converted.control.size);
  expect(converted.treatment.size + converted.control.size).toBeGreaterThan(0);
});

test('the offer slot shows the offer again to a shopper who viewed it, and nothing to a stranger', async ({ baseURL }) => {
  const events: StoredEvent[] = await exportAll(baseURL!);
  const viewed = events.find((e) => e.event === 'Offer Viewed' && e.anonymousId);
  expect(viewed).toBeDefined();
  const offer = async (anonymousId: string) => {
    const res = await fetch(`${baseURL}/v1/recommendations?writeKey=${WRITE_KEY}&slot=offer&anonymousId=${anonymousId}`);
    expect(res.status).toBe(200);
    return (await res.json()) as { slot: string; items: unknown[]; offer: { campaignId: string; title: string } | null };
  };
  const again = await offer(viewed!.anonymousId!);
  expect(again.slot).toBe('offer');
  expect(again.items).toEqual([]);
  // A shopper in several campaigns sees the one they were assigned to last (their order may have made them a member of another since).
  const profile = await adminJson<{ campaigns: ProfileCampaign[] }>(
    baseURL!,
    `/v1/admin/profiles/${encodeURIComponent(viewed!.anonymousId!)}?writeKey=${WRITE_KEY}`,
  );
  const treated = profile.campaigns.filter((c) => c.group === 'treatment');
  expect(treated.map((c) => c.campaignId)).toContain(viewed!.properties?.campaignId);
  const latest = [...treated].sort((a, b) => Date.parse(b.assignedAt) - Date.parse(a.assignedAt) || (a.campaignId < b.campaignId ? -1 : 1))[0]!;
  expect(again.offer?.campaignId).toBe(latest.campaignId);
  expect(again.offer?.title).toBeTruthy();
  expect((await offer('a-stranger-never-seen')).offer).toBeNull();
});
