/**
 * The people behind a figure, in a dialog: who reached a funnel step or
 * dropped out after it, who is in a lifecycle stage. A page at a time, each
 * person opening their profile, and the whole list as a CSV file (the same
 * fields an audience member has, for the tools a marketer already uses).
 */
import { h, required } from '../../shared/dom';
import { formatCount, plural } from '../../shared/format';
import type { AdminApi } from './api';
import type { PeopleList, PersonRow } from './types';
import { emptyState, formatDateTime, shortId, table } from './ui';

const PAGE = 50;

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
    let next: string | null = null;
    const load = async (cursor?: string) => {
      const page: PeopleList = await this.api().people(`${path}&limit=${PAGE}`, cursor);
      rows.push(...page.people);
      next = page.nextCursor;
      status.textContent =
        page.total === 0 ? 'Nobody.' : `${plural(page.total, 'person', 'people')}; showing ${formatCount(rows.length)}. Each opens their profile.`;
      list.replaceChildren(rows.length === 0 ? emptyState('Nobody is on this list.') : this.table(title, rows));
      more.hidden = next === null;
    };
    more.addEventListener('click', () => void load(next ?? undefined).catch((e: unknown) => (status.textContent = String(e))));
    download.addEventListener('click', () => void this.download(path, fileName, status));
    this.body.replaceChildren(status, h('p', { class: 'dialog-actions' }, download), list, more);
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
