/**
 * The morning page: visitors, shoppers, orders and revenue of the period
 * against the period before, day by day, the top traffic sources and the
 * funnel at a glance.
 */
import { fill, h } from '../../../shared/dom';
import { formatCount, formatPercent, formatPrice } from '../../../shared/format';
import { Chart } from '../chart';
import type { BreakdownStats, FunnelStats, OverviewStats } from '../types';
import { amountIn, change, kpiList, money, note, panel, ratio, table } from '../ui';
import type { View, ViewContext } from '../view-context';
import { stepLabel } from './funnel';

export function overviewView(): View {
  const visitorsChart = new Chart();
  const ordersChart = new Chart();
  return {
    async render(el: HTMLElement, ctx: ViewContext) {
      const [overview, sources, funnel] = await Promise.all([
        ctx.api.stats<OverviewStats>('overview', ctx.scope),
        ctx.api.stats<BreakdownStats>('breakdown', ctx.scope, { by: 'source' }),
        ctx.api.stats<FunnelStats>('funnel', ctx.scope),
      ]);
      if (!ctx.stillWanted()) return;
      const { current: c, previous: p, currency } = overview;
      const conversion = ratio(c.shoppers, c.visitors);
      const previousConversion = ratio(p.shoppers, p.visitors);
      const percent = (n: number) => formatPercent(n);
      fill(
        el,
        kpiList('Key figures', [
          { label: 'Visitors', value: formatCount(c.visitors), hint: 'people with a visit', change: change(c.visitors, p.visitors) },
          {
            label: 'New visitors',
            value: formatCount(c.newVisitors),
            hint: `${formatPercent(ratio(c.newVisitors, c.visitors))} of visitors`,
            change: change(c.newVisitors, p.newVisitors),
          },
          { label: 'Sessions', value: formatCount(c.sessions), hint: 'visits', change: change(c.sessions, p.sessions) },
          { label: 'Shoppers', value: formatCount(c.shoppers), hint: 'people who ordered', change: change(c.shoppers, p.shoppers) },
          {
            label: 'Conversion',
            value: formatPercent(conversion),
            hint: 'shoppers per visitor',
            change: change(conversion, previousConversion, 'up', percent),
          },
          { label: 'Orders', value: formatCount(c.orders), change: change(c.orders, p.orders) },
          {
            label: 'Revenue',
            value: money(c.revenue, currency),
            hint: `order totals, ${currency}`,
            change: change(amountIn(c.revenue, currency), amountIn(p.revenue, currency), 'up', (n) => formatPrice(n, currency)),
          },
          {
            label: 'Average order',
            value: money(c.averageOrderValue, currency),
            hint: `per order, ${currency}`,
            change: change(amountIn(c.averageOrderValue, currency), amountIn(p.averageOrderValue, currency), 'up', (n) => formatPrice(n, currency)),
          },
          {
            label: 'Bounce rate',
            value: formatPercent(ratio(c.bouncedSessions, c.sessions)),
            hint: 'visits of one page, with no search, add to cart or order',
            change: change(ratio(c.bouncedSessions, c.sessions), ratio(p.bouncedSessions, p.sessions), 'down', percent),
          },
        ]),
        c.revenue.length > 1
          ? note('Money is shown per currency and never added across currencies: the first amount is in the site currency, the others follow, not converted.')
          : null,
        h(
          'div',
          { class: 'columns' },
          panel(`Visitors per ${overview.granularity}`, visitorsChart.element),
          panel(`Orders per ${overview.granularity}`, ordersChart.element),
        ),
        h('div', { class: 'columns' }, topSources(sources, ctx), funnelGlance(funnel)),
      );
      const x = overview.overTime.map((b) => Date.parse(overview.granularity === 'hour' ? `${b.bucket}:00:00Z` : `${b.bucket}T00:00:00Z`) / 1000);
      const labels = overview.overTime.map((b) => (overview.granularity === 'hour' ? `${b.bucket.slice(5, 10)} ${b.bucket.slice(11)}:00` : b.bucket));
      const previous = (key: 'visitors' | 'orders') => overview.overTime.map((_, i) => overview.previousOverTime[i]?.[key] ?? null);
      await Promise.all([
        visitorsChart.draw({
          kind: 'time',
          x,
          xLabels: labels,
          xTitle: overview.granularity === 'hour' ? 'Hour (UTC)' : 'Day (UTC)',
          series: [
            { label: 'Visitors', color: '#0b6b4f', values: overview.overTime.map((b) => b.visitors) },
            { label: 'Previous period', color: '#9ca3af', values: previous('visitors'), dashed: true },
          ],
          summary: `Line chart of visitors per ${overview.granularity}: ${formatCount(c.visitors)} people in the period, against ${formatCount(p.visitors)} in the period before.`,
        }),
        ordersChart.draw({
          kind: 'time',
          x,
          xLabels: labels,
          xTitle: overview.granularity === 'hour' ? 'Hour (UTC)' : 'Day (UTC)',
          series: [
            { label: 'Orders', color: '#1d4ed8', values: overview.overTime.map((b) => b.orders) },
            { label: 'Previous period', color: '#9ca3af', values: previous('orders'), dashed: true },
          ],
          summary: `Line chart of orders per ${overview.granularity}: ${formatCount(c.orders)} in the period, against ${formatCount(p.orders)} in the period before.`,
        }),
      ]);
    },
  };
}

function topSources(stats: BreakdownStats, ctx: ViewContext): HTMLElement {
  const rows = stats.rows.slice(0, 5);
  return panel(
    'Top traffic sources',
    rows.length === 0
      ? note('No visits in this period.')
      : table(
          'Top traffic sources',
          ['Source / medium', 'Visitors', 'Conversion', 'Revenue'],
          rows.map((r) => [
            `${r.value} / ${r.detail ?? ''}`,
            formatCount(r.visitors),
            formatPercent(ratio(r.convertedSessions, r.sessions)),
            money(r.revenue, stats.currency),
          ]),
          { captionHidden: true },
        ),
    h('p', { class: 'more' }, h('a', { href: '#/acquisition', onclick: goTo(ctx, 'acquisition') }, 'All traffic sources and campaigns')),
  );
}

function funnelGlance(funnel: FunnelStats): HTMLElement {
  return panel(
    'Funnel at a glance',
    table(
      'Funnel: people per step',
      ['Step', 'People', 'From the step before'],
      funnel.steps.map((s) => [stepLabel(s.step), formatCount(s.people), formatPercent(s.fromPrevious)]),
      { captionHidden: true },
    ),
    note(
      `People who did each step after the one before, within ${funnel.windowHours >= 24 ? `${funnel.windowHours / 24} day(s)` : `${funnel.windowHours} h`} of their first product view.`,
    ),
    h('p', { class: 'more' }, h('a', { href: '#/funnel' }, 'The funnel, its drop-offs and the people behind them')),
  );
}

function goTo(ctx: ViewContext, view: 'acquisition'): EventListener {
  return (event) => {
    event.preventDefault();
    ctx.store.update({ view });
  };
}
