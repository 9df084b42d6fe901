/**
 * The order confirmation. The first time it shows an order, it pushes GA4's
 * `purchase` to the data layer (`Order Completed`); a reload or a second
 * visit shows the order again without counting it again.
 */
import { fill, h, required } from '../../../shared/dom';
import { purchase } from '../data-layer';
import { orderTable } from '../order-summary';
import { findOrder, getAccount, saveOrder } from '../store';

export function initOrderPage(): void {
  const view = required('[data-order-view]');
  const id = new URLSearchParams(location.search).get('id') ?? '';
  const order = findOrder(id);
  if (!order) {
    view.replaceChildren(
      h('h1', {}, 'Order not found'),
      h('p', {}, 'This browser has no order with that number. Orders are kept on the device they were placed on.'),
      h('p', {}, h('a', { class: 'button', href: '/' }, 'Back to the shop')),
    );
    return;
  }
  if (!order.reported) {
    purchase(order.id, order.lines, order.totals);
    saveOrder({ ...order, reported: true });
  }
  fill(
    view,
    h('h1', {}, 'Thank you for your order'),
    h(
      'p',
      { class: 'lead' },
      'Order ',
      h('strong', { 'data-order-id': order.id }, order.id),
      ` is confirmed. We will send a note to ${order.deliverTo.email || 'you'} when it ships.`,
    ),
    orderTable(order.lines, order.totals, 'What you ordered'),
    h(
      'p',
      { class: 'actions' },
      h('a', { class: 'button', href: '/' }, 'Continue shopping'),
      getAccount() ? h('a', { href: '/account' }, 'See your orders') : null,
    ),
  );
}
