/** What sells where: each region's product views, units and item sales (per currency), with its top products and aisles. */
import { h } from '../../../shared/dom';
import { formatCount, plural } from '../../../shared/format';
import type { RegionFigures, Stats } from '../types';
import { bar, amountIn, emptyState, money, note, panel, table } from '../ui';
import type { View, ViewContext } from '../view-context';

export function regionsView(): View {
  return {
    async render(el: HTMLElement, ctx: ViewContext) {
      const stats = await ctx.api.stats<Stats>('', { ...ctx.scope, filters: {} });
      if (!ctx.stillWanted()) return;
      if (stats.regions.length === 0) {
        el.replaceChildren(emptyState('No product views or orders in this period.'));
        return;
      }
      const top = Math.max(...stats.regions.map((r) => amountIn(r.sales, stats.currency)), 0);
      el.replaceChildren(
        panel(
          'Regions by units sold',
          table(
            'Regions by units sold',
            ['Region', 'Product views', 'Units sold', 'Item sales', 'Top products', 'Top aisles'],
            stats.regions.map((r) => [
              h('span', { class: 'region-name' }, r.region || 'Unknown region', h('span', { class: 'country' }, r.country || '—')),
              formatCount(r.views),
              formatCount(r.units),
              h('span', { class: 'revenue-cell' }, money(r.sales, stats.currency), bar(top > 0 ? amountIn(r.sales, stats.currency) / top : 0)),
              topProducts(r),
              topAisles(r),
            ]),
            { captionHidden: true, numeric: [1, 2, 3] },
          ),
          note('Item sales: products ordered, at their price × quantity, per currency. Region filters are this table’s rows; other filters do not apply here.'),
        ),
      );
    },
  };
}

function topProducts(r: RegionFigures): HTMLElement {
  return h(
    'ol',
    { class: 'top-list' },
    r.topProducts
      .slice(0, 3)
      .map((p) =>
        h(
          'li',
          {},
          h('span', { class: 'top-name' }, p.name ?? p.productId),
          h('span', { class: 'top-figure' }, `${formatCount(p.units)} sold · ${plural(p.views, 'view')}`),
        ),
      ),
  );
}

function topAisles(r: RegionFigures): HTMLElement {
  return h(
    'ol',
    { class: 'top-list' },
    r.topCategories
      .slice(0, 3)
      .map((c) =>
        h(
          'li',
          {},
          h('span', { class: 'top-name' }, c.category.split(' > ').pop() ?? c.category),
          h('span', { class: 'top-figure' }, `${formatCount(c.units)} sold`),
        ),
      ),
  );
}
