/**
 * The dashboard: asks for the admin token once (kept in this browser),
 * then shows the period's figures from GET /v1/admin/stats (refreshed every
 * ten seconds), the live event stream, and profile look-ups. A refused
 * token empties the page and says so; nothing is shown without a good one.
 */
import { required } from '../../shared/dom';
import { AdminApi, AdminError, tokenProblem } from './api';
import { renderFunnel } from './panels/funnel';
import { EventsChart } from './panels/events-chart';
import { renderKpis } from './panels/kpis';
import { renderLifecycle } from './panels/lifecycle';
import { LiveStream } from './panels/live';
import { renderProfile } from './panels/profile';
import { renderRegions } from './panels/regions';
import { renderSlots } from './panels/slots';
import { PeriodPicker } from './period';
import { storeToken, storedToken } from './token-store';

const REFRESH_MS = 10_000;

const gate = required('[data-token-gate]');
const tokenForm = required<HTMLFormElement>('[data-token-form]');
const tokenInput = required<HTMLInputElement>('#admin-token');
const tokenError = required('[data-token-error]');
const dashboard = required('[data-dashboard]');
const errorBanner = required('[data-error]');
const updated = required('[data-updated]');
const changeToken = required<HTMLButtonElement>('[data-change-token]');
const panel = (name: string) => required(`[data-panel="${name}"]`);

let api: AdminApi | undefined;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let generation = 0;
const period = new PeriodPicker(() => void refresh());
const chart = new EventsChart(panel('events'));
const live = new LiveStream(panel('live'), () => api!, (id) => void lookUp(id, true), handleError);

/** Shows the token form instead of the figures; `focus` moves the keyboard there (after an error, or on request). */
function showGate(message = '', focus = message !== ''): void {
  generation++;
  api = undefined;
  clearTimeout(refreshTimer);
  live.stop();
  dashboard.hidden = true;
  // No figures stay on the page once the token is refused.
  for (const name of ['kpis', 'funnel', 'slots', 'regions', 'lifecycle', 'profile']) panel(name).replaceChildren();
  period.show(false);
  changeToken.hidden = true;
  updated.textContent = '';
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
    await refresh(opened);
  } catch {
    return; // handleError has shown what went wrong
  }
  if (opened !== generation) return;
  storeToken(token);
  gate.hidden = true;
  dashboard.hidden = false;
  period.show(true);
  changeToken.hidden = false;
  live.start();
  const id = new URLSearchParams(location.hash.slice(1)).get('profile');
  if (id) void lookUp(id, false);
}

/** Loads the period's figures and draws every panel; schedules the next refresh. */
async function refresh(expected = generation): Promise<void> {
  if (!api) return;
  clearTimeout(refreshTimer);
  const { from, to, label } = period.current();
  try {
    const stats = await api.stats(from, to);
    if (expected !== generation) return;
    errorBanner.hidden = true;
    renderKpis(panel('kpis'), stats);
    await chart.update(stats);
    renderFunnel(panel('funnel'), stats);
    renderSlots(panel('slots'), stats);
    renderRegions(panel('regions'), stats);
    renderLifecycle(panel('lifecycle'), stats);
    updated.textContent = `Showing ${label} · updated ${new Date().toLocaleTimeString('en-US', { hour12: false })}`;
  } catch (error) {
    handleError(error);
    throw error;
  } finally {
    if (expected === generation && api) refreshTimer = setTimeout(() => void refresh().catch(() => {}), REFRESH_MS);
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

async function lookUp(id: string, scroll: boolean): Promise<void> {
  const input = required<HTMLInputElement>('#profile-id');
  input.value = id;
  history.replaceState(null, '', `#profile=${encodeURIComponent(id)}`);
  const target = panel('profile');
  target.textContent = 'Looking up…';
  if (scroll) required('#profile-heading').scrollIntoView({ behavior: 'smooth', block: 'start' });
  try {
    renderProfile(target, id, await api!.profile(id));
  } catch (error) {
    target.textContent = '';
    handleError(error);
  }
}

tokenForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void open(tokenInput.value.trim());
});
required<HTMLFormElement>('[data-profile-form]').addEventListener('submit', (event) => {
  event.preventDefault();
  const id = required<HTMLInputElement>('#profile-id').value.trim();
  if (id) void lookUp(id, false);
});
changeToken.addEventListener('click', () => {
  storeToken(undefined);
  tokenInput.value = '';
  showGate('', true);
});
const liveToggle = required<HTMLButtonElement>('[data-live-toggle]');
liveToggle.addEventListener('click', () => {
  const paused = liveToggle.getAttribute('aria-pressed') !== 'true';
  liveToggle.setAttribute('aria-pressed', String(paused));
  liveToggle.textContent = paused ? 'Resume' : 'Pause';
  live.setPaused(paused);
});
// Back in a hidden tab: the figures are stale, refresh now.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && api && !dashboard.hidden) void refresh().catch(() => {});
});

const saved = storedToken();
if (saved) void open(saved);
else showGate();
