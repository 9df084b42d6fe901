/**
 * The dashboard's queries with a million stored events: each panel's
 * statistics endpoint, timed from the client (loopback HTTP included), p50
 * and p95 of several requests, for the default period (7 days) and a 30-day
 * one, with and without a filter. Simulated shoppers (60 days of history)
 * are sent through the public API; the rest of the million are copies of
 * them under new ids, written with their statistics into the local D1
 * database (bench/lib/bulk-copy-shoppers.ts: what the triggers would have
 * written, in a minute or two instead of half an hour). The timed requests
 * go through the real collector and its real queries.
 *
 *   npm run bench -- --only dashboard [--dashboard-events N] [--dashboard-simulated M]
 *   tsx bench/dashboard.ts --state-dir DIR [--events N] [--simulated M]   # keeps DIR to time again
 *   tsx bench/dashboard.ts --url http://localhost:8808 --admin-token T [--events N]
 *                                      # a running collector: the simulator tops it up to N, then times
 */
import { parseArgs } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import { seedDemoData } from '../demo-site/simulate/seed';
import { freePort, ROOT, startDevServer } from '../scripts/lib/dev-server.mjs';
import { bulkCopyShoppers } from './lib/bulk-copy-shoppers';

export interface PanelTiming {
  panel: string;
  period: string;
  /** Client-side milliseconds (the whole HTTP request on loopback) over `runs` requests after one warm-up: median, 95th percentile (nearest rank), most. */
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** Milliseconds D1 spent executing the panel's statements (the Server-Timing header), median. */
  dbMedianMs: number | null;
  runs: number;
}

export interface DashboardBench {
  eventsStored: number;
  /** The machine's 1-minute load average before and after timing (2 cores: above 2, requests wait for a CPU). */
  loadAverage: [number, number];
  /** Events sent through the public API by the simulator, and the seconds that took (null: they were there already). */
  simulated: { events: number; seconds: number | null };
  /** Copies of those shoppers under new ids written with their statistics into D1 (bench/lib/bulk-copy-shoppers.ts); null when none were needed. */
  copied: { copies: number; seconds: number } | null;
  timings: PanelTiming[];
}

const WRITE_KEY = 'demo-write-key';
const REQUEST_TIMEOUT_MS = 120_000;
const DAY = 86_400_000;
const FUNNEL = ['Product Viewed', 'Product Added', 'Checkout Started', 'Order Completed'].map((s) => `step=${encodeURIComponent(s)}`).join('&');

/** Every panel of the dashboard and the request it makes. */
const PANELS: { panel: string; path: string }[] = [
  { panel: 'overview', path: '/v1/admin/stats/overview' },
  { panel: 'traffic by source', path: '/v1/admin/stats/breakdown?by=source' },
  { panel: 'traffic by campaign', path: '/v1/admin/stats/breakdown?by=campaign' },
  { panel: 'breakdown by region', path: '/v1/admin/stats/breakdown?by=region' },
  { panel: 'new vs returning', path: '/v1/admin/stats/breakdown?by=visitor' },
  { panel: 'funnel', path: `/v1/admin/stats/funnel?${FUNNEL}&window=1d` },
  { panel: 'funnel by device', path: `/v1/admin/stats/funnel?${FUNNEL}&window=1d&breakdown=device` },
  { panel: 'funnel step people', path: `/v1/admin/stats/funnel/people?${FUNNEL}&window=1d&stepNumber=3&outcome=dropped` },
  { panel: 'search', path: '/v1/admin/stats/search' },
  { panel: 'retention', path: '/v1/admin/stats/retention?weeks=8' },
  { panel: 'lifecycle', path: '/v1/admin/stats/lifecycle' },
  { panel: 'lifecycle people', path: '/v1/admin/stats/lifecycle/people?stage=at-risk' },
  { panel: 'slots', path: '/v1/admin/stats/slots' },
  { panel: 'summary (events, regions)', path: '/v1/admin/stats' },
  { panel: 'live', path: '/v1/admin/live?limit=40' },
];

/** How many (non-bot) events the demo site's log holds. */
export async function storedEvents(server: { url: string }, adminToken: string): Promise<number> {
  const origin = server.url.replace('localhost', '127.0.0.1');
  const res = await fetch(
    `${origin}/v1/admin/stats?writeKey=${WRITE_KEY}&from=${new Date(Date.now() - 390 * DAY).toISOString()}&to=${new Date(Date.now() + DAY).toISOString()}`,
    {
      headers: { authorization: `Bearer ${adminToken}` },
    },
  );
  if (!res.ok) throw new Error(`GET /v1/admin/stats answered ${res.status}`);
  return ((await res.json()) as { events: { total: number } }).events.total;
}

