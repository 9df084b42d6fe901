/**
 * Lifecycle segments: how many shoppers are new, active, at risk, sleeping
 * or lapsed on each day of the period and today, and who they are (a list
 * to open, export, or keep as a live audience to win them back).
 */
import { h } from '../../../shared/dom';
import { formatCount, formatPercent } from '../../../shared/format';
import { Chart } from '../chart';
import type { LifecycleStage, LifecycleStats } from '../types';
import { bar, note, panel, table } from '../ui';
import type { View, ViewContext } from '../view-context';

const STAGES: LifecycleStage[] = ['new', 'active', 'at-risk', 'sleeping', 'lapsed'];
const COLOURS: Record<LifecycleStage, string> = { new: '#2563eb', active: '#0b6b4f', 'at-risk': '#b45309', sleeping: '#7c3aed', lapsed: '#b91c1c' };

export function lifecycleView(): View {
  const chart = new Chart();
  return {
    async render(el: HTMLElement, ctx: ViewContext) {
      const stats = await ctx.api.stats<LifecycleStats>('lifecycle', ctx.scope);
      if (!ctx.stillWanted()) return;
      const t = stats.thresholds;
      const meaning: Record<LifecycleStage, string> = {
        new: `first seen within ${t.activeDays} days, not back on a later day yet`,
        active: `seen within ${t.activeDays} days, and on more than one day`,
        'at-risk': `last seen ${t.activeDays + 1}–${t.atRiskDays} days ago`,
        sleeping: `last seen ${t.atRiskDays + 1}–${t.lapsedDays} days ago`,
        lapsed: `last seen over ${t.lapsedDays} days ago`,
      };
      const total = STAGES.reduce((sum, s) => sum + stats.now[s], 0);
      const people = (stage: LifecycleStage) =>
        void ctx.people.open(
          `${stage[0]!.toUpperCase()}${stage.slice(1)} shoppers`,
          ctx.api.statsPath('lifecycle/people', ctx.scope, { stage }),
          `lifecycle-${stage}`,
        );
      const status = h('p', { class: 'note', role: 'status', 'data-audience-status': '' });
      // A stage kept as a live audience (contract section 7's lifecycle fact, which spells at-risk at_risk): campaigns and destinations can use it.
      const keep = async (stage: LifecycleStage) => {
        status.textContent = `Saving the ${stage} shoppers as an audience…`;
        try {
          const audience = await ctx.api.saveAudience(`lifecycle-${stage}`, {
            name: `${stage[0]!.toUpperCase()}${stage.slice(1)} shoppers`,
            definition: { fact: 'lifecycle', op: 'eq', value: stage.replace('-', '_') },
          });
          status.replaceChildren(
            `Kept as the audience “${audience.name}” (${audience.id}, ${audience.status === 'building' ? 'being built' : `${formatCount(audience.size)} members`}). It stays up to date; see `,
            h('a', { href: '#/audiences' }, 'Audiences'),
            '.',
          );
        } catch (error) {
          status.textContent = error instanceof Error ? error.message : String(error);
        }
      };
      el.replaceChildren(
        panel(
          'Shoppers by stage today',
          table(
            'Shoppers by lifecycle stage today',
            ['Stage', 'Shoppers', '', 'Share', 'Who'],
            STAGES.map((stage) => [
              h('span', {}, h('span', { class: `stage stage-${stage}` }, stage), h('span', { class: 'stage-meaning' }, meaning[stage])),
              h('span', { 'data-lifecycle': stage }, formatCount(stats.now[stage])),
              bar(total > 0 ? stats.now[stage] / total : 0, 'muted'),
              formatPercent(total > 0 ? stats.now[stage] / total : null),
              h(
                'span',
                { class: 'stage-actions' },
                h(
                  'button',
                  { type: 'button', class: 'small', disabled: stats.now[stage] === 0, onclick: () => people(stage) },
                  `List (${formatCount(stats.now[stage])})`,
                ),
                h('button', { type: 'button', class: 'small', 'data-keep-audience': stage, onclick: () => void keep(stage) }, 'Keep as audience'),
              ),
            ]),
            { captionHidden: true, numeric: [1, 3] },
          ),
          status,
          note(
            'Every shopper ever seen, whatever the period and filters. Returning customers cost less than new ones: at-risk and sleeping shoppers are the ones to win back.',
          ),
        ),
        panel('Stages over the period', chart.element, note('Shoppers in each stage at the end of each day (UTC).')),
      );
      await chart.draw({
        kind: 'time',
        x: stats.overTime.map((d) => Date.parse(`${d.day}T00:00:00Z`) / 1000),
        xLabels: stats.overTime.map((d) => d.day),
        xTitle: 'Day (UTC)',
        series: STAGES.map((stage) => ({ label: stage, color: COLOURS[stage], values: stats.overTime.map((d) => d.counts[stage]) })),
        summary: `Line chart of shoppers per lifecycle stage, day by day; today ${STAGES.map((s) => `${formatCount(stats.now[s])} ${s}`).join(', ')}.`,
      });
    },
  };
}
