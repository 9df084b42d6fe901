/** The header's live parts: the cart's item count and who is logged in. */
import { getAccount, itemCount } from './store';

export function initHeader(): void {
  const update = () => {
    const count = itemCount();
    document.querySelectorAll<HTMLElement>('[data-cart-count]').forEach((el) => {
      el.textContent = String(count);
      el.classList.toggle('is-zero', count === 0);
    });
    const account = getAccount();
    document.querySelectorAll<HTMLAnchorElement>('[data-account-link]').forEach((a) => {
      a.textContent = account ? `Hi, ${account.name.split(' ')[0]}` : 'Log in';
    });
  };
  update();
  addEventListener('demo-shop:change', update);
  // Another tab changed the cart or logged in or out, or this page comes back from the back/forward cache.
  addEventListener('storage', update);
  addEventListener('pageshow', update);
}
