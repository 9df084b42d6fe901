import { describe, expect, it } from 'vitest';
import type { CampaignDefinition } from '@trailmark/schema';
import { addHostTotals, campaignReport, emptyHostTotals, timeline, timelineEnd } from './campaign-report';
import { DAY_MS } from './outcome';

const DAY0 = Math.floor(Date.UTC(2026, 10, 2) / DAY_MS);

describe('timeline', () => {
  it('accumulates members and conversions day by day, with both intervals', () => {
    const days = [
      { day: DAY0, group: 'treatment' as const, assigned: 100, converted: 5 },
      { day: DAY0, group: 'control' as const, assigned: 100, converted: 2 },
      { day: DAY0 + 2, group: 'treatment' as const, assigned: 50, converted: 10 },
    ];
    const series = timeline(days, (DAY0 + 2) * DAY_MS + 5000);
    expect(series.map((d) => d.day)).toEqual(['2026-11-02', '2026-11-03', '2026-11-04']);
    expect(series[1]!.treatment).toEqual({ members: 100, converted: 5, conversionRate: 0.05 });
    expect(series[2]!.treatment).toEqual({ members: 150, converted: 15, conversionRate: 0.1 });
    expect(series[2]!.control).toEqual({ members: 100, converted: 2, conversionRate: 0.02 });
    const last = series[2]!;
    expect(last.absolute).toBeCloseTo(0.08, 10);
    // The always-valid interval is wider than the fixed one, around the same difference.
    expect(last.sequentialCi95![0]).toBeLessThan(last.ci95![0]);
    expect(last.sequentialCi95![1]).toBeGreaterThan(last.ci95![1]);
  });

  it('shows at most the last 120 days, starting from what came before', () => {
    const series = timeline([{ day: DAY0, group: 'control', assigned: 3, converted: 1 }], (DAY0 + 200) * DAY_MS);
    expect(series).toHaveLength(120);
    expect(series[0]!.control.members).toBe(3);
  });

  it('of a campaign that ended long ago, shows its run up to the close of the last window, not the flat tail up to today', () => {
    const campaign = { endsAt: new Date((DAY0 + 10) * DAY_MS).toISOString(), windowDays: 3 };
    const days = [
      { day: DAY0, group: 'treatment' as const, assigned: 100, converted: 5 },
      { day: DAY0, group: 'control' as const, assigned: 100, converted: 2 },
      { day: DAY0 + 12, group: 'treatment' as const, assigned: 0, converted: 4 },
    ];
    const series = timeline(days, timelineEnd(campaign, (DAY0 + 400) * DAY_MS));
    expect(series.map((d) => d.day)[0]).toBe('2026-11-02');
    expect(series).toHaveLength(14);
    expect(series.at(-1)!.treatment).toEqual({ members: 100, converted: 9, conversionRate: 0.09 });
    // Still running, or with no end: up to today.
    expect(timelineEnd(campaign, (DAY0 + 11) * DAY_MS)).toBe((DAY0 + 11) * DAY_MS);
    expect(timelineEnd({ windowDays: 3 }, (DAY0 + 400) * DAY_MS)).toBe((DAY0 + 400) * DAY_MS);
  });
});

