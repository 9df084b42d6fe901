/**
 * Small pieces the views share: tables that reflow into cards on a phone,
 * figures with their change against the period before, money per currency,
 * bars, empty states, times.
 */
import { type Child, h } from '../../shared/dom';
import { formatChange, formatCount, formatPercent, formatPrice } from '../../shared/format';
import type { Money } from './types';

/** A horizontal bar for a share from 0 to 1, drawn in CSS; the number next to it is what screen readers get. */
export function bar(share: number, tone: 'accent' | 'muted' | 'control' = 'accent'): HTMLElement {
  const width = Math.max(0, Math.min(1, Number.isFinite(share) ? share : 0));
  return h('span', { class: `bar ${tone}`, 'aria-hidden': 'true' }, h('span', { style: `width: ${(width * 100).toFixed(1)}%` }));
}

export function emptyState(text: string): HTMLElement {
  return h('p', { class: 'empty-state' }, text);
}

export interface TableOptions {
  /** Columns (0-based) that hold numbers and align right; default: every column after the first. */
  numeric?: number[];
  captionHidden?: boolean;
  className?: string;
}

/**
 * A data table. On a narrow screen each row becomes a card whose cells are
 * labelled with their column's heading (`data-label`), so nothing scrolls
 * sideways; screen readers keep the table's own semantics.
 */
export function table(caption: string, head: string[], rows: Child[][], options: TableOptions = {}): HTMLTableElement {
  const numeric = new Set(options.numeric ?? head.map((_, i) => i).slice(1));
  return h(
    'table',
    { class: `data reflow ${options.className ?? ''}`.trim() },
    h('caption', { class: options.captionHidden ? 'visually-hidden' : undefined }, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        head.map((label, i) => h('th', { scope: 'col', class: numeric.has(i) ? 'num' : undefined }, label)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((cells) =>
        h(
          'tr',
          {},
          cells.map((cell, i) =>
            i === 0 ? h('th', { scope: 'row' }, cell) : h('td', { class: numeric.has(i) ? 'num' : undefined, 'data-label': head[i] || undefined }, cell),
          ),
        ),
      ),
    ),
  );
}

export type Better = 'up' | 'down' | 'neither';

/** The change from the previous period: "+12.3% from 456", green when the move is good, with words for screen readers. */
export function change(current: number | null, previous: number | null, better: Better = 'up', format: (n: number) => string = formatCount): HTMLElement {
  if (current === null || previous === null) return h('span', { class: 'change none' }, 'no comparison');
  const ratio = previous > 0 ? current / previous - 1 : current > 0 ? null : 0;
  const direction = current > previous ? 'up' : current < previous ? 'down' : 'flat';
  const tone = direction === 'flat' || better === 'neither' ? 'flat' : direction === better ? 'good' : 'bad';
  const amount = ratio === null ? 'new' : formatChange(ratio);
  return h(
    'span',
    { class: `change ${tone}` },
    h('span', { 'aria-hidden': 'true' }, amount),
    h('span', { class: 'visually-hidden' }, direction === 'flat' ? 'unchanged' : `${direction} ${ratio === null ? '' : formatPercent(Math.abs(ratio))}`),
    h('span', { class: 'change-from' }, ` from ${format(previous)}`),
  );
}

export interface Kpi {
  label: string;
  value: Child;
  /** What the figure counts, in a line under it. */
  hint?: string;
  change?: HTMLElement;
}

export function kpiList(label: string, kpis: Kpi[]): HTMLElement {
  return h(
    'dl',
    { class: 'kpi-list', 'aria-label': label },
    kpis.map((k) =>
      h(
        'div',
        { class: 'kpi', 'data-kpi': k.label },
        h('dt', {}, k.label),
        h('dd', {}, h('span', { class: 'kpi-value' }, k.value), k.change ?? null, k.hint ? h('span', { class: 'kpi-hint' }, k.hint) : null),
      ),
    ),
  );
}

/** An amount in the site's currency, with the other currencies (never converted, never added in) after it. */
export function money(list: Money[], siteCurrency: string): HTMLElement {
  const main = list.find((m) => m.currency === siteCurrency) ?? { currency: siteCurrency, amount: 0 };
  const others = list.filter((m) => m.currency !== siteCurrency && m.amount !== 0);
  return h(
    'span',
    { class: 'money' },
    h('span', { class: 'money-main' }, formatPrice(main.amount, main.currency)),
    others.length > 0
      ? h(
          'span',
          { class: 'money-other', title: 'Other currencies: not converted, not added in' },
          others.map((m) => `+ ${formatPrice(m.amount, m.currency)}`).join(' '),
        )
      : null,
  );
}

/** Text for an amount list: "€1,234.00 + ¥3,000 (not converted)". */
export function moneyText(list: Money[], siteCurrency: string): string {
  const main = list.find((m) => m.currency === siteCurrency) ?? { currency: siteCurrency, amount: 0 };
  const others = list.filter((m) => m.currency !== siteCurrency && m.amount !== 0);
  return (
    [formatPrice(main.amount, main.currency), ...others.map((m) => formatPrice(m.amount, m.currency))].join(' + ') + (others.length ? ' (not converted)' : '')
  );
}

export const amountIn = (list: Money[], currency: string) => list.find((m) => m.currency === currency)?.amount ?? 0;

export const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

const time = new Intl.DateTimeFormat('en-US', { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
const dateTime = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });

export function formatTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : time.format(d);
}

export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : dateTime.format(d);
}

/** Seconds as words: "45 s", "12 min", "3.5 h", "2.1 days". */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '–';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} days`;
}

/** A long id shortened for a table cell; the full id stays in the title and in the look-up it triggers. */
export function shortId(id: string): string {
  return id.length > 14 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id;
}

/** A section inside a view, with its own heading. */
export function panel(title: string, ...children: Child[]): HTMLElement {
  const id = `panel-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return h('section', { class: 'panel', 'aria-labelledby': id }, h('h3', { id }, title), ...children);
}

export function note(...children: Child[]): HTMLElement {
  return h('p', { class: 'note' }, ...children);
}
