/**
 * Everything the dashboard shows is named by its address:
 * `#/funnel?period=30d&country=DE&step=Product+Viewed&step=Order+Completed&window=1d`.
 * A view, a period, filters and each view's own choices; a link reproduces
 * the page, and back and forward move between views.
 */
import { VIEWS, type ViewId } from '../views';
import type { StatsDimension, StatsFilters } from './types';

export const DIMENSIONS: { id: StatsDimension; label: string }[] = [
  { id: 'source', label: 'Source' },
  { id: 'medium', label: 'Medium' },
  { id: 'campaign', label: 'Campaign' },
  { id: 'landing', label: 'Landing page' },
  { id: 'country', label: 'Country' },
  { id: 'region', label: 'Region' },
  { id: 'device', label: 'Device' },
  { id: 'visitor', label: 'New or returning' },
  { id: 'variant', label: 'Recommendation group' },
];

export const DEFAULT_STEPS = ['Product Viewed', 'Product Added', 'Checkout Started', 'Order Completed'];

export interface DashState {
  view: ViewId;
  /** '24h', '7d', '30d', '90d' or 'custom' (then `from` and `to` are dates). */
  period: string;
  from?: string;
  to?: string;
  filters: StatsFilters;
  /** Traffic: the dimension rows are grouped by. */
  by: StatsDimension;
  /** Funnel: its steps, window and breakdown. */
  steps: string[];
  window: string;
  breakdown?: StatsDimension;
  /** Shopper: the id looked up. */
  profile?: string;
}

const PERIODS = ['24h', '7d', '30d', '90d', 'custom'];
const isDimension = (value: string | null): value is StatsDimension => DIMENSIONS.some((d) => d.id === value);

export function parseState(hash: string): DashState {
  const [path = '', search = ''] = hash.replace(/^#\/?/, '').split('?');
  const q = new URLSearchParams(search);
  const view = (VIEWS.find((v) => v.id === path)?.id ?? 'overview') as ViewId;
  const filters: StatsFilters = {};
  for (const { id } of DIMENSIONS) {
    const value = q.get(id);
    if (value !== null) filters[id] = value;
  }
  const period = q.get('period') ?? '7d';
  const steps = q.getAll('step').filter(Boolean);
  const by = q.get('by');
  const breakdown = q.get('breakdown');
  return {
    view,
    period: PERIODS.includes(period) ? period : '7d',
    ...(q.get('from') ? { from: q.get('from')! } : {}),
    ...(q.get('to') ? { to: q.get('to')! } : {}),
    filters,
    by: isDimension(by) ? by : 'source',
    steps: steps.length >= 2 ? steps : DEFAULT_STEPS,
    window: q.get('window') ?? '1d',
    ...(isDimension(breakdown) ? { breakdown } : {}),
    ...(q.get('id') ? { profile: q.get('id')! } : {}),
  };
}

/** The address of a state; choices left at their defaults are left out. */
export function stateHash(state: DashState): string {
  const q = new URLSearchParams();
  if (state.period !== '7d') q.set('period', state.period);
  if (state.period === 'custom') {
    if (state.from) q.set('from', state.from);
    if (state.to) q.set('to', state.to);
  }
  for (const [name, value] of Object.entries(state.filters)) if (value !== undefined) q.set(name, value);
  if (state.view === 'acquisition' && state.by !== 'source') q.set('by', state.by);
  if (state.view === 'funnel') {
    if (state.steps.join('\n') !== DEFAULT_STEPS.join('\n')) for (const step of state.steps) q.append('step', step);
    if (state.window !== '1d') q.set('window', state.window);
    if (state.breakdown) q.set('breakdown', state.breakdown);
  }
  if (state.view === 'shopper' && state.profile) q.set('id', state.profile);
  const query = q.toString();
  return `#/${state.view}${query ? `?${query}` : ''}`;
}

/** The current state, kept in the address; listeners hear every change, from the page or from back and forward. */
export class StateStore {
  private state = parseState(location.hash);
  private readonly listeners: ((state: DashState, previous: DashState) => void)[] = [];

  constructor() {
    addEventListener('hashchange', () => this.replace(parseState(location.hash), false));
  }

  get current(): DashState {
    return this.state;
  }

  onChange(listener: (state: DashState, previous: DashState) => void): void {
    this.listeners.push(listener);
  }

  /** A new view is a new history entry; a new period or filter replaces the current one. */
  update(patch: Partial<DashState>): void {
    const next = { ...this.state, ...patch };
    const hash = stateHash(next);
    if (hash !== location.hash) {
      if (patch.view && patch.view !== this.state.view) history.pushState(null, '', hash);
      else history.replaceState(null, '', hash);
    }
    this.replace(next, true);
  }

  private replace(next: DashState, fromPage: boolean): void {
    const previous = this.state;
    this.state = next;
    if (!fromPage && stateHash(next) === stateHash(previous)) return;
    for (const listener of this.listeners) listener(next, previous);
  }
}