describe('campaignReport', () => {
  const campaign: CampaignDefinition = {
    id: 'c',
    name: 'C',
    audienceId: 'a',
    holdoutPercent: 50,
    goal: { event: 'Order Completed' },
    windowDays: 3,
    startsAt: '2026-11-02T00:00:00.000Z',
    costPerContact: 1,
    destinations: [],
  };

  it('adds the hosts up and says the answer in words', () => {
    const host = (members: number, converted: number, group: 'treatment' | 'control') => {
      const totals = emptyHostTotals();
      totals[group] = { ...totals[group], members, converted, revenue: converted * 50, revenueSquares: converted * 2500 };
      if (group === 'treatment') totals.reached = members;
      return totals;
    };
    const parts = [host(600, 90, 'treatment'), host(600, 48, 'control'), host(400, 60, 'treatment'), host(400, 32, 'control')];
    expect(addHostTotals(parts).treatment.members).toBe(1000);
    const report = campaignReport(campaign, parts, { now: Date.parse('2026-11-10T00:00:00Z'), currency: 'EUR' });
    expect(report.groups.treatment).toMatchObject({ members: 1000, converted: 150, reached: 1000, conversionRate: 0.15 });
    expect(report.groups.control).toMatchObject({ members: 1000, converted: 80, reached: 0 });
    expect(report.status).toBe('running');
    expect(report.verdict.revenuePerMember.text).toContain('EUR');
    expect(report.roi.cost).toBe(1000);
    expect(report.methods.attribution).toContain('window');
    // Read once, at the planned end, with every window closed: the fixed-horizon verdict is a finding.
    const matured = parts.map((p) => ({ ...p, matured: { treatment: p.treatment.members, control: p.control.members } }));
    const ended = campaignReport({ ...campaign, endsAt: '2026-11-05T00:00:00.000Z' }, matured, { now: Date.parse('2026-11-10T00:00:00Z'), currency: 'EUR' });
    expect(ended.status).toBe('ended');
    expect(ended.verdict.conversionRate.status).toBe('better');
    expect(ended.verdict.conversionRate.text).toMatch(/^treatment converts 7\.0 points better \(95% interval [\d.]+ to [\d.]+\); significant/);
  });

  it('draws the timeline of a campaign ended long ago from its start, up to the close of its last window', () => {
    const totals = emptyHostTotals();
    totals.days = [
      { day: DAY0, group: 'treatment', assigned: 100, converted: 5 },
      { day: DAY0, group: 'control', assigned: 100, converted: 2 },
    ];
    const ended = { ...campaign, endsAt: '2026-11-12T00:00:00.000Z' };
    const report = campaignReport(ended, [totals], { now: Date.parse('2027-09-01T00:00:00Z'), currency: 'EUR' });
    expect(report.timeline.map((d) => d.day)).toEqual(Array.from({ length: 14 }, (_, i) => new Date((DAY0 + i) * DAY_MS).toISOString().slice(0, 10)));
  });

  it('calls the fixed-horizon verdict provisional while the campaign runs or windows are open, and points to the daily one', () => {
    const totals = { ...emptyHostTotals(), reached: 1000 };
    totals.treatment = { ...totals.treatment, members: 1000, converted: 150 };
    totals.control = { ...totals.control, members: 1000, converted: 80 };
    const now = Date.parse('2026-11-10T00:00:00Z');
    // Running: peeking at a fixed interval finds differences that are not there.
    const running = campaignReport(campaign, [totals], { now, currency: 'EUR' });
    expect(running.verdict.conversionRate).toEqual({
      status: 'unclear',
      text: expect.stringMatching(
        /^provisional: treatment converts 7\.0 points better \(95% interval [\d.]+ to [\d.]+\); the fixed-horizon interval is valid read once, at the planned end; to act before then, read the daily verdict \(always valid\)$/,
      ),
    });
    // The always-valid verdict is the one to act on mid-campaign.
    expect(running.verdict.sequential.status).toBe('better');
    // Ended, but some members are still inside their window.
    const ended = { ...campaign, endsAt: '2026-11-09T00:00:00.000Z' };
    const open = campaignReport(ended, [{ ...totals, matured: { treatment: 900, control: 1000 } }], { now, currency: 'EUR' });
    expect(open.verdict.conversionRate.status).toBe('unclear');
    expect(open.verdict.conversionRate.text).toContain("final once every member's window has closed");
    const closed = campaignReport(ended, [{ ...totals, matured: { treatment: 1000, control: 1000 } }], { now, currency: 'EUR' });
    expect(closed.verdict.conversionRate.status).toBe('better');
    // Not yet distinguishable stays as it is: there is nothing to hold back.
    const flat = { ...totals, treatment: { ...totals.treatment, converted: 82 } };
    expect(campaignReport(campaign, [flat], { now, currency: 'EUR' }).verdict.conversionRate.text).toMatch(/^not yet distinguishable/);
  });

  it('says ROI only once revenue can be judged, and the daily verdict without the fixed-horizon ROI interval', () => {
    const group = (members: number, converted: number, buyers: number, basket: number) => ({
      ...emptyHostTotals().treatment,
      members,
      converted,
      revenue: buyers * basket,
      revenueSquares: buyers * basket * basket,
      buyers,
    });
    const ended = { ...campaign, endsAt: '2026-11-05T00:00:00.000Z', costPerContact: 0.01 };
    const now = Date.parse('2026-12-01T00:00:00Z');
    const host = (treatment: ReturnType<typeof group>, control: ReturnType<typeof group>) => ({
      ...emptyHostTotals(),
      treatment,
      control,
      reached: treatment.members,
      matured: { treatment: treatment.members, control: control.members },
    });
    // 0 of 13 control members bought: the conversion lift is clear, the revenue (and so the ROI) is not yet.
    const few = campaignReport(ended, [host(group(400, 120, 40, 60), group(13, 0, 0, 0))], { now, currency: 'EUR' });
    expect(few.verdict.conversionRate.status).toBe('better');
    expect(few.verdict.conversionRate.text).not.toContain('ROI');
    expect(few.verdict.sequential.text).not.toContain('ROI');
    // Buyers enough in both groups: the ROI is said, with its interval only in the fixed-horizon verdict.
    const many = campaignReport(ended, [host(group(4000, 1200, 800, 60), group(4000, 600, 400, 60))], { now, currency: 'EUR' });
    expect(many.verdict.conversionRate.text).toMatch(/; ROI \+[\d,]+% \(95% interval \+[\d,]+% to \+[\d,]+%; 0% is break-even\)$/);
    expect(many.verdict.sequential.text).toMatch(/; ROI \+[\d,]+% \(0% is break-even\)$/);
  });

  it('is empty but well formed before anyone is assigned', () => {
    const report = campaignReport({ ...campaign, startsAt: '2099-01-01T00:00:00.000Z' }, [], { now: Date.now(), currency: 'USD' });
    expect(report).toMatchObject({ status: 'scheduled', startedAt: null, timeline: [] });
    expect(report.verdict.conversionRate).toEqual({ status: 'unknown', text: 'not enough data yet' });
  });
});
