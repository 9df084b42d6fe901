/** The headline figures of the period: events, product views, adds, orders, revenue, view-to-order rate. */
import { h } from '../../../shared/dom';
import { formatCount, formatPercent, formatPrice } from '../../../shared/format';
import type { Stats } from '../types';

export function renderKpis(el: HTMLElement, stats: Stats): void {
  const step = (name: string) => stats.funnel.find((s) => s.step === name)?.count ?? 0;
  const views = step('Product Viewed');
  const orders = step('Order Completed');
  const revenue = stats.regions.reduce((sum, r) => sum + r.revenue, 0);
  const figures: [string, string, string?][] = [
    ['Events', formatCount(stats.events.total)],
    ['Product views', formatCount(views)],
    ['Added to cart', formatCount(step('Product Added'))],
    ['Orders', formatCount(orders)],
    ['Revenue', formatPrice(revenue), 'Items sold at their prices'],
    ['View to order', formatPercent(views > 0 ? orders / views : null), 'Orders per product view'],
  ];
  el.replaceChildren(
    h(
      'dl',
      { class: 'kpi-list' },
      figures.map(([label, value, hint]) => h('div', { class: 'kpi', 'data-kpi': label }, h('dt', { title: hint }, label), h('dd', {}, value))),
    ),
  );
}
