/**
 * Charts, drawn by uPlot: lines over time (with the previous period dashed)
 * and bars by category. Every chart is an image with a spoken summary, and
 * its numbers are in a table under it, for screen readers and for anyone
 * who wants the figures.
 */
import type uPlot from 'uplot';
import { h } from '../../shared/dom';
import { formatCount } from '../../shared/format';
import { fitLabel } from './fit-label';
import { table } from './ui';

/**
 * uPlot, loaded on its own: it formats numbers in the browser's language at
 * load time, and an unusual language tag (headless Chromium under a POSIX
 * locale reports "en-US@posix") makes that throw. The chart then shows its
 * table instead of failing altogether.
 */
const plotLibrary: Promise<typeof uPlot | undefined> = import('uplot').then(
  (module) => module.default,
  () => undefined,
);

export interface Series {
  label: string;
  color: string;
  values: (number | null)[];
  dashed?: boolean;
}

export interface ChartSpec {
  kind: 'time' | 'bars';
  /** Seconds since 1970 (time), or 1…n (bars). */
  x: number[];
  /** Labels of the x values, for the table and for bars' axis. */
  xLabels: string[];
  xTitle: string;
  series: Series[];
  /** What the chart shows, in a sentence: its accessible name. */
  summary: string;
  format?: (n: number) => string;
  height?: number;
}

export class Chart {
  private plot: uPlot | undefined;
  private key = '';
  private readonly box = h('div', { class: 'chart', role: 'img' });
  private readonly details = h('details', { class: 'chart-table' });
  private readonly resize = new ResizeObserver(() => this.plot?.setSize(this.size()));
  private height = 240;

  constructor(readonly element: HTMLElement = h('div', { class: 'chart-wrap' })) {
    element.replaceChildren(this.box, this.details);
    this.resize.observe(this.box);
  }

  async draw(spec: ChartSpec): Promise<void> {
    const Plot = await plotLibrary;
    const format = spec.format ?? formatCount;
    this.height = spec.height ?? 240;
    this.box.setAttribute('aria-label', spec.summary);
    this.details.replaceChildren(
      h('summary', {}, 'The chart as a table'),
      table(
        spec.summary,
        [spec.xTitle, ...spec.series.map((s) => s.label)],
        spec.xLabels.map((label, i) => [label, ...spec.series.map((s) => (s.values[i] == null ? '–' : format(s.values[i]!)))]),
        {
          captionHidden: true,
        },
      ),
    );
    if (!Plot) {
      this.box.classList.add('no-chart');
      this.box.replaceChildren(h('p', { class: 'note' }, 'This browser cannot draw the chart; the numbers are in the table below.'));
      this.details.open = true;
      return;
    }
    const data = [spec.x, ...spec.series.map((s) => s.values)] as uPlot.AlignedData;
    // New series need a new chart; new numbers for the same series do not.
    const key = [spec.kind, spec.xLabels.length, ...spec.series.map((s) => s.label)].join('|');
    if (this.plot && key === this.key) {
      this.plot.setData(data);
      return;
    }
    this.plot?.destroy();
    this.key = key;
    this.plot = new Plot(this.options(Plot, spec, format), data, this.box);
  }

  private options(Plot: typeof uPlot, spec: ChartSpec, format: (n: number) => string): uPlot.Options {
    const bars = spec.kind === 'bars';
    const axis = { stroke: '#4b5563', grid: { stroke: '#eceef1' }, ticks: { stroke: '#d6d9de' } };
    // Bars of two series stand side by side: the first to the left of its x, the second to the right.
    const barPaths = (i: number) =>
      Plot.paths.bars!({ size: [spec.series.length > 1 ? 0.35 : 0.6, 72], gap: 2, align: spec.series.length > 1 ? (i === 0 ? -1 : 1) : 0 });
    return {
      ...this.size(),
      scales: {
        x: bars ? { time: false, range: [0.5, spec.x.length + 0.5] } : { time: true },
        y: { range: (_u, _min, max) => [0, Math.max(bars ? 1 : 5, max * 1.1)] },
      },
      axes: [
        bars
          ? {
              ...axis,
              splits: () => spec.x,
              // Each label within its bar's width: words on lines of their own when it is narrow (a phone), never over the next label.
              values: (u, splits) => splits.map((v) => fitLabel(spec.xLabels[v - 1] ?? '', u.bbox.width / (devicePixelRatio || 1) / spec.x.length)),
              size: (_u, values) => 22 + 15 * Math.max(1, ...(values ?? []).map((v) => String(v).split('\n').length)),
              grid: { show: false },
            }
          : axis,
        // Counts tick at whole numbers (no "2.5 orders"); other figures wherever uPlot likes.
        { ...axis, size: 60, ...(format === formatCount ? { incrs: WHOLE_STEPS } : {}), values: (_u, splits) => splits.map((v) => format(v)) },
      ],
      series: [
        { label: spec.xTitle, value: (_u, v) => (v == null ? '' : bars ? (spec.xLabels[v - 1] ?? '') : (spec.xLabels[spec.x.indexOf(v)] ?? '')) },
        ...spec.series.map((s, i) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          ...(bars ? { fill: s.color, paths: barPaths(i) } : {}),
          ...(s.dashed ? { dash: [6, 4] } : {}),
          points: { show: !bars && spec.x.length < 40 },
          value: (_u: uPlot, v: number | null) => (v == null ? '' : format(v)),
        })),
      ],
      cursor: { drag: { x: false, y: false } },
      legend: { live: false },
    };
  }

  private size(): { width: number; height: number } {
    return { width: Math.max(260, this.box.clientWidth || 600), height: this.height };
  }
}

const WHOLE_STEPS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000, 20_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000];
