/**
 * Log in and out with demo accounts (no passwords: this is a demo). Logging
 * in tells Trailmark who the shopper is, so their anonymous browsing so far
 * joins their customer profile; logging out starts a new anonymous visitor.
 */
import { REGIONS } from '../../simulate/regions';
import { html } from '../html';
import { page } from '../layout';
import type { Shop } from '../shop';

export interface DemoAccount {
  userId: string;
  name: string;
  email: string;
  city: string;
}

/** One customer per region of the simulation, so a login can go with the region switcher. */
export function demoAccounts(): DemoAccount[] {
  return REGIONS.map((region, i) => {
    const first = region.firstNames[i % region.firstNames.length]!;
    const last = region.lastNames[i % region.lastNames.length]!;
    const handle = `${first}.${last}`
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase();
    return { userId: `demo-${handle.replace('.', '-')}`, name: `${first} ${last}`, email: `${handle}@example.com`, city: region.city };
  });
}

export function accountPage(shop: Shop): string {
  return page({
    shop,
    kind: 'account',
    title: 'Your account',
    main: html`<div class="wrap narrow">
  <h1>Your account</h1>
  <section data-logged-out hidden>
    <form class="login-form" data-login-form>
      <fieldset>
        <legend>Log in as one of the demo customers</legend>
        <p class="hint">No password needed. Your browsing so far stays with you: Trailmark joins it to the customer's profile.</p>
        <ul class="accounts" role="list">
          ${demoAccounts().map(
            (
              a,
              i,
            ) => html`<li><label><input type="radio" name="account" value="${a.userId}" data-name="${a.name}" data-email="${a.email}"${i === 0 ? html` checked` : ''}>
            <span class="account-name">${a.name}</span> <span class="account-meta">${a.email} · ${a.city}</span></label></li>`,
          )}
        </ul>
      </fieldset>
      <button type="submit" class="button">Log in</button>
    </form>
  </section>
  <section data-logged-in hidden>
    <p class="welcome">Logged in as <strong data-account-name></strong> (<span data-account-email></span>).</p>
    <p>Customer id <code data-account-id></code>. <a data-profile-link href="/dashboard">See this profile on the dashboard</a>.</p>
    <button type="button" class="button secondary" data-logout>Log out</button>
    <h2>Orders on this device</h2>
    <div data-order-history></div>
  </section>
</div>`,
  });
}
