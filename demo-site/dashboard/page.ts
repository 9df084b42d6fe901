/**
 * The dashboard's one page (/dashboard): a frame the client script fills.
 * Sections are views of one page (#/overview, #/funnel…), chosen from the
 * navigation; the period and the filters above them apply to every view.
 * It does not load the tag: the product team's own clicks are not shop traffic.
 */
import { html } from '../storefront/html';
import { VIEWS } from './views';

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
  <nav class="dash-links" aria-label="Elsewhere">
    <button type="button" class="link-button" data-change-token hidden>Change token</button>
    <a href="/">Open the shop</a>
  </nav>
</header>
<div class="toolbar" data-toolbar hidden>
  <nav class="views-nav" aria-label="Dashboard sections">
    <ul>
      ${VIEWS.map((v) => html`<li><a href="#/${v.id}" data-nav="${v.id}">${v.title}</a></li>`)}
    </ul>
  </nav>
  <div class="toolbar-row">
  <form class="period" data-period-form>
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
  <div class="filters" data-filters>
    <ul class="filter-chips" aria-label="Filters in use" data-filter-chips></ul>
    <details class="add-filter" data-add-filter>
      <summary>Add a filter</summary>
      <form data-filter-form>
        <label for="filter-dimension">Visits where</label>
        <select id="filter-dimension" name="dimension" data-filter-dimension></select>
        <label for="filter-value">is</label>
        <select id="filter-value" name="value" data-filter-value></select>
        <button type="submit">Filter</button>
      </form>
    </details>
  </div>
  </div>
  <p class="updated" data-updated aria-live="polite"></p>
</div>
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
    ${VIEWS.map(
      (v) => html`<section class="view" data-view="${v.id}" aria-labelledby="view-${v.id}" hidden>
    <div class="view-head">
      <h2 id="view-${v.id}" tabindex="-1">${v.title}</h2>
      <p class="view-lede">${v.lede}</p>
    </div>
    <div class="view-body" data-view-body="${v.id}"></div>
  </section>`,
    )}
  </div>
</main>
<dialog class="people-dialog" data-people-dialog aria-labelledby="people-heading">
  <div class="dialog-head">
    <h2 id="people-heading" data-people-heading>People</h2>
    <button type="button" class="small" data-people-close>Close</button>
  </div>
  <div data-people-body></div>
</dialog>
</body>
</html>
`.value;
}
