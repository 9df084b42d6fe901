/** The tag benchmark's results as a table, the way the bench prints them. */
import { LIBRARIES, libraryNamed } from './peers.mjs';

const NAMES = LIBRARIES.map((library) => library.name);

/**
 * The results as a table: one row per library (what it loads at start, track() per call, start-up
 * main-thread time, long tasks), then one row per Trailmark lazy chunk (sizes only), then notes.
 */
export function formatTagResults(results) {
  const rt = results.runtime;
  const env = results.environment;
  const header = ['', 'min B', 'gzip B', 'brotli B', 'track µs', 'all work µs', 'start-up ms', 'long tasks'];
  const widths = [42, 9, 9, 9, 10, 13, 13, 12];
  const row = (cells) =>
    cells
      .map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c ?? '').padStart(widths[i])))
      .join('')
      .trimEnd();
  const num = (n) => (Math.abs(n) >= 100 ? String(Math.round(n)) : n.toFixed(1));
  const notMeasured = Object.entries(rt).filter(([, r]) => r.error);
  const mark = (name) => `n/a[${notMeasured.findIndex(([n]) => n === name) + 1}]`;
  const withLongTask = (runs) => `${runs.filter((l) => l.length).length}/${runs.length}`;
  const libraryRows = NAMES.filter((name) => results.loadedAtStart[name]).map((name) => {
    const s = results.loadedAtStart[name];
    const r = rt[name];
    const label = libraryNamed(name).package ? `${name} ${env.versions?.[name] ?? ''}`.trim() : name;
    if (r.error) return row([label, s.min, s.gzip, s.brotli, mark(name), mark(name), mark(name), mark(name)]);
    return row([label, s.min, s.gzip, s.brotli, num(r.trackUs), num(r.trackAllWorkUs), num(r.startupTaskMs), withLongTask(r.longTasks)]);
  });
  const lazy = results.sizes.trailmark.filter((f) => f.role === 'lazy');
  const baseline = Object.values(rt).find((r) => r.baselineLongTasks)?.baselineLongTasks ?? [];
  const extraFiles = NAMES.filter((name) => !name.startsWith('trailmark') && results.loadedAtStart[name].files.length > 1);
  const uncounted = NAMES.filter((name) => results.loadedAtStart[name].uncounted);
  const resent = NAMES.filter((name) => rt[name].eventsCounted > rt[name].eventsTracked);
  const lines = [
    `Tag benchmark — Chromium ${env.chromium}, ${env.cpus} CPUs, medians of ${env.rounds} rounds (wall clock: compare rows, not machines)`,
    row(['loaded at start / per call', ...header.slice(1)]),
    ...libraryRows,
    ...lazy.map((f) => row([`  lazy chunk ${f.file}`, f.min, f.gzip, f.brotli])),
    '',
    'min/gzip/brotli: every script the library loads at start (inline snippets not counted); Trailmark lazy chunks load only when a feature needs them.',
    'track µs: the synchronous call; all work µs: all main-thread work the calls cause until sent, per call; start-up ms: main-thread time over the blank page',
    `(load + 2.5 s); long tasks: start-ups with a long task / rounds (the blank page: ${withLongTask(baseline)}).`,
    ...extraFiles.map((name) => `${name} loads at start: ${results.loadedAtStart[name].files.join(', ')}`),
    ...uncounted.map((name) => `${name} also requested (not counted, not served here): ${results.loadedAtStart[name].uncounted.join(', ')}`),
    ...(env.amplitudeSnippetHashMatches === false ? ["Amplitude's snippet names another file than lib/scripts/amplitude-min.js (its SRI hash differs)."] : []),
    ...resent.map((name) => `${name} delivered ${rt[name].eventsCounted} events for ${rt[name].eventsTracked} track() calls (some sent twice).`),
    ...notMeasured.map(
      ([name, r], i) => `[${i + 1}] ${name}: cost not measured (its sizes are what it loaded at start, or its first file if it never started): ${r.error}`,
    ),
  ];
  return lines.join('\n');
}
