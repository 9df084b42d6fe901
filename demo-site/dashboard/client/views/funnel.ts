/**
 * The funnel in people: editable steps (any event, a page view, signing
 * in), a conversion window, the drop-off at each step with the people
 * behind it, the period before for comparison, and a breakdown by any
 * dimension of the visit where people entered.
 */
import { fill, h } from '../../../shared/dom';
import { formatCount, formatPercent, plural } from '../../../shared/format';
import { Chart } from '../chart';
import { DIMENSIONS } from '../state';
import { dimensionLabel, valueLabel } from '../toolbar';
import type { FunnelStats, StatsDimension } from '../types';
import { bar, change, formatDuration, note, panel, ratio, table } from '../ui';
import type { View, ViewContext } from '../view-context';

const WINDOWS = [
  { value: '30m', label: '30 minutes' },
  { value: '1h', label: '1 hour' },
  { value: '1d', label: '1 day' },
  { value: '3d', label: '3 days' },
  { value: '7d', label: '7 days' },
  { value: '14d', label: '14 days' },
  { value: '30d', label: '30 days' },
];
const MAX_STEPS = 8;

export const stepLabel = (step: string) => (step === '$page' ? 'Any page view' : step === '$identify' ? 'Signed in (identify)' : step);

export function funnelView(): View {
  const chart = new Chart();
  return {
    async render(el: HTMLElement, ctx: ViewContext) {
      const { steps, window, breakdown } = ctx.state;
      const params = { step: steps, window, breakdown };
      const stats = await ctx.api.stats<FunnelStats>('funnel', ctx.scope, params);
      if (!ctx.stillWanted()) return;
      const windowLabel = WINDOWS.find((w) => w.value === window)?.label ?? window;
      fill(
        el,
        editor(ctx, stats),
        panel(
          'People per step',
          chart.element,
          stepsTable(ctx, stats),
          note(
            `A person enters at their first “${stepLabel(steps[0]!)}” in the period and counts at a step once they did it after the step before, within ${windowLabel} of entering. `,
            'Each person counts once per step, however often they repeat it.',
          ),
        ),
        stats.breakdown ? breakdownPanel(stats) : null,
      );
      await chart.draw({
        kind: 'bars',
        x: stats.steps.map((_, i) => i + 1),
        xLabels: stats.steps.map((s) => stepLabel(s.step)),
        xTitle: 'Step',
        series: [
          { label: 'People', color: '#0b6b4f', values: stats.steps.map((s) => s.people) },
          { label: 'Previous period', color: '#9ca3af', values: stats.previous.map((s) => s.people) },
        ],
        summary: `Bar chart of people per funnel step: ${stats.steps.map((s) => `${stepLabel(s.step)} ${formatCount(s.people)}`).join(', ')}.`,
      });
    },
  };
}

function editor(ctx: ViewContext, stats: FunnelStats): HTMLElement {
  const steps = ctx.state.steps;
  const setSteps = (next: string[]) => ctx.store.update({ steps: next });
  const choices = [...new Set([...stats.available, ...steps])];
  return h(
    'form',
    { class: 'funnel-editor', 'aria-label': 'Funnel steps and window', onsubmit: (e: Event) => e.preventDefault() },
    h(
      'ol',
      { class: 'step-editor' },
      steps.map((step, i) =>
        h(
          'li',
          {},
          h('label', { for: `step-${i}` }, `Step ${i + 1}`),
          h(
            'select',
            {
              id: `step-${i}`,
              onchange: (event: Event) => setSteps(steps.map((s, j) => (j === i ? (event.target as HTMLSelectElement).value : s))),
            },
            choices.map((c) => h('option', { value: c, selected: c === step }, stepLabel(c))),
          ),
          h(
            'span',
            { class: 'step-buttons' },
            h(
              'button',
              { type: 'button', class: 'small', disabled: i === 0, 'aria-label': `Move step ${i + 1} earlier`, onclick: () => setSteps(swap(steps, i, i - 1)) },
              'Earlier',
            ),
            h(
              'button',
              {
                type: 'button',
                class: 'small',
                disabled: i === steps.length - 1,
                'aria-label': `Move step ${i + 1} later`,
                onclick: () => setSteps(swap(steps, i, i + 1)),
              },
              'Later',
            ),
            h(
              'button',
              {
                type: 'button',
                class: 'small',
                disabled: steps.length <= 2,
                'aria-label': `Remove step ${i + 1}`,
                onclick: () => setSteps(steps.filter((_, j) => j !== i)),
              },
              'Remove',
            ),
          ),
        ),
      ),
    ),
    h(
      'p',
      { class: 'view-controls' },
      h(
        'button',
        {
          type: 'button',
          class: 'small',
          disabled: steps.length >= MAX_STEPS,
          onclick: () => setSteps([...steps, choices.find((c) => !steps.includes(c)) ?? steps[steps.length - 1]!]),
        },
        'Add a step',
      ),
      h('label', { for: 'funnel-window' }, 'Conversion window'),
      h(
        'select',
        { id: 'funnel-window', onchange: (event: Event) => ctx.store.update({ window: (event.target as HTMLSelectElement).value }) },
        WINDOWS.map((w) => h('option', { value: w.value, selected: w.value === ctx.state.window }, w.label)),
      ),
      h('label', { for: 'funnel-breakdown' }, 'Break down by'),
      h(
        'select',
        {
          id: 'funnel-breakdown',
          onchange: (event: Event) => {
            const value = (event.target as HTMLSelectElement).value;
            ctx.store.update({ breakdown: value ? (value as StatsDimension) : undefined });
          },
        },
        h('option', { value: '' }, 'nothing'),
        DIMENSIONS.map((d) => h('option', { value: d.id, selected: d.id === ctx.state.breakdown }, d.label)),
      ),
    ),
  );
}

