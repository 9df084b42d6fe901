/**
 * The live event stream: the newest stored events, polled every two
 * seconds from GET /v1/admin/export (`since` the last one seen; the export
 * is oldest first, so the page keeps the newest few). Each shopper's id
 * opens their profile below.
 */
import { h } from '../../../shared/dom';
import { formatPrice, plural } from '../../../shared/format';
import type { AdminApi } from '../api';
import type { StoredEvent } from '../types';
import { emptyState, formatTime, shortId } from '../ui';

const SHOWN = 40;
const POLL_MS = 2000;
/** On opening, look back this far for something to show. */
const LOOK_BACK_MS = 15 * 60_000;
const PAGE = 1000;
/** At most this many pages per poll: a burst (a simulation) is skimmed, not replayed. */
const MAX_PAGES = 20;

export class LiveStream {
  private events: StoredEvent[] = [];
  private readonly seen = new Set<string>();
  private since = new Date(Date.now() - LOOK_BACK_MS);
  private timer: ReturnType<typeof setTimeout> | undefined;
  private paused = false;
  private running = false;
  private readonly list = h('ol', { class: 'stream', 'aria-label': 'Newest events first' });
  private readonly status = h('p', { class: 'stream-status' });

  constructor(
    private readonly el: HTMLElement,
    private readonly api: () => AdminApi,
    private readonly onProfile: (id: string) => void,
    private readonly onError: (error: unknown) => void,
  ) {
    el.replaceChildren(this.status, this.list);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.poll();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    this.render();
    if (!paused) {
      clearTimeout(this.timer);
      void this.poll();
    }
  }

  private async poll(): Promise<void> {
    if (!this.running) return;
    if (!this.paused && document.visibilityState === 'visible') {
      try {
        await this.fetchNew();
        this.render();
      } catch (error) {
        this.onError(error);
        if (!this.running) return;
      }
    }
    this.timer = setTimeout(() => void this.poll(), POLL_MS);
  }

  private async fetchNew(): Promise<void> {
    let fresh: StoredEvent[] = [];
    let since = this.since;
    for (let page = 0; page < MAX_PAGES; page++) {
      const batch = await this.api().eventsSince(since, PAGE);
      fresh = fresh.concat(batch).slice(-SHOWN * 2);
      const last = batch[batch.length - 1];
      if (batch.length < PAGE || !last) break;
      since = new Date(last.receivedAt);
    }
    const newOnes = fresh.filter((e) => !this.seen.has(e.messageId));
    for (const e of newOnes) this.seen.add(e.messageId);
    if (newOnes.length === 0) return;
    const newest = newOnes.reduce((a, b) => (a.receivedAt > b.receivedAt ? a : b));
    // `since` is inclusive: events stored in the same millisecond come again and are skipped as seen.
    this.since = new Date(newest.receivedAt);
    this.events = [...newOnes.reverse(), ...this.events].slice(0, SHOWN);
    if (this.seen.size > 20_000) {
      this.seen.clear();
      this.events.forEach((e) => this.seen.add(e.messageId));
    }
  }

  private render(): void {
    this.status.textContent = this.paused ? 'Paused.' : `Live: the newest ${SHOWN} events, checked every ${POLL_MS / 1000} s.`;
    if (this.events.length === 0) {
      this.list.replaceChildren(h('li', {}, emptyState('No events in the last 15 minutes. Browse the shop to see yours arrive.')));
      return;
    }
    this.list.replaceChildren(...this.events.map((e) => this.row(e)));
  }

  private row(e: StoredEvent): HTMLLIElement {
    const who = e.userId ?? e.anonymousId ?? e.profileId;
    const place = [e.context?.geo?.city, e.context?.geo?.country].filter(Boolean).join(', ');
    return h(
      'li',
      { class: `stream-row type-${e.type}`, 'data-message-id': e.messageId },
      h('time', { datetime: e.timestamp, class: 'stream-time' }, formatTime(e.timestamp)),
      h('span', { class: 'stream-what' }, h('span', { class: 'stream-name' }, nameOf(e)), h('span', { class: 'stream-detail' }, detailOf(e))),
      h(
        'span',
        { class: 'stream-who' },
        h('button', { type: 'button', class: 'link-button id-button', title: `Look up ${who}`, 'data-profile-id': who, onclick: () => this.onProfile(who) }, e.userId ? e.userId : shortId(who)),
        h('span', { class: 'stream-where' }, [...new Set([place, e.context?.device?.type, e.context?.bot ? 'bot' : ''])].filter(Boolean).join(' · ')),
      ),
    );
  }
}

function nameOf(e: StoredEvent): string {
  if (e.type === 'track') return e.event ?? 'track';
  if (e.type === 'page') return e.name ? `Page: ${e.name}` : 'Page view';
  if (e.type === 'identify') return 'Identify';
  return e.type;
}

function detailOf(e: StoredEvent): string {
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  if (e.type === 'page') return text(e.context.page?.path) || text(e.properties?.path);
  if (e.type === 'identify') return text(e.traits?.name) || text(e.traits?.email);
  if (e.type !== 'track') return '';
  const p = e.properties ?? {};
  const products = Array.isArray(p.products) ? p.products.length : 0;
  switch (e.event) {
    case 'Products Searched':
      return `“${text(p.query)}”`;
    case 'Product List Viewed':
      return [text(p.category) || text(p.list_id), plural(products, 'product')].filter(Boolean).join(' · ');
    case 'Order Completed':
    case 'Checkout Started':
      return [typeof p.total === 'number' ? formatPrice(p.total) : typeof p.revenue === 'number' ? formatPrice(p.revenue) : '', plural(products, 'product')].filter(Boolean).join(' · ');
    case 'Cart Viewed':
      return plural(products, 'product');
    case 'Recommendation Viewed':
    case 'Recommendation Clicked':
      return `${text(p.slot)} slot · ${text(p.variant)}`;
    case 'Web Vitals':
      return [text(p.metric), typeof p.value === 'number' ? String(Math.round(p.value * 100) / 100) : '', text(p.rating)].filter(Boolean).join(' ');
  }
  return text(p.name) || text(p.product_id);
}
