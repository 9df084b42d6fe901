/**
 * Campaigns against their control group (GET /v1/admin/campaigns and each
 * one's report): who was assigned and reached, who converted within the
 * window and what they spent, the lift with its interval and the verdict in
 * words (the fixed-horizon one and the one that may be read every day), the
 * return on what contacting cost, and conversion day by day. The report is
 * the campaign's own, whatever the period above: the groups are the
 * experiment. Below the list, a form creates a campaign on an audience.
 */
import { h } from '../../../shared/dom';
import { formatCount, formatPercent, formatPrice } from '../../../shared/format';
import { Chart } from '../chart';
import type { CampaignReport, CampaignView } from '../types';
import { emptyState, formatDateTime, note } from '../ui';
import type { View, ViewContext } from '../view-context';
import { campaignForm } from './campaign-form';
import { liftRow } from './slots';

const STATUS_WORDS: Record<CampaignView['status'], string> = { scheduled: 'scheduled', running: 'running', ended: 'ended' };

export function campaignsView(): View {
  const charts = new Map<string, Chart>();
  let ctx: ViewContext | undefined;
  const list = h('div', { 'data-campaigns-list': '' });
  // The form is kept across the dashboard's refreshes; only the list is drawn again.
  const form = campaignForm(
    () => ctx,
    () => void draw(),
  );
  const root = h('div', { class: 'campaigns' }, list, form.element);

  async function draw(): Promise<void> {
    const current = ctx;
    if (!current) return;
    const [{ campaigns }, { audiences }] = await Promise.all([current.api.campaigns(), current.api.audiences()]);
    const reports = await Promise.all(campaigns.map((c) => current.api.campaignReport(c.id)));
    if (!current.stillWanted()) return;
    form.setAudiences(audiences);
    if (campaigns.length === 0) {
      list.replaceChildren(emptyState('No campaigns yet. Create one below on one of the site’s audiences.'));
      return;
    }
    list.replaceChildren(
      note(
        'Each campaign assigns its audience once to treatment (contacted) or control (not), and counts a member as converted at their first goal event within the window. Figures are the campaign’s whole run, whatever the period above; money is in the site’s currency, orders in other currencies are not counted.',
      ),
      ...campaigns.map((campaign, i) => campaignPanel(campaign, reports[i]!, charts)),
    );
    for (const [i, report] of reports.entries()) {
      const chart = charts.get(campaigns[i]!.id)!;
      if (report.timeline.length < 2) continue;
      await chart.draw({
        kind: 'time',
        x: report.timeline.map((d) => Date.parse(`${d.day}T00:00:00Z`) / 1000),
        xLabels: report.timeline.map((d) => d.day),
        xTitle: 'Day (UTC)',
        series: [
          { label: 'Treatment', values: report.timeline.map((d) => d.treatment.conversionRate), color: '#0f6b4f' },
          { label: 'Control', values: report.timeline.map((d) => d.control.conversionRate), color: '#6b7280', dashed: true },
        ],
        summary: `Line chart of cumulative conversion by day for ${campaigns[i]!.name}: treatment ${formatPercent(report.groups.treatment.conversionRate)}, control ${formatPercent(report.groups.control.conversionRate)} now.`,
        format: (n) => formatPercent(n),
      });
    }
  }

  return {
    async render(el: HTMLElement, context: ViewContext) {
      ctx = context;
      if (root.parentElement !== el) el.replaceChildren(root);
      await draw();
    },
  };
}

