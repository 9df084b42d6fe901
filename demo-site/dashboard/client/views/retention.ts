/**
 * Retention: people by the week of their first visit (a cohort), and the
 * share of them active in each week after; and repeat purchase.
 */
import { h } from '../../../shared/dom';
import { formatCount, formatPercent } from '../../../shared/format';
import type { RetentionStats } from '../types';
import { kpiList, note, panel, ratio, table } from '../ui';
import type { View, ViewContext } from '../view-context';

const WEEKS = 8;

export function retentionView(): View {
  return {
    async render(el: HTMLElement, ctx: ViewContext) {
      const stats = await ctx.api.stats<RetentionStats>('retention', ctx.scope, { weeks: WEEKS });
      if (!ctx.stillWanted()) return;
      const r = stats.repeatPurchase;
      el.replaceChildren(
        panel(
          'Weekly cohorts',
          table(
            'People active in each week after their first visit',
            ['First visit in the week of', 'People', ...Array.from({ length: WEEKS }, (_, k) => (k === 0 ? 'Week 0' : `Week ${k}`))],
            stats.cohorts.map((c) => [
              c.week,
              formatCount(c.people),
              ...Array.from({ length: WEEKS }, (_, k) => {
                if (k >= c.active.length) return h('span', { class: 'cohort-future' }, '');
                const share = ratio(c.active[k]!, c.people);
                return h(
                  'span',
                  {
                    class: (share ?? 0) >= 0.5 ? 'cohort-cell dark' : 'cohort-cell',
                    style: `--share: ${(share ?? 0).toFixed(3)}`,
                    title: `${formatCount(c.active[k]!)} of ${formatCount(c.people)}`,
                  },
                  formatPercent(share, 0),
                );
              }),
            ]),
            { captionHidden: true, className: 'cohorts' },
          ),
          note(
            'Week 0 is the week of the first visit (Monday to Sunday, UTC); week 1 the one after, and so on. A person counts in a week when they did anything on the site. Filters select people by their first visit.',
          ),
        ),
        panel(
          'Repeat purchase',
          kpiList('Repeat purchase', [
            { label: 'Customers', value: formatCount(r.customers), hint: 'people who ordered in the period' },
            { label: 'Repeat customers', value: formatCount(r.repeatCustomers), hint: 'of them, with more than one order ever' },
            { label: 'Repeat-purchase rate', value: formatPercent(r.rate), hint: 'repeat customers per customer' },
            {
              label: 'Time to the second order',
              value: r.medianDaysToSecondOrder === null ? '–' : `${r.medianDaysToSecondOrder} days`,
              hint: 'median, all customers who have one',
            },
          ]),
        ),
      );
    },
  };
}