/** Sends simulated shoppers through the public API until about `events` are stored; the seconds it took, or null when nothing was needed. */
export async function loadSimulatedEvents(
  server: { url: string },
  { adminToken, events, log = (_: string) => {} }: { adminToken: string; events: number; log?: (line: string) => void },
): Promise<{ seconds: number | null; stored: number }> {
  const origin = server.url.replace('localhost', '127.0.0.1');
  const already = await storedEvents(server, adminToken);
  if (already >= events * 0.95) return { seconds: null, stored: already };
  const started = Date.now();
  let lastPercent = -5;
  log(`  sending ${(events - already).toLocaleString('en-US')} simulated events (${already.toLocaleString('en-US')} stored already)…`);
  await seedDemoData({
    url: origin,
    adminToken,
    catalogSize: 5000,
    maxEvents: events - already,
    // A new seed when topping up, so a second run adds new shoppers instead of resending the first run's.
    seed: 16 + Math.floor(already / 1000),
    concurrency: 8,
    onProgress: (p) => {
      const percent = Math.floor((100 * p.events) / events);
      if (percent >= lastPercent + 5) {
        lastPercent = percent;
        log(`  sending: ${p.events.toLocaleString('en-US')} events sent (${Math.round((Date.now() - started) / 1000)} s)`);
      }
    },
  });
  return { seconds: (Date.now() - started) / 1000, stored: await storedEvents(server, adminToken) };
}

/** Times each panel's statistics request on a collector that already holds the events. */
export async function benchDashboard(
  server: { url: string },
  { adminToken, runs = 10, log = (_: string) => {} }: { adminToken: string; runs?: number; log?: (line: string) => void },
): Promise<Pick<DashboardBench, 'eventsStored' | 'timings' | 'loadAverage'>> {
  const origin = server.url.replace('localhost', '127.0.0.1');
  const headers = { authorization: `Bearer ${adminToken}` };
  const eventsStored = await storedEvents(server, adminToken);
  log(`  ${eventsStored.toLocaleString('en-US')} events stored; timing each panel…`);

  const loadBefore = os.loadavg()[0]!;
  const now = Date.now();
  const periods = [
    { period: '7 days', query: `from=${new Date(now - 7 * DAY).toISOString()}&to=${new Date(now).toISOString()}` },
    { period: '30 days', query: `from=${new Date(now - 30 * DAY).toISOString()}&to=${new Date(now).toISOString()}` },
    { period: '30 days, device=mobile', query: `from=${new Date(now - 30 * DAY).toISOString()}&to=${new Date(now).toISOString()}&device=mobile` },
  ];
  const timings: PanelTiming[] = [];
  for (const { period, query } of periods) {
    for (const { panel, path } of PANELS) {
      if (panel === 'live' && period !== '7 days') continue;
      // The summary takes no filters (it answers 400 to one).
      if (path === '/v1/admin/stats' && query.includes('device=')) continue;
      const url = `${origin}${path}${path.includes('?') ? '&' : '?'}writeKey=${WRITE_KEY}&${query}`;
      const db: number[] = [];
      const once = async () => {
        const t = performance.now();
        // A panel that takes minutes is a finding, not a reason to stop timing the others.
        const res = await fetch(url, { headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`${panel}: ${res.status}`);
        const dur = /db;dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '');
        if (dur) db.push(Number(dur[1]));
        return performance.now() - t;
      };
      const times: number[] = [];
      try {
        await once();
        db.length = 0;
        for (let i = 0; i < runs; i++) times.push(await once());
      } catch (error) {
        log(`  ${panel} (${period}): ${error instanceof Error ? error.message : String(error)}`);
        timings.push({ panel, period, p50Ms: Number.NaN, p95Ms: Number.NaN, maxMs: Number.NaN, dbMedianMs: null, runs: times.length });
        continue;
      }
      times.sort((a, b) => a - b);
      db.sort((a, b) => a - b);
      const rank = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]!;
      timings.push({
        panel,
        period,
        p50Ms: median(times),
        p95Ms: rank(0.95),
        maxMs: times[times.length - 1]!,
        dbMedianMs: db.length ? median(db) : null,
        runs,
      });
      log(`  ${panel} (${period}): p50 ${timings.at(-1)!.p50Ms.toFixed(0)} ms, p95 ${timings.at(-1)!.p95Ms.toFixed(0)} ms`);
    }
  }
  return { eventsStored, timings, loadAverage: [loadBefore, os.loadavg()[0]!] };
}

