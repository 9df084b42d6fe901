/**
 * The dashboard: asks for the admin token once (kept in this browser), then
 * shows the view the address names (#/overview, #/funnel…) for the period
 * and filters in the toolbar, refreshed every 30 seconds; the live view
 * polls on its own. A refused token empties the page and says so; nothing
 * is shown without a good one.
 */
import { required } from '../../shared/dom';
import { VIEWS, type ViewId } from '../views';
import { AdminApi, AdminError, tokenProblem } from './api';
import { PeopleDialog } from './people-dialog';
import { periodOf } from './period';
import { StateStore, type DashState } from './state';
import { storeToken, storedToken } from './token-store';
import { Toolbar } from './toolbar';
import type { View, ViewContext } from './view-context';
import { acquisitionView } from './views/acquisition';
import { audiencesView } from './views/audiences';
import { campaignsView } from './views/campaigns';
import { funnelView } from './views/funnel';
import { lifecycleView } from './views/lifecycle';
import { liveView } from './views/live';
import { overviewView } from './views/overview';
import { shopperView } from './views/profile';
import { regionsView } from './views/regions';
import { retentionView } from './views/retention';
import { rulesView } from './views/rules';
import { searchView } from './views/search';
import { slotsView } from './views/slots';

const REFRESH_MS = 30_000;

const gate = required('[data-token-gate]');
const tokenForm = required<HTMLFormElement>('[data-token-form]');
const tokenInput = required<HTMLInputElement>('#admin-token');
const tokenError = required('[data-token-error]');
const dashboard = required('[data-dashboard]');
const errorBanner = required('[data-error]');
const changeToken = required<HTMLButtonElement>('[data-change-token]');

let api: AdminApi | undefined;
let currency = 'USD';
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
/** Bumped whenever what is shown must change: an answer for an older generation is dropped. */
let generation = 0;

const store = new StateStore();
const toolbar = new Toolbar(store, () => api);
const people = new PeopleDialog(
  () => api!,
  (id) => openProfile(id),
);
const views: Record<ViewId, View> = {
  overview: overviewView(),
  acquisition: acquisitionView(),
  funnel: funnelView(),
  search: searchView(),
  retention: retentionView(),
  lifecycle: lifecycleView(),
  slots: slotsView(),
  campaigns: campaignsView(),
  audiences: audiencesView(),
  rules: rulesView(),
  regions: regionsView(),
  live: liveView(handleError),
  shopper: shopperView(),
};

function openProfile(id: string): void {
  store.update({ view: 'shopper', profile: id });
}

/** Shows the token form instead of the figures; `focus` moves the keyboard there (after an error, or on request). */
function showGate(message = '', focus = message !== ''): void {
  generation++;
  api = undefined;
  clearTimeout(refreshTimer);
  for (const view of Object.values(views)) view.stop?.();
  dashboard.hidden = true;
  // No figures stay on the page once the token is refused.
  for (const body of document.querySelectorAll('[data-view-body]')) body.replaceChildren();
  toolbar.show(false);
  changeToken.hidden = true;
  gate.hidden = false;
  tokenError.textContent = message;
  tokenInput.setAttribute('aria-invalid', String(message !== ''));
  if (focus) tokenInput.focus();
}

async function open(token: string): Promise<void> {
  const problem = tokenProblem(token);
  if (problem) return showGate(problem);
  api = new AdminApi(token);
  const opened = ++generation;
  try {
    currency = await api.siteCurrency();
  } catch (error) {
    handleError(error);
    return;
  }
  if (opened !== generation) return;
  storeToken(token);
  gate.hidden = true;
  dashboard.hidden = false;
  toolbar.show(true);
  changeToken.hidden = false;
  await show(store.current, false);
}

/** Draws the state's view; moves the keyboard to its heading when the reader asked for another view. */
async function show(state: DashState, focus: boolean): Promise<void> {
  if (!api) return;
  clearTimeout(refreshTimer);
  const mine = ++generation;
  toolbar.sync(state);
  const info = VIEWS.find((v) => v.id === state.view)!;
  document.title = `${info.title} · Dashboard · Trailmark`;
  for (const section of document.querySelectorAll<HTMLElement>('[data-view]')) section.hidden = section.dataset.view !== state.view;
  for (const [id, view] of Object.entries(views)) if (id !== state.view) view.stop?.();
  const section = required(`[data-view="${state.view}"]`);
  const body = required(`[data-view-body="${state.view}"]`);
  if (focus) required<HTMLElement>(`#view-${state.view}`).focus();
  const period = periodOf(state);
  const ctx: ViewContext = {
    api,
    state,
    store,
    period,
    scope: { from: period.from, to: period.to, filters: state.filters },
    people,
    currency,
    openProfile,
    stillWanted: () => mine === generation && api !== undefined,
  };
  section.setAttribute('aria-busy', 'true');
  try {
    await views[state.view].render(body, ctx);
    if (mine !== generation) return;
    errorBanner.hidden = true;
    toolbar.showUpdated(period.label);
  } catch (error) {
    if (mine === generation) handleError(error);
  } finally {
    section.removeAttribute('aria-busy');
    if (mine === generation && api) refreshTimer = setTimeout(() => void show(store.current, false), REFRESH_MS);
  }
}

function handleError(error: unknown): void {
  if (error instanceof AdminError && (error.kind === 'unauthorized' || error.kind === 'disabled')) {
    storeToken(undefined);
    showGate(error.message);
    return;
  }
  errorBanner.textContent = error instanceof Error ? error.message : String(error);
  errorBanner.hidden = false;
  if (dashboard.hidden) showGate(errorBanner.textContent);
}

store.onChange((state, previous) => void show(state, state.view !== previous.view));

tokenForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void open(tokenInput.value.trim());
});
changeToken.addEventListener('click', () => {
  storeToken(undefined);
  tokenInput.value = '';
  showGate('', true);
});
// The sections are links (they work with a middle click too); a plain click changes the view in place.
for (const link of document.querySelectorAll<HTMLAnchorElement>('[data-nav]')) {
  link.addEventListener('click', (event) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    store.update({ view: link.dataset.nav as ViewId });
  });
}
// Back in a hidden tab: the figures are stale, refresh now.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && api && !dashboard.hidden) void show(store.current, false);
});

const saved = storedToken();
if (saved) void open(saved);
else showGate();
