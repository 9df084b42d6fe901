/**
 * The dashboard's one page (/dashboard): a frame the client script fills.
 * It does not load the tag: the product team's own clicks are not shop traffic.
 */
import { html } from '../storefront/html';

export function dashboardPage(): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Dashboard · Trailmark</title>
<meta name="robots" content="noindex">
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/dashboard.css">
<script type="module" src="/assets/dashboard.js"></script>
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="dash-header">
  <div class="dash-title">
    <span class="logo" aria-hidden="true"></span>
    <p class="product">Trailmark <span>dashboard</span></p>
    <p class="site">Site <code>demo-write-key</code></p>
  </div>
  <form class="period" data-period-form hidden>
    <label for="period">Period</label>
    <select id="period" name="period">
      <option value="24h">Last 24 hours</option>
      <option value="7d" selected>Last 7 days</option>
      <option value="30d">Last 30 days</option>
      <option value="90d">Last 90 days</option>
      <option value="custom">Dates…</option>
    </select>
    <span class="custom-dates" data-custom-dates hidden>
      <label for="period-from">From</label> <input id="period-from" name="from" type="date">
      <label for="period-to">to</label> <input id="period-to" name="to" type="date">
      <button type="submit">Show</button>
    </span>
  </form>
  <p class="updated" data-updated></p>
  <nav class="dash-links" aria-label="Elsewhere">
    <button type="button" class="link-button" data-change-token hidden>Change token</button>
    <a href="/">Open the shop</a>
  </nav>
</header>
<main id="main" tabindex="-1">
  <section class="gate" data-token-gate hidden aria-labelledby="gate-heading">
    <h1 id="gate-heading">Open the dashboard</h1>
    <form data-token-form>
      <p><label for="admin-token">Admin token</label></p>
      <p class="gate-row">
        <input id="admin-token" name="token" type="password" autocomplete="off" spellcheck="false" aria-describedby="token-help token-error" required>
        <button type="submit">Open</button>
      </p>
      <p id="token-error" class="error" role="alert" data-token-error></p>
      <p id="token-help" class="help"><code>npm start</code> prints it (or set <code>ADMIN_TOKEN</code>). It stays in this browser only.</p>
    </form>
  </section>
  <div data-dashboard hidden>
    <h1 class="visually-hidden">Trailmark dashboard</h1>
    <p class="error banner" role="alert" data-error hidden></p>
    <section class="kpis" aria-label="Key figures" data-panel="kpis"></section>
    <div class="columns">
      <section class="panel" aria-labelledby="events-heading">
        <h2 id="events-heading">Events by type over time</h2>
        <div data-panel="events"></div>
      </section>
      <section class="panel" aria-labelledby="live-heading">
        <div class="panel-head">
          <h2 id="live-heading">Live events</h2>
          <button type="button" class="small" data-live-toggle aria-pressed="false">Pause</button>
        </div>
        <div data-panel="live"></div>
      </section>
    </div>
    <div class="columns">
      <section class="panel" aria-labelledby="funnel-heading">
        <h2 id="funnel-heading">Funnel</h2>
        <div data-panel="funnel"></div>
      </section>
      <section class="panel" aria-labelledby="lifecycle-heading">
        <h2 id="lifecycle-heading">Shoppers by lifecycle stage</h2>
        <div data-panel="lifecycle"></div>
      </section>
    </div>
    <section class="panel" aria-labelledby="slots-heading">
      <h2 id="slots-heading">Recommendation slots: treatment vs holdout</h2>
      <div data-panel="slots"></div>
    </section>
    <section class="panel" aria-labelledby="regions-heading">
      <h2 id="regions-heading">What sells where</h2>
      <div data-panel="regions"></div>
    </section>
    <section class="panel" aria-labelledby="profile-heading">
      <h2 id="profile-heading">Shopper profile</h2>
      <form class="profile-form" data-profile-form>
        <label for="profile-id">Anonymous id or user id</label>
        <input id="profile-id" name="id" type="search" spellcheck="false" autocomplete="off" placeholder="e.g. demo-olivia-garcia" required>
        <button type="submit">Look up</button>
      </form>
      <div data-panel="profile" aria-live="polite"></div>
    </section>
  </div>
</main>
</body>
</html>
`.value;
}
