/**
 * Whether the recommendation slots earn their place: for each slot, the
 * treatment group (personal and regional picks) next to the holdout
 * (global best sellers), and the lift of treatment over holdout with its
 * 95% confidence interval. An interval that straddles zero says "not yet
 * known", and the panel says so rather than crowning a winner.
 */
import { type Child, h } from '../../../shared/dom';
import { formatChange, formatCount, formatPercent, formatPrice } from '../../../shared/format';
import type { Lift, SlotFigures, Stats, VariantFigures } from '../types';
import { emptyState } from '../ui';

const SLOT_NAMES: Record<string, string> = {
  home: 'Home: picked for you',
  product: 'Product page: also liked',
  cart: 'Cart: goes well with',
  trending: 'Trending near you',
  reorder: 'Time to restock',
};

export function renderSlots(el: HTMLElement, stats: Stats): void {
  const intro = h(
    'p',
    { class: 'note' },
    `${stats.holdoutPercent}% of shoppers are held out: their slots show global best sellers instead of picks for them. `,
    'Conversion and revenue count every order a shopper placed after first seeing the slot. ',
    'A lift is a finding only once its 95% interval clears zero; small groups give wide intervals.',
  );
  if (stats.slots.length === 0) {
    el.replaceChildren(intro, emptyState('No slot was seen in this period.'));
    return;
  }
  el.replaceChildren(intro, ...stats.slots.map(slotBlock));
}

function slotBlock(s: SlotFigures): HTMLElement {
  const rows: [string, (v: VariantFigures) => string][] = [
    ['Impressions', (v) => formatCount(v.impressions)],
    ['Clicks', (v) => formatCount(v.clicks)],
    ['Click-through rate', (v) => formatPercent(v.ctr)],
    ['Added to cart from the slot', (v) => formatCount(v.adds)],
    ['Add-to-cart rate (per impression)', (v) => formatPercent(v.impressions > 0 ? v.adds / v.impressions : null)],
    ['Orders from the slot', (v) => formatCount(v.orders)],
    ['Revenue from the slot', (v) => formatPrice(v.revenue)],
    ['Shoppers who saw it', (v) => formatCount(v.visitors)],
    ['Conversion rate', (v) => formatPercent(v.conversionRate)],
    ['Revenue per shopper', (v) => (v.revenuePerVisitor === null ? '–' : formatPrice(v.revenuePerVisitor))],
  ];
  return h(
    'article',
    { class: 'slot', 'data-slot': s.slot },
    h('h3', {}, SLOT_NAMES[s.slot] ?? s.slot, h('code', {}, s.slot)),
    h(
      'div',
      { class: 'slot-body' },
      h(
        'table',
        { class: 'data slot-table' },
        h('caption', { class: 'visually-hidden' }, `${s.slot} slot: treatment and holdout`),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Measure'), h('th', { scope: 'col', class: 'num' }, 'Treatment'), h('th', { scope: 'col', class: 'num' }, 'Holdout'))),
        h(
          'tbody',
          {},
          rows.map(([label, value]) => h('tr', {}, h('th', { scope: 'row' }, label), h('td', { class: 'num' }, value(s.treatment)), h('td', { class: 'num' }, value(s.control)))),
        ),
      ),
      h(
        'div',
        { class: 'lifts' },
        h('h4', {}, 'Lift over the holdout, 95% interval'),
        liftRow('Click-through', s.lift.ctr),
        liftRow('Conversion', s.lift.conversionRate),
        liftRow('Revenue per shopper', s.lift.revenuePerVisitor),
      ),
    ),
  );
}

/** The interval is drawn on a scale from −100% to the larger of +100% and its upper end (capped), zero marked. */
function liftRow(label: string, lift: Lift): HTMLElement {
  const { estimate, low, high } = lift;
  let verdict: string;
  let tone: string;
  if (estimate === null) [verdict, tone] = ['not enough data', 'unknown'];
  else if (low === null || high === null) [verdict, tone] = ['too few conversions for an interval', 'unknown'];
  else if (low > 0) [verdict, tone] = ['better than the holdout', 'better'];
  else if (high < 0) [verdict, tone] = ['worse than the holdout', 'worse'];
  else [verdict, tone] = ['not yet distinguishable', 'unclear'];
  const text: Child[] = [
    h('span', { class: 'lift-estimate' }, formatChange(estimate)),
    low !== null && high !== null ? h('span', { class: 'lift-ci' }, ` (${formatChange(low)} to ${formatChange(high)})`) : null,
  ];
  return h(
    'div',
    { class: `lift ${tone}` },
    h('span', { class: 'lift-label' }, label),
    h('span', { class: 'lift-value' }, text),
    intervalGraphic(estimate, low, high),
    h('span', { class: 'lift-verdict' }, verdict),
  );
}

function intervalGraphic(estimate: number | null, low: number | null, high: number | null): HTMLElement {
  const max = Math.min(4, Math.max(1, high ?? 0, estimate ?? 0));
  const x = (v: number) => ((Math.max(-1, Math.min(max, v)) + 1) / (max + 1)) * 100;
  const parts: Child[] = [h('span', { class: 'ci-zero', style: `left: ${x(0).toFixed(1)}%` })];
  if (low !== null && high !== null) parts.push(h('span', { class: 'ci-range', style: `left: ${x(low).toFixed(1)}%; width: ${Math.max(0.5, x(high) - x(low)).toFixed(1)}%` }));
  if (estimate !== null) parts.push(h('span', { class: 'ci-point', style: `left: ${x(estimate).toFixed(1)}%` }));
  return h('span', { class: 'ci', 'aria-hidden': 'true' }, parts);
}
