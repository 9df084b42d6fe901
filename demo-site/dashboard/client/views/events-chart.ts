/**
 * Events by type over the period, one line per type (page, track,
 * identify…), drawn with uPlot; every bucket of the period is on the axis,
 * empty ones at zero. The same numbers are in a table under the chart, and
 * the track events by name next to it.
 */
import type uPlot from 'uplot';
import { h } from '../../../shared/dom';
import { formatCount } from '../../../shared/format';
import type { Stats } from '../types';
import { table } from '../ui';

const COLOURS: Record<string, string> = {
  track: '#0b6b4f',
  page: '#2563eb',
  identify: '#b45309',
  alias: '#7c3aed',
  group: '#be185d',
  screen: '#4b5563',
};
const TYPE_ORDER = ['page', 'track', 'identify', 'alias', 'group', 'screen'];

/**
 * uPlot, loaded on its own: it formats numbers in the browser's language at
 * load time, and an unusual language tag (headless Chromium under a POSIX
 * locale reports "en-US@posix") makes that throw. The dashboard then shows
 * the same numbers as a table instead of failing altogether.
 */
const plotLibrary: Promise<typeof uPlot | undefined> = import('uplot').then(
  (module) => module.default,
  () => undefined,
);

export class EventsChart {
  private plot: uPlot | undefined;
  private readonly chartBox = h('div', { class: 'chart', role: 'img' });
  private readonly tables = h('div', { class: 'chart-tables' });
  private readonly resize = new ResizeObserver(() => this.plot?.setSize(this.size()));

  constructor(private readonly el: HTMLElement) {
    el.replaceChildren(this.chartBox, this.tables);
    this.resize.observe(this.chartBox);
  }

  async update(stats: Stats): Promise<void> {
    const Plot = await plotLibrary;
    const { granularity, overTime, byType, byEvent, total } = stats.events;
    const buckets = bucketsOf(stats.from, stats.to, granularity);
    const byBucket = new Map(overTime.map((b) => [b.bucket, b]));
    const types = [...new Set([...TYPE_ORDER.filter((t) => byType[t]), ...Object.keys(byType)])];
    const data: uPlot.AlignedData = [
      buckets.map((b) => b.at / 1000),
      ...types.map((type) => buckets.map((b) => byBucket.get(b.key)?.byType[type] ?? 0)),
    ];
    const per = granularity === 'hour' ? 'hour' : 'day';
    this.chartBox.setAttribute(
      'aria-label',
      `Line chart of events per ${per}: ${formatCount(total)} in total, ${types.map((t) => `${formatCount(byType[t] ?? 0)} ${t}`).join(', ') || 'none'}.`,
    );
    this.renderTables(stats, buckets, types);
    if (!Plot) {
      this.chartBox.classList.add('no-chart');
      this.chartBox.replaceChildren(h('p', { class: 'note' }, 'This browser cannot draw the chart; the numbers are in the table below.'));
      this.tables.querySelector('details')?.setAttribute('open', '');
      return;
    }
    // A new set of series needs a new chart; new numbers for the same series do not.
    const seriesKey = [per, ...types].join(',');
    if (this.plot && this.plot.root.dataset.series === seriesKey) {
      this.plot.setData(data);
    } else {
      this.plot?.destroy();
      this.plot = new Plot(this.options(types, per), data, this.chartBox);
      this.plot.root.dataset.series = seriesKey;
    }
  }

  private options(types: string[], per: 'hour' | 'day'): uPlot.Options {
    return {
      ...this.size(),
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(5, max * 1.1)] } },
      axes: [
        { stroke: '#4b5563', grid: { stroke: '#eceef1' }, ticks: { stroke: '#d6d9de' } },
        { stroke: '#4b5563', grid: { stroke: '#eceef1' }, ticks: { stroke: '#d6d9de' }, size: 56, values: (_u, splits) => splits.map((v) => formatCount(v)) },
      ],
      series: [
        { label: per === 'hour' ? 'Hour' : 'Day', value: (_u, v) => (v == null ? '' : new Date(v * 1000).toLocaleString('en-US', per === 'hour' ? { month: 'short', day: 'numeric', hour: 'numeric' } : { month: 'short', day: 'numeric' })) },
        ...types.map((type) => ({
          label: type,
          stroke: COLOURS[type] ?? '#6b7280',
          width: 2,
          points: { show: per === 'day' },
          value: (_u: uPlot, v: number | null) => (v == null ? '' : formatCount(v)),
        })),
      ],
      cursor: { drag: { x: false, y: false } },
      // The legend names the lines, without values that jump as the pointer moves.
      legend: { live: false },
    };
  }

  private size(): { width: number; height: number } {
    return { width: Math.max(280, this.chartBox.clientWidth || 600), height: 240 };
  }

  private renderTables(stats: Stats, buckets: Bucket[], types: string[]): void {
    const byBucket = new Map(stats.events.overTime.map((b) => [b.bucket, b]));
    const names = Object.entries(stats.events.byEvent).sort((a, b) => b[1] - a[1]);
    this.tables.replaceChildren(
      table('Track events by name', ['Event', 'Count'], names.length ? names.map(([name, n]) => [name, formatCount(n)]) : [['No track events', '0']]),
      h(
        'details',
        {},
        h('summary', {}, 'The chart as a table'),
        table(
          `Events per ${stats.events.granularity}`,
          [stats.events.granularity === 'hour' ? 'Hour' : 'Day', ...types, 'Total'],
          buckets.map((b) => {
            const row = byBucket.get(b.key);
            return [b.label, ...types.map((t) => formatCount(row?.byType[t] ?? 0)), formatCount(row?.total ?? 0)];
          }),
        ),
      ),
    );
  }
}

interface Bucket {
  /** The API's bucket key: 'YYYY-MM-DDTHH' or 'YYYY-MM-DD' (UTC). */
  key: string;
  at: number;
  label: string;
}

/** Every hour or day (UTC, as the API buckets them) the period overlaps. */
function bucketsOf(from: string, to: string, granularity: 'hour' | 'day'): Bucket[] {
  const step = granularity === 'hour' ? 3_600_000 : 86_400_000;
  const start = Math.floor(Date.parse(from) / step) * step;
  const end = Date.parse(to);
  const out: Bucket[] = [];
  for (let at = start; at < end && out.length < 5000; at += step) {
    const iso = new Date(at).toISOString();
    out.push({
      key: granularity === 'hour' ? iso.slice(0, 13) : iso.slice(0, 10),
      at,
      label: new Date(at).toLocaleString('en-US', granularity === 'hour' ? { month: 'short', day: 'numeric', hour: 'numeric' } : { month: 'short', day: 'numeric', timeZone: 'UTC' }),
    });
  }
  return out;
}
