/**
 * The live event stream: the newest stored events, polled every two
 * seconds from GET /v1/admin/live, which answers the newest events stored
 * after the last one seen (a sequence cursor) in one request however many
 * arrived: a burst of thousands is skimmed, never replayed. Each shopper's
 * id opens their profile. Beside it, the period's events by type.
 */
import { h } from '../../../shared/dom';
import { formatCount, formatPrice, plural } from '../../../shared/format';
import type { AdminApi } from '../api';
import { Chart } from '../chart';
import type { Stats, StoredEvent } from '../types';
import { emptyState, formatDateTime, formatTime, note, panel, shortId, table } from '../ui';
import type { View, ViewContext } from '../view-context';

const SHOWN = 40;
const POLL_MS = 2000;

export function liveView(onError: (error: unknown) => void): View {
  let stream: LiveStream | undefined;
  const chart = new Chart();
  return {
    async render(el: HTMLElement, ctx: ViewContext) {
      if (!stream || !el.contains(stream.element)) {
        stream?.stop();
        stream = new LiveStream(
          () => ctx.api,
          ctx.openProfile,
          onError,
          () => ctx.currency,
        );
      }
      const stats = await ctx.api.stats<Stats>('', { ...ctx.scope, filters: {} });
      if (!ctx.stillWanted()) return;
      if (!el.contains(stream.element)) {
        el.replaceChildren(h('div', { class: 'columns' }, panel('Live events', stream.controls, stream.element), h('div', { class: 'events-panel' })));
      }
      stream.start();
      el.querySelector('.events-panel')!.replaceChildren(eventsPanel(stats, chart));
      await drawEvents(chart, stats);
    },
    stop() {
      stream?.stop();
    },
  };
}

const TYPE_ORDER = ['page', 'track', 'identify', 'alias', 'group', 'screen'];
const COLOURS: Record<string, string> = { track: '#0b6b4f', page: '#2563eb', identify: '#b45309', alias: '#7c3aed', group: '#be185d', screen: '#4b5563' };

function eventsPanel(stats: Stats, chart: Chart): HTMLElement {
  const names = Object.entries(stats.events.byEvent).sort((a, b) => b[1] - a[1]);
  return panel(
    'Events by type',
    chart.element,
    table('Track events by name', ['Event', 'Count'], names.length ? names.map(([name, n]) => [name, formatCount(n)]) : [['No track events', '0']], {
      captionHidden: false,
    }),
    note(`${formatCount(stats.events.total)} events in the period, bots left out. Filters do not apply to event counts.`),
  );
}

async function drawEvents(chart: Chart, stats: Stats): Promise<void> {
  const { granularity, overTime, byType, total } = stats.events;
  const step = granularity === 'hour' ? 3_600_000 : 86_400_000;
  const start = Math.floor(Date.parse(stats.from) / step) * step;
  const buckets: { key: string; at: number }[] = [];
  for (let at = start; at < Date.parse(stats.to) && buckets.length < 5000; at += step) {
    const iso = new Date(at).toISOString();
    buckets.push({ key: granularity === 'hour' ? iso.slice(0, 13) : iso.slice(0, 10), at });
  }
  const byBucket = new Map(overTime.map((b) => [b.bucket, b]));
  const types = [...new Set([...TYPE_ORDER.filter((t) => byType[t]), ...Object.keys(byType)])];
  await chart.draw({
    kind: 'time',
    x: buckets.map((b) => b.at / 1000),
    xLabels: buckets.map((b) => (granularity === 'hour' ? `${b.key.slice(5, 10)} ${b.key.slice(11)}:00` : b.key)),
    xTitle: granularity === 'hour' ? 'Hour (UTC)' : 'Day (UTC)',
    series: types.map((type) => ({ label: type, color: COLOURS[type] ?? '#6b7280', values: buckets.map((b) => byBucket.get(b.key)?.byType[type] ?? 0) })),
    summary: `Line chart of events per ${granularity}: ${formatCount(total)} in total, ${types.map((t) => `${formatCount(byType[t] ?? 0)} ${t}`).join(', ') || 'none'}.`,
  });
}