function median(sorted: number[]): number {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The panels whose p95 is over `limitMs` (the target: 300 ms). */
export function slowPanels(bench: Pick<DashboardBench, 'timings'>, limitMs = 300): PanelTiming[] {
  return bench.timings.filter((t) => !(t.p95Ms <= limitMs));
}

/** One line saying how the events got there. */
export function describeDashboardBench(bench: DashboardBench): string {
  const n = (x: number) => x.toLocaleString('en-US');
  // Nothing sent and nothing copied: the events were there already (a kept --dashboard-state), built by an earlier run.
  const kept = bench.simulated.seconds === null && !bench.copied;
  const sent = kept
    ? 'a state kept from an earlier run (--dashboard-state; that run says how it was built), timed again'
    : `${n(bench.simulated.events)} sent by the simulator through POST /v1/batch${bench.simulated.seconds === null ? '' : ` in ${bench.simulated.seconds.toFixed(0)} s`}`;
  const copies = bench.copied
    ? `, then ${bench.copied.copies} copies of those shoppers under new ids written with their statistics into D1 in ${bench.copied.seconds.toFixed(0)} s`
    : '';
  const load = `load average ${bench.loadAverage[0].toFixed(1)} → ${bench.loadAverage[1].toFixed(1)} on ${os.cpus().length} CPUs`;
  return `${n(bench.eventsStored)} stored events: ${sent}${copies}; ${load}`;
}

export function formatDashboardBench(bench: DashboardBench): string {
  const periods = [...new Set(bench.timings.map((t) => t.period))];
  const lines = [
    `${''.padEnd(28)} ${periods.map((p) => p.padStart(30)).join('')}`,
    `${'panel'.padEnd(28)} ${periods.map(() => 'p50 / p95 / D1 ms'.padStart(30)).join('')}`,
  ];
  for (const panel of [...new Set(bench.timings.map((t) => t.panel))]) {
    const cells = periods.map((period) => {
      const t = bench.timings.find((x) => x.panel === panel && x.period === period);
      const cell = !t
        ? '–'
        : Number.isNaN(t.p50Ms)
          ? 'failed'
          : `${t.p50Ms.toFixed(0)} / ${t.p95Ms.toFixed(0)} / ${t.dbMedianMs === null ? '–' : t.dbMedianMs.toFixed(0)}`;
      return cell.padStart(30);
    });
    lines.push(`${panel.padEnd(28)} ${cells.join('')}`);
  }
  return lines.join('\n');
}

/**
 * The whole measurement on a local state: the simulator sends `simulated`
 * events through the public API, the collector stops, copies of those
 * shoppers (with their statistics) fill the log up to `events`, and the
 * collector starts again on that state to answer the timed requests. A
 * state that already holds enough (a kept `--state-dir`) is only timed.
 */
export async function runDashboardBench({
  root,
  stateDir,
  port,
  adminToken,
  events,
  simulated,
  runs = 10,
  log = (_: string) => {},
}: {
  root: string;
  stateDir: string;
  port: number;
  adminToken: string;
  events: number;
  simulated: number;
  runs?: number;
  log?: (line: string) => void;
}): Promise<DashboardBench> {
  let server = await startDevServer({ port, stateDir, adminToken });
  try {
    const load = await loadSimulatedEvents(server, { adminToken, events: Math.min(events, simulated), log });
    let copied: DashboardBench['copied'] = null;
    if (load.stored < events * 0.95) {
      await server.stop();
      const copy = await bulkCopyShoppers({ root, stateDir, originals: load.stored, target: events, log });
      copied = { copies: copy.copies, seconds: copy.seconds };
      server = await startDevServer({ port, stateDir, adminToken });
    }
    const timed = await benchDashboard(server, { adminToken, runs, log });
    // A copy cut short can leave the log as it was: figures for far fewer events must not pass for the target's.
    if (timed.eventsStored < events * 0.95)
      throw new Error(`only ${timed.eventsStored.toLocaleString('en-US')} events are stored, not ${events.toLocaleString('en-US')}: the copy did not complete`);
    return { ...timed, simulated: { events: load.stored, seconds: load.seconds }, copied };
  } finally {
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      'state-dir': { type: 'string' },
      port: { type: 'string' },
      'admin-token': { type: 'string', default: process.env.ADMIN_TOKEN ?? 'bench-admin-token' },
      events: { type: 'string', default: '1000000' },
      simulated: { type: 'string', default: '15000' },
      runs: { type: 'string', default: '10' },
    },
  });
  const log = (l: string) => console.error(l);
  const adminToken = values['admin-token']!;
  let bench: DashboardBench;
  if (values.url) {
    const server = { url: values.url };
    const load = await loadSimulatedEvents(server, { adminToken, events: Number(values.events), log });
    bench = {
      ...(await benchDashboard(server, { adminToken, runs: Number(values.runs), log })),
      simulated: { events: load.stored, seconds: load.seconds },
      copied: null,
    };
  } else if (values['state-dir']) {
    bench = await runDashboardBench({
      root: ROOT,
      stateDir: path.resolve(values['state-dir']),
      port: values.port ? Number(values.port) : await freePort(),
      adminToken,
      events: Number(values.events),
      simulated: Number(values.simulated),
      runs: Number(values.runs),
      log,
    });
  } else {
    throw new Error(
      'Give --state-dir DIR (starts wrangler dev on it, loads and times) or --url URL of a running collector (sends simulated events up to --events, then times).',
    );
  }
  console.log(describeDashboardBench(bench));
  console.log(formatDashboardBench(bench));
}
