/**
 * Audiences (GET /v1/admin/audiences): each live segment with its size now
 * and day by day, its definition, and its members as a CSV file
 * (GET /v1/admin/audiences/:id/members?format=csv). A lifecycle stage can be
 * kept as an audience from the lifecycle view; this is where it then lives.
 */
import { h } from '../../../shared/dom';
import { formatCount } from '../../../shared/format';
import type { AudienceView } from '../types';
import { emptyState, formatDateTime, note, panel, table } from '../ui';
import type { View, ViewContext } from '../view-context';

export function audiencesView(): View {
  return {
    async render(el: HTMLElement, ctx: ViewContext) {
      const { audiences } = await ctx.api.audiences();
      const detailed = await Promise.all(audiences.map((a) => ctx.api.audience(a.id)));
      if (!ctx.stillWanted()) return;
      if (audiences.length === 0) {
        el.replaceChildren(emptyState('No audiences yet. Keep a lifecycle stage as one from the Lifecycle view, or define one with PUT /v1/admin/audiences/:id.'));
        return;
      }
      const status = h('p', { class: 'note', role: 'status' });
      el.replaceChildren(
        panel(
          'Audiences',
          table(
            'Audiences, their size and their members',
            ['Audience', 'Members now', 'A week ago', 'Definition', 'Members'],
            detailed.map((a) => [
              h('span', {}, a.name, h('span', { class: 'note block' }, `${a.id}${a.status === 'building' ? ' · still being built' : ''} · since ${formatDateTime(a.createdAt)}`)),
              formatCount(a.size),
              weekAgo(a),
              h('code', { class: 'definition' }, JSON.stringify(a.definition)),
              h('button', { type: 'button', class: 'small', 'data-audience-csv': a.id, onclick: () => void download(ctx, a, status) }, `CSV (${formatCount(a.size)})`),
            ]),
            { numeric: [1, 2] },
          ),
          status,
          note('An audience is live: people enter and leave within seconds of the event that changes it, and time-based conditions change it when the threshold is crossed. Campaigns and destinations use them.'),
        ),
      );
    },
  };
}

function weekAgo(audience: AudienceView): string {
  const days = audience.sizeByDay ?? [];
  const then = days.length > 7 ? days[days.length - 8] : undefined;
  return then ? formatCount(then.size) : '–';
}

async function download(ctx: ViewContext, audience: AudienceView, status: HTMLElement): Promise<void> {
  status.textContent = `Preparing the members of ${audience.name}…`;
  try {
    const blob = await ctx.api.audienceMembersCsv(audience.id);
    const url = URL.createObjectURL(blob);
    const link = h('a', { href: url, download: `audience-${audience.id}.csv`, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    status.textContent = `The members of ${audience.name} are downloading as audience-${audience.id}.csv.`;
  } catch (error) {
    status.textContent = error instanceof Error ? error.message : String(error);
  }
}
