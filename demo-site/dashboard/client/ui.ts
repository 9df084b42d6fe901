/** Small pieces the panels share: bars, empty states, table cells, times. */
import { type Child, h } from '../../shared/dom';

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
}

export function table(caption: string, head: string[], rows: Child[][], options: TableOptions = {}): HTMLTableElement {
  const numeric = new Set(options.numeric ?? head.map((_, i) => i).slice(1));
  return h(
    'table',
    { class: 'data' },
    h('caption', { class: options.captionHidden ? 'visually-hidden' : undefined }, caption),
    h('thead', {}, h('tr', {}, head.map((label, i) => h('th', { scope: 'col', class: numeric.has(i) ? 'num' : undefined }, label)))),
    h(
      'tbody',
      {},
      rows.map((cells) => h('tr', {}, cells.map((cell, i) => (i === 0 ? h('th', { scope: 'row' }, cell) : h('td', { class: numeric.has(i) ? 'num' : undefined }, cell))))),
    ),
  );
}

/**
 * A wide table in a box that scrolls sideways on a narrow screen; focusable,
 * so a keyboard user can scroll it too.
 */
export function scrollable(table: HTMLTableElement, label: string): HTMLElement {
  return h('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': label }, table);
}

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

/** A long id shortened for a table cell; the full id stays in the title and in the look-up it triggers. */
export function shortId(id: string): string {
  return id.length > 14 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id;
}