function swap(steps: string[], i: number, j: number): string[] {
  const next = [...steps];
  [next[i], next[j]] = [next[j]!, next[i]!];
  return next;
}

function stepsTable(ctx: ViewContext, stats: FunnelStats): HTMLElement {
  const first = stats.steps[0]?.people ?? 0;
  const listPath = (stepNumber: number, outcome: 'reached' | 'dropped') =>
    ctx.api.statsPath('funnel/people', ctx.scope, { step: ctx.state.steps, window: ctx.state.window, stepNumber, outcome });
  return table(
    'Funnel steps',
    [
      'Step',
      'People',
      '',
      'Previous period',
      'From the step before',
      'From the first step',
      'Dropped off before it',
      'Median time from the first step',
      'People behind it',
    ],
    stats.steps.map((s, i) => {
      const label = stepLabel(s.step);
      const last = i === stats.steps.length - 1;
      return [
        h('span', {}, h('span', { class: 'step-number' }, `${i + 1}. `), label),
        h('span', { 'data-funnel-count': s.step }, formatCount(s.people)),
        bar(first > 0 ? s.people / first : 0),
        change(s.people, stats.previous[i]?.people ?? 0),
        formatPercent(s.fromPrevious),
        formatPercent(s.fromFirst),
        i === 0 ? '–' : formatCount(s.dropped),
        formatDuration(s.medianSecondsFromFirst),
        h(
          'span',
          { class: 'people-buttons' },
          h(
            'button',
            {
              type: 'button',
              class: 'small',
              disabled: s.people === 0,
              onclick: () => void ctx.people.open(`People who reached “${label}”`, listPath(i + 1, 'reached'), `funnel-step-${i + 1}-reached`),
            },
            `Who (${formatCount(s.people)})`,
          ),
          last
            ? null
            : h(
                'button',
                {
                  type: 'button',
                  class: 'small',
                  disabled: s.people - (stats.steps[i + 1]?.people ?? 0) === 0,
                  onclick: () =>
                    void ctx.people.open(`People who reached “${label}” and went no further`, listPath(i + 1, 'dropped'), `funnel-step-${i + 1}-dropped`),
                },
                `Dropped after (${formatCount(s.people - (stats.steps[i + 1]?.people ?? 0))})`,
              ),
        ),
      ];
    }),
    { captionHidden: true, numeric: [1, 3, 4, 5, 6, 7] },
  );
}

function breakdownPanel(stats: FunnelStats): HTMLElement {
  const { by, rows } = stats.breakdown!;
  const lastIndex = stats.steps.length - 1;
  return panel(
    `By ${dimensionLabel(by).toLowerCase()}`,
    rows.length === 0
      ? note('Nobody entered the funnel in this period.')
      : table(
          `Funnel by ${dimensionLabel(by).toLowerCase()}`,
          [dimensionLabel(by), ...stats.steps.map((s, i) => `${i + 1}. ${stepLabel(s.step)}`), 'Conversion'],
          rows.map((r) => [
            valueLabel(by as StatsDimension, r.value),
            ...r.people.map((n) => formatCount(n)),
            formatPercent(ratio(r.people[lastIndex] ?? 0, r.people[0] ?? 0)),
          ]),
          { captionHidden: true },
        ),
    note(`Each person in the group of the visit they entered the funnel in. ${rows.length >= 20 ? 'The 20 largest groups.' : plural(rows.length, 'group')}.`),
  );
}
