/** Shoppers by lifecycle stage, now (not limited to the period), with what each stage means. */
import { h } from '../../../shared/dom';
import { formatCount, formatPercent } from '../../../shared/format';
import type { LifecycleStage, Stats } from '../types';
import { bar, table } from '../ui';

const ORDER: LifecycleStage[] = ['new', 'active', 'at-risk', 'sleeping', 'lapsed'];

export function renderLifecycle(el: HTMLElement, stats: Stats): void {
  const { counts, thresholds: t } = stats.lifecycle;
  const total = ORDER.reduce((sum, stage) => sum + (counts[stage] ?? 0), 0);
  const meaning: Record<LifecycleStage, string> = {
    new: `first visit within ${t.activeDays} days`,
    active: `seen within ${t.activeDays} days`,
    'at-risk': `idle ${t.activeDays + 1}–${t.atRiskDays} days`,
    sleeping: `idle ${t.atRiskDays + 1}–${t.lapsedDays} days`,
    lapsed: `idle over ${t.lapsedDays} days`,
  };
  el.replaceChildren(
    table(
      'Shoppers by lifecycle stage',
      ['Stage', 'Shoppers', '', 'Share'],
      ORDER.map((stage) => [
        h('span', {}, h('span', { class: `stage stage-${stage}` }, stage), h('span', { class: 'stage-meaning' }, meaning[stage])),
        h('span', { 'data-lifecycle': stage }, formatCount(counts[stage] ?? 0)),
        bar(total > 0 ? (counts[stage] ?? 0) / total : 0, 'muted'),
        formatPercent(total > 0 ? (counts[stage] ?? 0) / total : null),
      ]),
      { captionHidden: true },
    ),
    h('p', { class: 'note' }, `All ${formatCount(total)} shopper profiles as of now, whatever the period. Returning customers cost less than new ones: the at-risk and sleeping groups are the ones to win back.`),
  );
}
