/**
 * The funnel product viewed → added → checkout started → order completed:
 * each step's event count in the period, the share of the step before it
 * reached, and the share of the first.
 */
import { h } from '../../../shared/dom';
import { formatCount, formatPercent } from '../../../shared/format';
import type { Stats } from '../types';
import { bar, table } from '../ui';

const LABELS: Record<string, string> = {
  'Product Viewed': 'Product viewed',
  'Product Added': 'Added to cart',
  'Checkout Started': 'Checkout started',
  'Order Completed': 'Order completed',
};

export function renderFunnel(el: HTMLElement, stats: Stats): void {
  const first = stats.funnel[0]?.count ?? 0;
  el.replaceChildren(
    table(
      'Funnel steps: events in the period',
      ['Step', 'Events', '', 'From the step before', 'From product views'],
      stats.funnel.map((s) => [
        LABELS[s.step] ?? s.step,
        h('span', { 'data-funnel-count': s.step }, formatCount(s.count)),
        bar(first > 0 ? s.count / first : 0),
        formatPercent(s.fromPrevious),
        formatPercent(s.fromFirst),
      ]),
      { captionHidden: true },
    ),
    h('p', { class: 'note' }, 'Counts of events, not of shoppers: a shopper who views five products adds five views.'),
  );
}
