/** An order's lines and totals as a table: on the checkout page and the confirmation. */
import { h } from '../../shared/dom';
import { formatPrice } from '../../shared/format';
import type { CartLine, Totals } from './store';

export function orderTable(lines: readonly CartLine[], t: Totals, caption: string): HTMLTableElement {
  const money = (n: number) => formatPrice(n, t.currency);
  const footRow = (label: string, value: string, cls = '') => h('tr', { class: cls }, h('th', { scope: 'row', colspan: 2 }, label), h('td', {}, value));
  return h(
    'table',
    { class: 'order-table' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Product'), h('th', { scope: 'col' }, 'Quantity'), h('th', { scope: 'col' }, 'Price'))),
    h(
      'tbody',
      {},
      lines.map((l) => h('tr', {}, h('td', {}, h('a', { href: l.url }, l.name)), h('td', {}, String(l.quantity)), h('td', {}, money(l.price * l.quantity)))),
    ),
    h(
      'tfoot',
      {},
      footRow('Subtotal', money(t.subtotal)),
      footRow('Shipping', t.shipping === 0 ? 'Free' : money(t.shipping)),
      footRow('Tax', money(t.tax)),
      footRow('Total', money(t.total), 'total'),
    ),
  );
}