class LiveStream {
  private events: StoredEvent[] = [];
  private cursor: string | undefined;
  private skipped = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private paused = false;
  private running = false;
  readonly element = h('ol', { class: 'stream', 'aria-label': 'Newest events first' });
  private readonly status = h('p', { class: 'stream-status' });
  private readonly toggle = h('button', { type: 'button', class: 'small', 'aria-pressed': 'false' }, 'Pause');
  readonly controls = h('div', { class: 'panel-head' }, this.status, this.toggle);

  constructor(
    private readonly api: () => AdminApi,
    private readonly onProfile: (id: string) => void,
    private readonly onError: (error: unknown) => void,
    private readonly currency: () => string,
  ) {
    this.toggle.addEventListener('click', () => this.setPaused(!this.paused));
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

  private setPaused(paused: boolean): void {
    this.paused = paused;
    this.toggle.setAttribute('aria-pressed', String(paused));
    this.toggle.textContent = paused ? 'Resume' : 'Pause';
    this.render();
    if (!paused && this.running) {
      clearTimeout(this.timer);
      void this.poll();
    }
  }

  private async poll(): Promise<void> {
    if (!this.running) return;
    if (!this.paused && document.visibilityState === 'visible') {
      try {
        const answer = await this.api().live(this.cursor, SHOWN);
        if (!this.running) return;
        this.cursor = answer.cursor;
        this.skipped = answer.skipped;
        this.events = [...answer.events, ...this.events].slice(0, SHOWN);
        this.render();
      } catch (error) {
        this.onError(error);
        if (!this.running) return;
      }
    }
    this.timer = setTimeout(() => void this.poll(), POLL_MS);
  }

  private render(): void {
    this.status.textContent = this.paused
      ? 'Paused.'
      : `The newest ${SHOWN} events, checked every ${POLL_MS / 1000} s.${this.skipped > 0 ? ` ${formatCount(this.skipped)} more arrived in the last check than are shown.` : ''}`;
    if (this.events.length === 0) {
      this.element.replaceChildren(h('li', {}, emptyState('No events stored yet. Browse the shop to see yours arrive.')));
      return;
    }
    this.element.replaceChildren(...this.events.map((e) => this.row(e)));
  }

  private row(e: StoredEvent): HTMLLIElement {
    const who = e.userId ?? e.anonymousId ?? e.profileId;
    const place = [e.context?.geo?.city, e.context?.geo?.country].filter(Boolean).join(', ');
    return h(
      'li',
      { class: `stream-row type-${e.type}`, 'data-message-id': e.messageId },
      h('time', { datetime: e.timestamp, class: 'stream-time' }, sameDay(e.timestamp) ? formatTime(e.timestamp) : formatDateTime(e.timestamp)),
      h('span', { class: 'stream-what' }, h('span', { class: 'stream-name' }, nameOf(e)), h('span', { class: 'stream-detail' }, detailOf(e, this.currency()))),
      h(
        'span',
        { class: 'stream-who' },
        h(
          'button',
          { type: 'button', class: 'link-button id-button', title: `Look up ${who}`, 'data-profile-id': who, onclick: () => this.onProfile(who) },
          e.userId ? e.userId : shortId(who),
        ),
        h('span', { class: 'stream-where' }, [...new Set([place, e.context?.device?.type, e.context?.bot ? 'bot' : ''])].filter(Boolean).join(' · ')),
      ),
    );
  }
}

/** An event of today shows its time; an older one (a late delivery, a replay) its date too. */
const sameDay = (iso: string) => new Date(iso).toDateString() === new Date().toDateString();

function nameOf(e: StoredEvent): string {
  if (e.type === 'track') return e.event ?? 'track';
  if (e.type === 'page') return e.name ? `Page: ${e.name}` : 'Page view';
  if (e.type === 'identify') return 'Identify';
  return e.type;
}

/** What the event was about; amounts in the order's currency, else the site's. */
function detailOf(e: StoredEvent, siteCurrency: string): string {
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
    case 'Checkout Started': {
      const currency = typeof p.currency === 'string' && /^[A-Za-z]{3}$/.test(p.currency) ? p.currency.toUpperCase() : siteCurrency;
      const amount = typeof p.total === 'number' ? p.total : typeof p.revenue === 'number' ? p.revenue : undefined;
      return [amount === undefined ? '' : formatPrice(amount, currency), plural(products, 'product')].filter(Boolean).join(' · ');
    }
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
