/**
 * Log in (pick a demo customer) and log out. After logging in, the shopper
 * goes back where they came from (`?return=/cart`).
 */
import { h, required } from '../../../shared/dom';
import { formatPrice } from '../../../shared/format';
import { logIn, logOut, tagTookIt, userHashOf } from '../identity';
import { getAccount, getOrders, setAccount } from '../store';

export function initAccountPage(): void {
  const loggedOut = required('[data-logged-out]');
  const loggedIn = required('[data-logged-in]');
  const show = () => {
    const account = getAccount();
    loggedOut.hidden = !!account;
    loggedIn.hidden = !account;
    if (!account) return;
    required('[data-account-name]').textContent = account.name;
    required('[data-account-email]').textContent = account.email;
    required('[data-account-id]').textContent = account.userId;
    required<HTMLAnchorElement>('[data-profile-link]').href = `/dashboard#profile=${encodeURIComponent(account.userId)}`;
    const orders = getOrders().filter((o) => o.userId === account.userId);
    required('[data-order-history]').replaceChildren(
      orders.length === 0
        ? h('p', {}, 'No orders yet.')
        : h(
            'ul',
            { class: 'order-history', role: 'list' },
            orders.map((o) =>
              h(
                'li',
                {},
                h('a', { href: `/order?id=${encodeURIComponent(o.id)}` }, o.id),
                ` · ${new Date(o.placedAt).toLocaleString('en-US')} · ${formatPrice(o.totals.total, o.totals.currency)}`,
              ),
            ),
          ),
    );
  };
  show();

  required<HTMLFormElement>('[data-login-form]').addEventListener('submit', async (event) => {
    event.preventDefault();
    const choice = (event.currentTarget as HTMLFormElement).querySelector<HTMLInputElement>('input[name=account]:checked');
    if (!choice) return;
    const account = { userId: choice.value, name: choice.dataset.name ?? choice.value, email: choice.dataset.email ?? '' };
    const userHash = await userHashOf(account.userId);
    setAccount(account);
    logIn(account.userId, { name: account.name, email: account.email }, userHash);
    const back = new URLSearchParams(location.search).get('return');
    // Only a path on this site: ?return= must not send the shopper elsewhere.
    if (back && /^\/(?!\/)/.test(back)) {
      await tagTookIt();
      location.assign(back);
    } else {
      show();
      required<HTMLElement>('#main').focus();
    }
  });

  required('[data-logout]').addEventListener('click', () => {
    setAccount(undefined);
    logOut();
    show();
    required<HTMLElement>('#main').focus();
  });
}
