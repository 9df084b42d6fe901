/**
 * Traffic: the period's visits by source and medium, campaign, landing page,
 * country, region, device, new or returning, or recommendation group, with
 * what those visits did (conversion, orders, revenue) and how visits moved
 * against the period before. A value can become a filter for every view.
 */
import { h } from '../../../shared/dom';
import { formatCount, formatPercent } from '../../../shared/format';
import { DIMENSIONS } from '../state';
import { dimensionLabel, valueLabel } from '../toolbar';
import type { BreakdownStats, StatsDimension } from '../types';
import { change, money, note, panel, ratio, table } from '../ui';
import type { View, ViewContext } from '../view-context';

export function acquisitionView(): View {
  return {
    async render(el: HTMLElement, ctx: ViewContext) {
      const by = ctx.state.by;
      const stats = await ctx.api.stats<BreakdownStats>('breakdown', ctx.scope, { by });
      if (!ctx.stillWanted()) return;
      const previous = new Map(stats.previous.map((r) => [`${r.value}\n${r.detail ?? ''}`, r]));
      const picker = h(
        'select',
        { id: 'breakdown-by', onchange: (event: Event) => ctx.store.update({ by: (event.target as HTMLSelectElement).value as StatsDimension }) },
        DIMENSIONS.map((d) => h('option', { value: d.id, selected: d.id === by }, d.label)),
      );
      const head = [
        dimensionLabel(by) + (by === 'source' ? ' / medium' : by === 'campaign' ? ' (source / medium)' : ''),
        'Visitors',
        'Visits',
        'Change',
        'New visitors',
        'Conversion',
        'Orders',
        'Revenue',
        '',
      ];
      const rows = stats.rows.map((r) => {
        const before = previous.get(`${r.value}\n${r.detail ?? ''}`);
        const label = valueLabel(by, r.value) + (r.detail ? (by === 'source' ? ` / ${r.detail}` : ` (${r.detail})`) : '');
        return [
          label,
          formatCount(r.visitors),
          formatCount(r.sessions),
          change(r.sessions, before?.sessions ?? 0),
          formatPercent(ratio(r.newVisitors, r.visitors)),
          formatPercent(ratio(r.convertedSessions, r.sessions)),
          formatCount(r.orders),
          money(r.revenue, stats.currency),
          ctx.state.filters[by] === r.value
            ? h('span', { class: 'muted' }, 'filtered')
            : h(
                'button',
                {
                  type: 'button',
                  class: 'small',
                  'aria-label': `Show only visits where ${dimensionLabel(by)} is ${valueLabel(by, r.value)}`,
                  onclick: () => ctx.store.update({ filters: { ...ctx.state.filters, [by]: r.value } }),
                },
                'Filter',
              ),
        ];
      });
      el.replaceChildren(
        h('p', { class: 'view-controls' }, h('label', { for: 'breakdown-by' }, 'Visits by '), picker),
        panel(
          `Visits by ${dimensionLabel(by).toLowerCase()}`,
          rows.length === 0
            ? note('No visits in this period.')
            : table(`Visits by ${dimensionLabel(by).toLowerCase()}`, head, rows, { captionHidden: true, numeric: [1, 2, 3, 4, 5, 6, 7] }),
          stats.otherSessions > 0 ? note(`${formatCount(stats.otherSessions)} more visits come from values not listed.`) : null,
          note(
            'A visit counts where it started. Conversion: visits with an order. Orders and revenue: the orders placed in those visits (order totals, per currency, never added across currencies). ',
            by === 'source' || by === 'medium'
              ? 'Source and medium come from the UTM parameters of the landing page, else from the referring site (search engines are organic, social sites social), else (direct).'
              : '',
          ),
        ),
      );
    },
  };
}
