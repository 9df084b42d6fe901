/**
 * The product page's add-to-cart form. The tag records `Product Added` from
 * the button's `data-trailmark-add` on its own (click, or Enter in the
 * quantity field, which clicks the submit button), with the quantity field's
 * value at that moment; this keeps the cart, and keeps the field within what
 * the cart will take, so the recorded quantity is the one added.
 */
import { required } from '../../../shared/dom';
import { productFromElement } from '../product-data';
import { MAX_QUANTITY, addToCart, getCart } from '../store';

export function initProductPage(): void {
  const product = required('[data-trailmark-product][data-trailmark-view]');
  const form = required<HTMLFormElement>('[data-add-form]', product);
  const quantity = required<HTMLInputElement>('input[name=quantity]', form);
  const button = required<HTMLButtonElement>('button[type=submit]', form);
  const status = required('[data-add-status]');
  const item = productFromElement(product);
  if (button.disabled) return; // out of stock

  const room = () => MAX_QUANTITY - (getCart().lines.find((l) => l.productId === item.productId)?.quantity ?? 0);
  const clamp = () => {
    const n = Math.round(quantity.valueAsNumber);
    quantity.value = String(Math.min(Math.max(room(), 1), Number.isFinite(n) && n > 0 ? n : 1));
  };
  const reflectRoom = () => {
    const full = room() <= 0;
    button.disabled = quantity.disabled = full;
    button.textContent = full ? `Your cart has the most we sell (${MAX_QUANTITY})` : 'Add to cart';
    quantity.max = String(Math.max(room(), 1));
    if (!full) clamp();
  };
  reflectRoom();
  // Back from the cart (back/forward cache): the cart may hold more or less of it now.
  addEventListener('pageshow', (event) => event.persisted && reflectRoom());
  quantity.addEventListener('change', clamp);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const wanted = Number(quantity.value);
    const inCart = addToCart(item, wanted);
    status.replaceChildren(`Added ${wanted} to your cart (${inCart} in total). `, link('/cart', 'View cart'));
    reflectRoom();
  });
}

function link(href: string, text: string): HTMLAnchorElement {
  const a = document.createElement('a');
  a.href = href;
  a.textContent = text;
  return a;
}
