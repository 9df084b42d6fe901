/**
 * The cart page: lines with quantity buttons, the order summary, and the
 * cross-sell shelf. Each line is a product element the tag reads; the
 * buttons' `data-trailmark-add` / `-remove` (quantity one, or the whole line
 * for "Remove") record the change before this handler makes it.
 */
import { fill, h, required } from '../../../shared/dom';
import { formatPrice } from '../../../shared/format';
import { watchSlot } from '../shelves';
import { type CartLine, MAX_QUANTITY, getAccount, getCart, setQuantity, totals } from '../store';

export function initCartPage(): void {
  render();
  // Back to the cart from another page (back/forward cache): the tag counts a new page view, and the
  // cart may have changed meanwhile; show it as it is now.
  addEventListener('pageshow', (event) => event.persisted && render());
}

function render(): void {
  const view = required('[data-cart-view]');
  const cart = getCart();
  if (cart.lines.length === 0) {
    view.replaceChildren(emptyCart());
    showShelf('empty-cart-shelf');
    return;
  }
  const lines = h('ul', { class: 'cart-lines', role: 'list', 'aria-label': 'Items in your cart', 'data-trailmark-cart': cart.id }, cart.lines.map(lineElement));
  const summary = h('div', { class: 'summary-body' });
  view.replaceChildren(
    h(
      'div',
      { class: 'cart-layout' },
      lines,
      h('aside', { class: 'summary', 'aria-labelledby': 'summary-heading' }, h('h2', { id: 'summary-heading' }, 'Order summary'), summary),
    ),
  );
  renderSummary(summary);
  showShelf('cart-shelf');

  lines.addEventListener('click', (event) => {
    const button = (event.target as Element).closest<HTMLButtonElement>('button[data-action]');
    const line = button?.closest<HTMLElement>('.line');
    if (!button || !line) return;
    const productId = line.getAttribute('data-trailmark-product')!;
    const current = getCart().lines.find((l) => l.productId === productId);
    if (!current) return;
    const next = button.dataset.action === 'more' ? current.quantity + 1 : button.dataset.action === 'less' ? current.quantity - 1 : 0;
    setQuantity(productId, next);
    if (next > 0) {
      updateLine(line, { ...current, quantity: next });
    } else {
      // Keep keyboard focus in the list: on the next line, or the previous, or the page heading.
      const neighbour = (line.nextElementSibling ?? line.previousElementSibling)?.querySelector<HTMLElement>('[data-action=remove]');
      line.remove();
      if (neighbour) neighbour.focus();
      else required<HTMLElement>('#main').focus();
    }
    if (getCart().lines.length === 0) {
      view.replaceChildren(emptyCart());
      showShelf('empty-cart-shelf');
    } else {
      renderSummary(summary);
    }
  });
}

function lineElement(line: CartLine): HTMLLIElement {
  const li = h(
    'li',
    {
      class: 'line',
      'data-trailmark-product': line.productId,
      'data-trailmark-name': line.name,
      'data-trailmark-brand': line.brand,
      'data-trailmark-category': line.category,
      'data-trailmark-sku': line.sku,
      'data-trailmark-price': line.price,
      'data-trailmark-currency': line.currency,
      'data-trailmark-url': line.url,
      'data-trailmark-image': line.image,
    },
    h('img', { src: line.image, alt: '', width: 96, height: 96 }),
    h(
      'div',
      { class: 'line-info' },
      h('a', { href: line.url, class: 'line-name' }, line.name),
      h('p', { class: 'line-each' }, `${formatPrice(line.price, line.currency)} each`),
    ),
    h(
      'div',
      { class: 'stepper', role: 'group', 'aria-label': `Quantity of ${line.name}` },
      h(
        'button',
        { type: 'button', class: 'step', 'data-action': 'less', 'data-trailmark-remove': true, 'data-trailmark-quantity': 1, 'aria-label': 'One fewer' },
        '−',
      ),
      h('output', { class: 'quantity', 'aria-live': 'polite' }),
      h(
        'button',
        { type: 'button', class: 'step', 'data-action': 'more', 'data-trailmark-add': true, 'data-trailmark-quantity': 1, 'aria-label': 'One more' },
        '+',
      ),
    ),
    h('p', { class: 'line-total' }),
    h(
      'button',
      { type: 'button', class: 'link-button', 'data-action': 'remove', 'data-trailmark-remove': true, 'aria-label': `Remove ${line.name}` },
      'Remove',
    ),
  );
  updateLine(li, line);
  return li;
}

/** Shows a line's quantity, and makes "Remove" record the whole quantity it takes away. */
function updateLine(li: HTMLElement, line: CartLine): void {
  li.setAttribute('data-trailmark-quantity', String(line.quantity));
  required('output', li).textContent = String(line.quantity);
  required('.line-total', li).textContent = formatPrice(line.price * line.quantity, line.currency);
  required('[data-action=remove]', li).setAttribute('data-trailmark-quantity', String(line.quantity));
  required<HTMLButtonElement>('[data-action=more]', li).disabled = line.quantity >= MAX_QUANTITY;
}

function renderSummary(summary: HTMLElement): void {
  const cart = getCart();
  const t = totals(cart.lines);
  const row = (label: string, value: string, cls = '') => h('div', { class: `summary-row ${cls}` }, h('dt', {}, label), h('dd', {}, value));
  fill(
    summary,
    h(
      'dl',
      {},
      row('Subtotal', formatPrice(t.subtotal, t.currency)),
      row('Shipping', t.shipping === 0 ? 'Free' : formatPrice(t.shipping, t.currency)),
      row('Tax (8%)', formatPrice(t.tax, t.currency)),
      row('Total', formatPrice(t.total, t.currency), 'total'),
    ),
    t.shipping > 0 ? h('p', { class: 'hint' }, `Add ${formatPrice(50 - t.subtotal, t.currency)} more for free shipping.`) : null,
    h('a', { class: 'button block', href: '/checkout' }, 'Go to checkout'),
    getAccount() ? null : h('p', { class: 'hint' }, h('a', { href: '/account?return=/cart' }, 'Log in'), ' to keep your orders with your account.'),
  );
}

function emptyCart(): HTMLElement {
  return h('div', { class: 'empty-cart' }, h('p', {}, 'Your cart is empty.'), h('p', {}, h('a', { class: 'button', href: '/' }, 'Keep shopping')));
}

/**
 * Puts the shelf from its template into the page (once), and takes the other
 * one away; the tag notices a new slot and fills it.
 */
function showShelf(templateId: 'cart-shelf' | 'empty-cart-shelf'): void {
  const other = templateId === 'cart-shelf' ? 'empty-cart-shelf' : 'cart-shelf';
  document.querySelector(`[data-from-template="${other}"]`)?.remove();
  if (document.querySelector(`[data-from-template="${templateId}"]`)) return;
  const template = document.getElementById(templateId);
  if (!(template instanceof HTMLTemplateElement)) return;
  const content = template.content.cloneNode(true) as DocumentFragment;
  content.firstElementChild?.setAttribute('data-from-template', templateId);
  const slot = content.querySelector<HTMLElement>('[data-trailmark-slot]');
  if (slot) watchSlot(slot);
  required('main').append(content);
}
