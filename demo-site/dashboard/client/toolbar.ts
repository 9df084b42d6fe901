/**
 * The bar above every view: the sections, the period, and the filters in
 * use (each removable) with a form to add one. A filter's values are the
 * ones the period's visits have, most frequent first.
 */
import { h, required } from '../../shared/dom';
import { formatCount } from '../../shared/format';
import type { AdminApi } from './api';
import { localDate, periodOf } from './period';
import { DIMENSIONS, type DashState, type StateStore } from './state';
import type { BreakdownStats, StatsDimension } from './types';

const FIXED: Partial<Record<StatsDimension, { value: string; label: string }[]>> = {
  visitor: [
    { value: 'new', label: 'new (first visit)' },
    { value: 'returning', label: 'returning' },
  ],
  variant: [
    { value: 'treatment', label: 'treatment (personal picks)' },
    { value: 'control', label: 'holdout (best sellers)' },
    { value: 'none', label: 'shown no slot' },
  ],
};

export const dimensionLabel = (id: StatsDimension) => DIMENSIONS.find((d) => d.id === id)?.label ?? id;
/** How a value reads: the empty value of a dimension is "(not set)". */
export const valueLabel = (dimension: StatsDimension, value: string) =>
  FIXED[dimension]?.find((f) => f.value === value)?.label ?? (value === '' ? '(not set)' : value);

export class Toolbar {
  private readonly root = required('[data-toolbar]');
  private readonly select = required<HTMLSelectElement>('#period');
  private readonly custom = required('[data-custom-dates]');
  private readonly fromInput = required<HTMLInputElement>('#period-from');
  private readonly toInput = required<HTMLInputElement>('#period-to');
  private readonly chips = required('[data-filter-chips]');
  private readonly adder = required<HTMLDetailsElement>('[data-add-filter]');
  private readonly dimension = required<HTMLSelectElement>('[data-filter-dimension]');
  private readonly value = required<HTMLSelectElement>('[data-filter-value]');
  private readonly updated = required('[data-updated]');

  constructor(
    private readonly store: StateStore,
    private readonly api: () => AdminApi | undefined,
  ) {
    this.toInput.value = localDate(new Date());
    this.fromInput.value = localDate(new Date(Date.now() - 6 * 86_400_000));
    this.select.addEventListener('change', () => {
      this.custom.hidden = this.select.value !== 'custom';
      if (this.select.value !== 'custom') store.update({ period: this.select.value });
    });
    required<HTMLFormElement>('[data-period-form]').addEventListener('submit', (event) => {
      event.preventDefault();
      store.update({ period: 'custom', from: this.fromInput.value, to: this.toInput.value });
    });
    this.dimension.replaceChildren(...DIMENSIONS.map((d) => h('option', { value: d.id }, d.label)));
    this.dimension.addEventListener('change', () => void this.loadValues());
    this.adder.addEventListener('toggle', () => {
      if (this.adder.open) void this.loadValues();
    });
    required<HTMLFormElement>('[data-filter-form]').addEventListener('submit', (event) => {
      event.preventDefault();
      const dimension = this.dimension.value as StatsDimension;
      if (!this.value.value && this.value.selectedIndex < 0) return;
      store.update({ filters: { ...store.current.filters, [dimension]: this.value.value } });
      this.adder.open = false;
      this.adder.querySelector('summary')?.focus();
    });
  }

  show(visible: boolean): void {
    this.root.hidden = !visible;
  }

  /** Brings the controls in line with the state (after a link, back or forward). */
  sync(state: DashState): void {
    this.select.value = state.period;
    this.custom.hidden = state.period !== 'custom';
    if (state.from) this.fromInput.value = state.from;
    if (state.to) this.toInput.value = state.to;
    for (const link of document.querySelectorAll<HTMLAnchorElement>('[data-nav]')) {
      if (link.dataset.nav === state.view) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    const entries = Object.entries(state.filters) as [StatsDimension, string][];
    this.chips.replaceChildren(
      ...(entries.length === 0
        ? [h('li', { class: 'no-filter' }, 'All visits')]
        : entries.map(([dimension, value]) =>
            h(
              'li',
              { class: 'chip' },
              h('span', {}, `${dimensionLabel(dimension)}: `, h('strong', {}, valueLabel(dimension, value))),
              h(
                'button',
                {
                  type: 'button',
                  class: 'chip-remove',
                  'aria-label': `Remove the filter ${dimensionLabel(dimension)}: ${valueLabel(dimension, value)}`,
                  onclick: () => {
                    const filters = { ...this.store.current.filters };
                    delete filters[dimension];
                    this.store.update({ filters });
                  },
                },
                '×',
              ),
            ),
          )),
    );
  }

  showUpdated(label: string): void {
    this.updated.textContent = `Showing ${label} · updated ${new Date().toLocaleTimeString('en-US', { hour12: false })}`;
  }

  private async loadValues(): Promise<void> {
    const dimension = this.dimension.value as StatsDimension;
    const fixed = FIXED[dimension];
    if (fixed) {
      this.value.replaceChildren(...fixed.map((f) => h('option', { value: f.value }, f.label)));
      return;
    }
    const api = this.api();
    if (!api) return;
    this.value.replaceChildren(h('option', { value: '', disabled: true }, 'Loading…'));
    const { from, to } = periodOf(this.store.current);
    try {
      // A source comes once per medium in the breakdown: one choice per value here.
      const visits = new Map<string, number>();
      for (const r of (await api.stats<BreakdownStats>('breakdown', { from, to, filters: {} }, { by: dimension })).rows)
        visits.set(r.value, (visits.get(r.value) ?? 0) + r.sessions);
      const rows = [...visits].map(([value, sessions]) => ({ value, sessions }));
      if (this.dimension.value !== dimension) return;
      this.value.replaceChildren(
        ...(rows.length === 0
          ? [h('option', { value: '', disabled: true }, 'No visits in this period')]
          : rows.map((r) => h('option', { value: r.value }, `${valueLabel(dimension, r.value)} (${formatCount(r.sessions)} visits)`))),
      );
    } catch {
      this.value.replaceChildren(h('option', { value: '', disabled: true }, 'Could not load the values'));
    }
  }
}
