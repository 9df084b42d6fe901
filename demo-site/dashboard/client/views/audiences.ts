/**
 * Audiences (GET /v1/admin/audiences): each live segment and static list
 * with its size now and day by day, its definition (or what the list was
 * kept from), and its members as a CSV file
 * (GET /v1/admin/audiences/:id/members?format=csv). A lifecycle stage can be
 * kept as a live audience from the lifecycle view, and any people list (a
 * funnel step's, a stage's) as a static one from its dialog; this is where
 * they then live.
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
        el.replaceChildren(
          emptyState(
            'No audiences yet. Keep a lifecycle stage as one from the Lifecycle view, keep a people list (a funnel step’s, a stage’s) from its dialog, or define one with PUT /v1/admin/audiences/:id.',
          ),
        );
        return;
      }
      const status = h('p', { class: 'note', role: 'status' });
      el.replaceChildren(
        panel(
          'Audiences',
          table(
            'Audiences, their size and their members',
            ['Audience', 'Members now', 'A week ago', 'Who is in it', 'Members'],
            detailed.map((a) => [
              h(
                'span',
                {},
                a.name,
                h('span', { class: 'note block' }, `${a.id}${a.status === 'building' ? ' · still being built' : ''} · since ${formatDateTime(a.createdAt)}`),
              ),
              formatCount(a.size),
              weekAgo(a),
              a.kind === 'static'
                ? h('span', { 'data-audience-kind': 'static' }, h('strong', {}, 'A kept list. '), a.description ?? 'Changed only through the API.')
                : h('code', { class: 'definition', 'data-audience-kind': 'live' }, JSON.stringify(a.definition)),
              h(
                'button',
                { type: 'button', class: 'small', 'data-audience-csv': a.id, onclick: () => void download(ctx, a, status) },
                `CSV (${formatCount(a.size)})`,
              ),
            ]),
            { numeric: [1, 2] },
          ),
          status,
          note(
            'A live audience follows its definition: people enter and leave within seconds of the event that changes it, and time-based conditions change it when the threshold is crossed. A kept list stays the people it was made of (a merged profile’s place follows the person; an erased person leaves it). Campaigns and destinations use both.',
          ),
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
