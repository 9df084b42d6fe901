/**
 * The people behind a figure, in a dialog: who reached a funnel step or
 * dropped out after it, who is in a lifecycle stage. A page at a time, each
 * person opening their profile, the whole list as a CSV file (the same
 * fields an audience member has, for the tools a marketer already uses), and
 * the list kept as a static audience that campaigns and destinations take.
 */
import { h, required } from '../../shared/dom';
import { formatCount, plural } from '../../shared/format';
import type { AdminApi } from './api';
import type { PeopleList, PeopleListDefinition, PersonRow } from './types';
import { emptyState, formatDateTime, shortId, table } from './ui';

const PAGE = 50;
/** Profile ids read per request when keeping a list, and sent per request (the API's bound for both). */
const KEEP_CHUNK = 10_000;

export class PeopleDialog {
  private readonly dialog = required<HTMLDialogElement>('[data-people-dialog]');
  private readonly heading = required('[data-people-heading]');
  private readonly body = required('[data-people-body]');
  private opener: HTMLElement | null = null;

  constructor(
    private readonly api: () => AdminApi,
    private readonly onProfile: (id: string) => void,
  ) {
    required('[data-people-close]').addEventListener('click', () => this.dialog.close());
    // Focus goes back to the button that opened the list.
    this.dialog.addEventListener('close', () => this.opener?.focus());
  }

  /** `path`: the list's statistics path (GET /v1/admin/stats/…/people?…); `fileName` for the CSV. */
  async open(title: string, path: string, fileName: string): Promise<void> {
    this.opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    this.heading.textContent = title;
    const status = h('p', { class: 'note', role: 'status' }, 'Loading…');
    this.body.replaceChildren(status);
    this.dialog.showModal();
    const rows: PersonRow[] = [];
    const list = h('div', { class: 'people-list' });
    const more = h('button', { type: 'button', class: 'small' }, 'Show more');
    const download = h('button', { type: 'button', class: 'small' }, 'Download CSV');
    const keep = h('button', { type: 'button', class: 'small', 'data-keep-list': '' }, 'Keep as audience');
    const kept = h('p', { class: 'note', 'aria-live': 'polite', 'data-keep-status': '' });
    let next: string | null = null;
    let definition: PeopleListDefinition | undefined;
    const load = async (cursor?: string) => {
      const page: PeopleList = await this.api().people(`${path}&limit=${PAGE}`, cursor);
      definition = page.definition;
      keep.disabled = page.total === 0;
      rows.push(...page.people);
      next = page.nextCursor;
      status.textContent =
        page.total === 0 ? 'Nobody.' : `${plural(page.total, 'person', 'people')}; showing ${formatCount(rows.length)}. Each opens their profile.`;
      list.replaceChildren(rows.length === 0 ? emptyState('Nobody is on this list.') : this.table(title, rows));
      more.hidden = next === null;
    };
    more.addEventListener('click', () => void load(next ?? undefined).catch((e: unknown) => (status.textContent = String(e))));
    download.addEventListener('click', () => void this.download(path, fileName, status));
    keep.addEventListener('click', () => void this.keep(title, path, fileName, definition, keep, kept));
    this.body.replaceChildren(status, h('p', { class: 'dialog-actions' }, download, ' ', keep), kept, list, more);
    try {
      await load();
    } catch (error) {
      status.textContent = error instanceof Error ? error.message : String(error);
    }
  }

  private table(title: string, rows: PersonRow[]): HTMLTableElement {
    return table(
      title,
      ['Person', 'Where', 'Device', 'Last seen', 'Orders', 'Entered'],
      rows.map((p) => [
        h(
          'button',
          {
            type: 'button',
            class: 'link-button id-button',
            title: `Open the profile of ${p.userId ?? p.profileId}`,
            onclick: () => {
              this.dialog.close();
              this.onProfile(p.userId ?? p.anonymousIds[0] ?? p.profileId);
            },
          },
          p.userId ?? shortId(p.anonymousIds[0] ?? p.profileId),
        ),
        [p.region, p.country].filter(Boolean).join(', ') || '–',
        p.device || '–',
        formatDateTime(p.lastSeen),
        formatCount(p.orders),
        p.enteredAt ? formatDateTime(p.enteredAt) : '–',
      ]),
      { captionHidden: true, numeric: [4] },
    );
  }

  /**
   * Keeps everyone on the list (not only the rows shown) as a static
   * audience: its members stay these people, whatever they do next, until
   * they are erased; a merged profile's place follows the person.
   */
  private async keep(
    title: string,
    path: string,
    fileName: string,
    definition: PeopleListDefinition | undefined,
    button: HTMLButtonElement,
    status: HTMLElement,
  ): Promise<void> {
    button.disabled = true;
    status.textContent = 'Reading the whole list…';
    try {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await this.api().people(`${path}&limit=${KEEP_CHUNK}`, cursor);
        ids.push(...page.people.map((p) => p.profileId));
        cursor = page.nextCursor ?? undefined;
        status.textContent = `Reading the whole list… ${formatCount(ids.length)} of ${formatCount(page.total)}`;
      } while (cursor);
      const now = new Date();
      const stamp = now.toISOString().slice(0, 16).replace(/\D/g, '');
      const day = now.toISOString().slice(0, 10);
      const { audience, unknown } = await this.api().keepAsAudience(
        `kept-${fileName}-${stamp}`,
        { name: `${title} (${day})`, description: describeList(definition, day) },
        ids,
        KEEP_CHUNK,
      );
      status.replaceChildren(
        `Kept as the audience “${audience.name}” (${audience.id}): ${plural(audience.size, 'person', 'people')}${unknown > 0 ? `; ${plural(unknown, 'id')} no longer known (erased) left out` : ''}. The list stays as it is now; see `,
        h('a', { href: '#/audiences', onclick: () => this.dialog.close() }, 'Audiences'),
        '.',
      );
    } catch (error) {
      status.textContent = error instanceof Error ? error.message : String(error);
      button.disabled = false;
    }
  }

  private async download(path: string, fileName: string, status: HTMLElement): Promise<void> {
    try {
      const blob = await this.api().csv(path);
      const url = URL.createObjectURL(blob);
      const link = h('a', { href: url, download: `${fileName}.csv`, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      status.textContent = error instanceof Error ? error.message : String(error);
    }
  }
}

/** What a kept list was, in words, for the audience's description. */
function describeList(definition: PeopleListDefinition | undefined, day: string): string {
  if (!definition) return `Kept on ${day}.`;
  if (definition.kind === 'lifecycle') return `Lifecycle stage “${definition.stage}” on ${day}.`;
  const filters = Object.entries(definition.filters)
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([name, value]) => `${name} ${String(value)}`);
  const steps = definition.steps.map((s) => (s === '$page' ? 'Page viewed' : s === '$identify' ? 'Signed in' : s)).join(' > ');
  return (
    `Funnel ${steps}, step ${definition.step} ${definition.outcome === 'dropped' ? 'and no further' : 'reached'}, ` +
    `within ${definition.windowHours} h, ${definition.period.from.slice(0, 10)} to ${definition.period.to.slice(0, 10)}${filters.length ? ` (${filters.join(', ')})` : ''}; kept on ${day}.`
  );
}
