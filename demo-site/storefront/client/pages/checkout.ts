/**
 * Checkout: the order, a delivery form (filled in for a logged-in demo
 * customer), and "Place order". Opening it pushes GA4's `begin_checkout`;
 * the confirmation page pushes `purchase`, as GA4 shops do.
 */
import { fill, h, required } from '../../../shared/dom';
import { beginCheckout } from '../data-layer';
import { orderTable } from '../order-summary';
import { type Order, emptyCart, getAccount, getCart, newOrderId, saveOrder, totals } from '../store';

const COUNTRIES = ['United States', 'Germany', 'France', 'Japan', 'Brazil', 'Other'];

export function initCheckoutPage(): void {
  render();
  // Back here from the confirmation (back/forward cache): the cart is empty now; never offer to order it again.
  addEventListener('pageshow', (event) => event.persisted && render());
}

function render(): void {
  const view = required('[data-checkout-view]');
  const cart = getCart();
  if (cart.lines.length === 0) {
    view.replaceChildren(
      h('p', {}, 'Your cart is empty, so there is nothing to check out.'),
      h('p', {}, h('a', { class: 'button', href: '/' }, 'Keep shopping')),
    );
    return;
  }
  const t = totals(cart.lines);
  beginCheckout(cart.lines, t);

  const account = getAccount();
  const field = (name: string, label: string, attributes: Record<string, string | boolean> = {}) =>
    h('p', { class: 'field' }, h('label', { for: `checkout-${name}` }, label), h('input', { id: `checkout-${name}`, name, required: true, ...attributes }));
  const form = h(
    'form',
    { class: 'checkout-form' },
    h(
      'fieldset',
      {},
      h('legend', {}, 'Deliver to'),
      field('name', 'Full name', { autocomplete: 'name', value: account?.name ?? '' }),
      field('email', 'Email', { type: 'email', autocomplete: 'email', value: account?.email ?? '' }),
      field('address', 'Street address', { autocomplete: 'street-address' }),
      h(
        'div',
        { class: 'field-row' },
        field('city', 'City', { autocomplete: 'address-level2' }),
        field('postcode', 'Postcode', { autocomplete: 'postal-code' }),
      ),
      h(
        'p',
        { class: 'field' },
        h('label', { for: 'checkout-country' }, 'Country'),
        h(
          'select',
          { id: 'checkout-country', name: 'country', autocomplete: 'country-name' },
          COUNTRIES.map((c) => h('option', {}, c)),
        ),
      ),
    ),
    h('p', { class: 'hint' }, 'This is a demo shop: no payment is taken and nothing is shipped.'),
    h('button', { type: 'submit', class: 'button block' }, 'Place order'),
  );
  fill(
    view,
    account
      ? null
      : h(
          'p',
          { class: 'notice' },
          'Checking out as a guest. ',
          h('a', { href: '/account?return=/checkout' }, 'Log in'),
          ' to keep the order with your account.',
        ),
    h('div', { class: 'checkout-layout' }, form, h('aside', { class: 'summary' }, orderTable(cart.lines, t, 'Your order'))),
  );

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    // The cart may have been emptied meanwhile (an order placed in another tab).
    if (getCart().lines.length === 0) return render();
    const data = new FormData(form);
    const value = (name: string) => String(data.get(name) ?? '').trim();
    const order: Order = {
      id: newOrderId(),
      placedAt: new Date().toISOString(),
      userId: getAccount()?.userId,
      lines: getCart().lines,
      totals: totals(getCart().lines),
      deliverTo: {
        name: value('name'),
        email: value('email'),
        address: value('address'),
        city: value('city'),
        postcode: value('postcode'),
        country: value('country'),
      },
    };
    saveOrder(order);
    emptyCart();
    location.assign(`/order?id=${encodeURIComponent(order.id)}`);
  });
}
