/** What sells where: each region's views, units and revenue, with its top products and aisles. */
import { h } from '../../../shared/dom';
import { formatCount, formatPrice, plural } from '../../../shared/format';
import type { RegionFigures, Stats } from '../types';
import { bar, emptyState, scrollable, table } from '../ui';

export function renderRegions(el: HTMLElement, stats: Stats): void {
  if (stats.regions.length === 0) {
    el.replaceChildren(emptyState('No product views or orders in this period.'));
    return;
  }
  const topRevenue = Math.max(...stats.regions.map((r) => r.revenue), 0);
  const rows = stats.regions.map((r) => [
    h('span', { class: 'region-name' }, r.region || 'Unknown region', h('span', { class: 'country' }, r.country || '—')),
    formatCount(r.views),
    formatCount(r.units),
    h('span', { class: 'revenue-cell' }, formatPrice(r.revenue), bar(topRevenue > 0 ? r.revenue / topRevenue : 0)),
    topProducts(r),
    topAisles(r),
  ]);
  const head = ['Region', 'Views', 'Units', 'Revenue', 'Top products', 'Top aisles'];
  el.replaceChildren(scrollable(table('Regions by units sold', head, rows, { captionHidden: true, numeric: [1, 2, 3] }), 'Regions table'));
}

function topProducts(r: RegionFigures): HTMLElement {
  return h(
    'ol',
    { class: 'top-list' },
    r.topProducts.slice(0, 3).map((p) => h('li', {}, h('span', { class: 'top-name' }, p.name ?? p.productId), h('span', { class: 'top-figure' }, `${formatCount(p.units)} sold · ${plural(p.views, 'view')}`))),
  );
}

function topAisles(r: RegionFigures): HTMLElement {
  return h(
    'ol',
    { class: 'top-list' },
    r.topCategories.slice(0, 3).map((c) => h('li', {}, h('span', { class: 'top-name' }, c.category.split(' > ').pop() ?? c.category), h('span', { class: 'top-figure' }, `${formatCount(c.units)} sold`))),
  );
}
