/**
 * Site search: how much people search, how often a search leads to a
 * product (click-through), which searches find nothing (the page's
 * `result_count` of 0) and which terms matter most.
 */
import { fill, h } from '../../../shared/dom';
import { formatCount, formatPercent } from '../../../shared/format';
import type { SearchStats, SearchTerm } from '../types';
import { change, kpiList, note, panel, ratio, table } from '../ui';
import type { View, ViewContext } from '../view-context';

export function searchView(): View {
  return {
    async render(el: HTMLElement, ctx: ViewContext) {
      const stats = await ctx.api.stats<SearchStats>('search', ctx.scope);
      if (!ctx.stillWanted()) return;
      const t = stats.totals;
      const p = stats.previousTotals;
      const percent = (n: number) => formatPercent(n);
      fill(
        el,
        kpiList('Search figures', [
          { label: 'Searches', value: formatCount(t.searches), change: change(t.searches, p.searches) },
          { label: 'People searching', value: formatCount(t.people) },
          {
            label: 'Click-through',
            value: formatPercent(ratio(t.clickedThrough, t.searches)),
            hint: 'searches followed by a product view',
            change: change(ratio(t.clickedThrough, t.searches), ratio(p.clickedThrough, p.searches), 'up', percent),
          },
          {
            label: 'No results',
            value: formatPercent(ratio(t.noResults, t.withResultCount)),
            hint: `${formatCount(t.noResults)} searches found nothing`,
            change: change(t.noResults, p.noResults, 'down'),
          },
          { label: 'In converting visits', value: formatPercent(ratio(t.inConvertingSessions, t.searches)), hint: 'searches in visits with an order' },
        ]),
        t.searches > 0 && t.withResultCount < t.searches
          ? note(
              `${formatCount(t.searches - t.withResultCount)} of the searches did not say how many results they showed (no result_count), so they count neither as found nor as not found.`,
            )
          : null,
        h(
          'div',
          { class: 'columns' },
          panel('Top search terms', termsTable('Top search terms', stats.terms.slice(0, 25))),
          panel(
            'Searches that found nothing',
            stats.noResultTerms.length === 0
              ? note('Every search in this period found something.')
              : termsTable('Searches that found nothing', stats.noResultTerms, true),
            note('What shoppers want and the shop does not show: products to stock, synonyms to add, spellings to forgive.'),
          ),
        ),
      );
    },
  };
}

function termsTable(caption: string, terms: SearchTerm[], empty = false): HTMLElement {
  if (terms.length === 0) return note('No searches in this period.');
  return table(
    caption,
    empty ? ['Query', 'Searches', 'People'] : ['Query', 'Searches', 'People', 'Click-through', 'No results', 'Results shown (mean)'],
    terms.map((term) => {
      const row = [h('span', { class: 'query' }, `“${term.query}”`), formatCount(term.searches), formatCount(term.people)];
      if (empty) return row;
      return [
        ...row,
        formatPercent(ratio(term.clickedThrough, term.searches)),
        term.withResultCount > 0 ? formatCount(term.noResults) : '–',
        term.averageResults === null ? '–' : String(term.averageResults),
      ];
    }),
    { captionHidden: true },
  );
}