function campaignPanel(campaign: CampaignView, report: CampaignReport, charts: Map<string, Chart>): HTMLElement {
  const { treatment, control } = report.groups;
  const money = (n: number | null) => (n === null ? '–' : formatPrice(n, report.currency));
  const chart = charts.get(campaign.id) ?? new Chart();
  charts.set(campaign.id, chart);
  const goal = [
    campaign.goal.event,
    campaign.goal.category ? `in ${campaign.goal.category}` : '',
    campaign.goal.productId ? `of ${campaign.goal.productId}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const roi = report.roi;
  return h(
    'article',
    { class: 'slot panel campaign', 'data-campaign': campaign.id, 'aria-labelledby': `campaign-${campaign.id}` },
    h('h3', { id: `campaign-${campaign.id}` }, campaign.name, ' ', h('span', { class: `badge status-${campaign.status}` }, STATUS_WORDS[campaign.status])),
    h(
      'p',
      { class: 'note' },
      `Audience ${campaign.audienceId} · goal: ${goal} within ${campaign.windowDays} ${campaign.windowDays === 1 ? 'day' : 'days'} · ${campaign.holdoutPercent}% held out as control · `,
      report.startedAt ? `started ${formatDateTime(report.startedAt)}` : `starts ${formatDateTime(campaign.startsAt)}`,
      report.endsAt ? `, ends ${formatDateTime(report.endsAt)}` : '',
    ),
    h(
      'div',
      { class: 'slot-body' },
      h(
        'div',
        { class: 'slot-tables' },
        compactTable(
          'Treatment against control',
          ['Measure', 'Treatment', 'Control'],
          [
            ['Members', formatCount(treatment.members), formatCount(control.members)],
            ['Reached (delivered or saw the offer)', formatCount(treatment.reached), '–'],
            ['Converted', formatCount(treatment.converted), formatCount(control.converted)],
            ['Conversion rate', formatPercent(treatment.conversionRate), formatPercent(control.conversionRate)],
            [`Revenue (${report.currency})`, money(treatment.revenue), money(control.revenue)],
            [`Revenue per member (${report.currency})`, money(treatment.revenuePerMember), money(control.revenuePerMember)],
          ],
        ),
        note(
          `Revenue: the totals of members’ orders within ${campaign.windowDays} ${campaign.windowDays === 1 ? 'day' : 'days'} of their assignment, in ${report.currency}. Final for ${formatCount(report.matured.treatment + report.matured.control)} members whose window has closed.`,
        ),
        otherCurrencyNote(report),
        compactTable(
          'Contact and cost',
          ['Measure', 'Value'],
          [
            ['Handed to a destination', formatCount(report.exposure.delivered)],
            ['Shown the offer on the site', formatCount(report.exposure.offerServed)],
            ['Saw the offer / clicked it', `${formatCount(report.exposure.offerViewed)} / ${formatCount(report.exposure.offerClicked)}`],
            [`Incremental revenue (${report.currency})`, money(roi.incrementalRevenue)],
            [`Cost (${report.currency})`, money(roi.cost)],
            [
              'Return on cost (0% is break-even)',
              roi.roi === null
                ? '–'
                : `${roiPercent(roi.roi)}${roi.roiCi95 ? ` (95% interval ${roiPercent(roi.roiCi95[0])} to ${roiPercent(roi.roiCi95[1])})` : ''}`,
            ],
          ],
        ),
      ),
      h(
        'div',
        { class: 'lifts' },
        h('h4', {}, 'Relative lift over control, 95% interval'),
        liftRow('Conversion, at the planned end', report.lift.conversionRate, report.verdict.conversionRate),
        liftRow('Conversion, read daily', report.sequential.conversionRate, report.verdict.sequential),
        liftRow('Revenue per member, at the planned end', report.lift.revenuePerMember, report.verdict.revenuePerMember),
        report.status !== 'running'
          ? null
          : note('While the campaign runs, act on the row read daily: the others hold when read once, at the planned end, and are provisional until then.'),
        report.overlapping.length
          ? note(`Other campaigns run on the same audience (${report.overlapping.join(', ')}): some of this control group is treated by them.`)
          : null,
      ),
    ),
    report.timeline.length >= 2
      ? h(
          'div',
          { class: 'campaign-timeline' },
          h('h4', {}, 'Conversion so far, day by day'),
          chart.element,
          note('Cumulative share of each group converted by the end of each day (UTC).'),
        )
      : null,
  );
}

/** Orders in another currency add nothing to revenue: said, per group, so a revenue figure is never silently short. */
function otherCurrencyNote(report: CampaignReport): HTMLElement | null {
  const { treatment, control } = report.otherCurrencyOrders;
  if (treatment + control === 0) return null;
  const orders = (n: number) => `${formatCount(n)} ${n === 1 ? 'order' : 'orders'}`;
  return note(`Left out of revenue for their currency (not ${report.currency}): ${orders(treatment)} of treatment, ${orders(control)} of control.`);
}

/** ROI, (incremental revenue − cost) / cost, as a signed percentage: 3.2 → "+320%", 2999 → "+299,900%". */
function roiPercent(roi: number): string {
  const percent = Math.round(roi * 100);
  const text = formatCount(Math.abs(percent));
  return percent > 0 ? `+${text}%` : percent < 0 ? `−${text}%` : '0%';
}

/** A few measures side by side that fit a phone as they are (like the slots' tables), so they stay tables instead of cards. */
function compactTable(caption: string, head: string[], rows: string[][]): HTMLTableElement {
  return h(
    'table',
    { class: 'data slot-table' },
    h('caption', {}, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        head.map((label, i) => h('th', { scope: 'col', class: i > 0 ? 'num' : undefined }, label)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map(([label, ...cells]) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, label!),
          cells.map((cell) => h('td', { class: 'num' }, cell)),
        ),
      ),
    ),
  );
}
