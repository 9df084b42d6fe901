/**
 * Whether the recommendation slots earn their place: each slot's treatment
 * group (personal and regional picks) next to its holdout (global best
 * sellers). Two tables, one definition of money each: what was bought from
 * the slot's clicks, and what the shoppers who saw it spent afterwards. Then
 * the lift of treatment over the holdout with its 95% interval, in words,
 * and while it is not yet distinguishable, how many more holdout shoppers
 * it takes.
 */
import { type Child, h } from '../../../shared/dom';
import { formatChange, formatCount, formatPercent, formatPrice } from '../../../shared/format';
import type { SlotGroupFigures, SlotLift, SlotStats, SlotsStats } from '../types';
import { emptyState, money, note } from '../ui';
import type { View, ViewContext } from '../view-context';

const SLOT_NAMES: Record<string, string> = {
  home: 'Home: picked for you',
  product: 'Product page: also liked',
  cart: 'Cart: goes well with',
  trending: 'Trending near you',
  reorder: 'Time to restock',
};

export function slotsView(): View {
  return {
    async render(el: HTMLElement, ctx: ViewContext) {
      const stats = await ctx.api.stats<SlotsStats>('slots', ctx.scope);
      if (!ctx.stillWanted()) return;
      const intro = note(
        `${stats.holdoutPercent}% of shoppers are held out: their slots show global best sellers instead of picks for them. `,
        'A lift is a finding only once its 95% interval clears zero; small groups give wide intervals. Filters do not apply here: the groups are the experiment.',
      );
      el.replaceChildren(
        intro,
        ...(stats.slots.length === 0 ? [emptyState('No slot was seen in this period.')] : stats.slots.map((s) => slotBlock(s, stats.currency))),
      );
    },
  };
}

function slotBlock(s: SlotStats, currency: string): HTMLElement {
  const name = SLOT_NAMES[s.slot] ?? s.slot;
  return h(
    'article',
    { class: 'slot panel', 'data-slot': s.slot, 'aria-labelledby': `slot-${s.slot}` },
    h('h3', { id: `slot-${s.slot}` }, name, ' ', h('code', {}, s.slot)),
    h(
      'div',
      { class: 'slot-body' },
      h(
        'div',
        { class: 'slot-tables' },
        groupTable(`What was clicked in the slot`, s, [
          ['Impressions', (g) => formatCount(g.impressions)],
          ['Clicks', (g) => formatCount(g.clicks)],
          ['Click-through rate', (g) => formatPercent(g.ctr)],
          ['Clicked products added to cart', (g) => formatCount(g.creditedAdds)],
          ['Orders with a clicked product', (g) => formatCount(g.creditedOrders)],
          ['Sales of clicked products', (g) => money(g.creditedSales, currency)],
        ]),
        note('Sales: the clicked products in orders within seven days of the click, at their price × quantity.'),
        groupTable(`The shoppers who saw it`, s, [
          ['Shoppers', (g) => formatCount(g.shoppers)],
          ['Who ordered afterwards', (g) => formatCount(g.converted)],
          ['Conversion rate', (g) => formatPercent(g.conversionRate)],
          [`Revenue (${currency})`, (g) => formatPrice(g.revenue, currency)],
          [`Revenue per shopper (${currency})`, (g) => (g.revenuePerShopper === null ? '–' : formatPrice(g.revenuePerShopper, currency))],
        ]),
        note(
          `Revenue: the totals of every order a shopper placed after first seeing the slot, in ${currency}.`,
          s.treatment.otherRevenue.length + s.control.otherRevenue.length > 0
            ? ` Orders in other currencies are left out of it and of the lift: ${[...s.treatment.otherRevenue, ...s.control.otherRevenue].map((m) => formatPrice(m.amount, m.currency)).join(', ')}.`
            : '',
        ),
      ),
      h(
        'div',
        { class: 'lifts' },
        h('h4', {}, 'Relative lift over the holdout, 95% interval'),
        liftRow('Click-through', s.lift.ctr, s.lift.ctr.verdict),
        liftRow('Conversion', s.lift.conversionRate, s.lift.conversionRate.verdict),
        liftRow('Revenue per shopper', s.lift.revenuePerShopper, s.lift.revenuePerShopper.verdict),
      ),
    ),
  );
}

function groupTable(caption: string, s: SlotStats, rows: [string, (g: SlotGroupFigures) => Child][]): HTMLTableElement {
  return h(
    'table',
    { class: 'data slot-table' },
    h('caption', {}, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Measure'),
        h('th', { scope: 'col', class: 'num' }, 'Treatment'),
        h('th', { scope: 'col', class: 'num' }, 'Holdout'),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map(([label, value]) =>
        h('tr', {}, h('th', { scope: 'row' }, label), h('td', { class: 'num' }, value(s.treatment)), h('td', { class: 'num' }, value(s.control))),
      ),
    ),
  );
}

/**
 * The relative change and its interval, drawn on a scale from −100% to the
 * larger of +100% and its upper end (capped), zero marked; then the verdict
 * in words, with the shoppers still needed while it is not a finding.
 */
export function liftRow(label: string, lift: Pick<SlotLift, 'relative' | 'relativeCi95'>, verdict: SlotLift['verdict']): HTMLElement {
  const ci = lift.relativeCi95;
  const text = verdict.text;
  return h(
    'div',
    { class: `lift ${verdict.status}` },
    h('span', { class: 'lift-label' }, label),
    h(
      'span',
      { class: 'lift-value' },
      h('span', { class: 'lift-estimate' }, formatChange(lift.relative)),
      ci ? h('span', { class: 'lift-ci' }, ` (${formatChange(ci[0])} to ${formatChange(ci[1])})`) : null,
    ),
    intervalGraphic(lift.relative, ci),
    h('span', { class: 'lift-verdict' }, `${text.charAt(0).toUpperCase()}${text.slice(1)}.`),
  );
}

function intervalGraphic(estimate: number | null, ci: [number, number] | null): HTMLElement {
  const max = Math.min(4, Math.max(1, ci?.[1] ?? 0, estimate ?? 0));
  const x = (v: number) => ((Math.max(-1, Math.min(max, v)) + 1) / (max + 1)) * 100;
  const parts: Child[] = [h('span', { class: 'ci-zero', style: `left: ${x(0).toFixed(1)}%` })];
  if (ci) parts.push(h('span', { class: 'ci-range', style: `left: ${x(ci[0]).toFixed(1)}%; width: ${Math.max(0.5, x(ci[1]) - x(ci[0])).toFixed(1)}%` }));
  if (estimate !== null) parts.push(h('span', { class: 'ci-point', style: `left: ${x(estimate).toFixed(1)}%` }));
  return h('span', { class: 'ci', 'aria-hidden': 'true' }, parts);
}
