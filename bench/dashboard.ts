/**
 * The dashboard's queries with a million stored events: each panel's
 * statistics endpoint, timed from the client (loopback HTTP included), for
 * the default period (7 days) and a 30-day one, with and without a filter.
 * The events are simulated shoppers sent through the public API (60 days of
 * history), so the statistics are built the way production builds them.
 *
 *   npm run bench -- --only dashboard                      # a fresh state, 1,000,000 events
 *   tsx bench/dashboard.ts --url http://localhost:8808 --admin-token T [--events N]
 *                                                          # a running collector: tops it up to N events first
 */
import { parseArgs } from 'node:util';
import { seedDemoData } from '../demo-site/simulate/seed';

export interface PanelTiming {
  panel: string;
  period: string;
  /** Client-side milliseconds (the whole HTTP request on loopback), over `runs` requests after one warm-up. */
  medianMs: number;
  maxMs: number;
  /** Milliseconds D1 spent executing the panel's statements (the Server-Timing header), median. */
  dbMedianMs: number | null;
  runs: number;
}

export interface DashboardBench {
  eventsStored: number;
  loadSeconds: number | null;
  timings: PanelTiming[];
}

const WRITE_KEY = 'demo-write-key';
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

export async function benchDashboard(
  server: { url: string },
  { adminToken, events = 1_000_000, runs = 5, log = (_: string) => {} }: { adminToken: string; events?: number; runs?: number; log?: (line: string) => void },
): Promise<DashboardBench> {
  const origin = server.url.replace('localhost', '127.0.0.1');
  const headers = { authorization: `Bearer ${adminToken}` };
  const stored = async () => {
    const res = await fetch(`${origin}/v1/admin/stats?writeKey=${WRITE_KEY}&from=${new Date(Date.now() - 390 * DAY).toISOString()}&to=${new Date(Date.now() + DAY).toISOString()}`, { headers });
    if (!res.ok) throw new Error(`GET /v1/admin/stats answered ${res.status}`);
    return ((await res.json()) as { events: { total: number } }).events.total;
  };
  let loadSeconds: number | null = null;
  const already = await stored();
  if (already < events * 0.95) {
    const started = Date.now();
    let lastPercent = -5;
    log(`  loading ${events.toLocaleString('en-US')} simulated events (${already.toLocaleString('en-US')} stored already)…`);
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
          log(`  loading: ${p.events.toLocaleString('en-US')} events sent (${Math.round((Date.now() - started) / 1000)} s)`);
        }
      },
    });
    loadSeconds = (Date.now() - started) / 1000;
  }
  const eventsStored = await stored();
  log(`  ${eventsStored.toLocaleString('en-US')} events stored; timing each panel…`);

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
      const url = `${origin}${path}${path.includes('?') ? '&' : '?'}writeKey=${WRITE_KEY}&${query}`;
      const db: number[] = [];
      const once = async () => {
        const t = performance.now();
        const res = await fetch(url, { headers });
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`${panel}: ${res.status}`);
        const dur = /db;dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '');
        if (dur) db.push(Number(dur[1]));
        return performance.now() - t;
      };
      await once();
      db.length = 0;
      const times: number[] = [];
      for (let i = 0; i < runs; i++) times.push(await once());
      times.sort((a, b) => a - b);
      db.sort((a, b) => a - b);
      timings.push({ panel, period, medianMs: times[Math.floor(times.length / 2)]!, maxMs: times[times.length - 1]!, dbMedianMs: db.length ? db[Math.floor(db.length / 2)]! : null, runs });
    }
  }
  return { eventsStored, loadSeconds, timings };
}

export function formatDashboardBench(bench: DashboardBench): string {
  const periods = [...new Set(bench.timings.map((t) => t.period))];
  const lines = [
    `${''.padEnd(28)} ${periods.map((p) => p.padStart(30)).join('')}`,
    `${'panel'.padEnd(28)} ${periods.map(() => 'median / max / D1 ms'.padStart(30)).join('')}`,
  ];
  for (const panel of [...new Set(bench.timings.map((t) => t.panel))]) {
    const cells = periods.map((period) => {
      const t = bench.timings.find((x) => x.panel === panel && x.period === period);
      return (t ? `${t.medianMs.toFixed(0)} / ${t.maxMs.toFixed(0)} / ${t.dbMedianMs === null ? '–' : t.dbMedianMs.toFixed(0)}` : '–').padStart(30);
    });
    lines.push(`${panel.padEnd(28)} ${cells.join('')}`);
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { url: { type: 'string', default: 'http://localhost:8787' }, 'admin-token': { type: 'string', default: process.env.ADMIN_TOKEN }, events: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '5' } },
  });
  if (!values['admin-token']) throw new Error('Give --admin-token (or ADMIN_TOKEN).');
  const bench = await benchDashboard({ url: values.url }, { adminToken: values['admin-token'], events: Number(values.events), runs: Number(values.runs), log: (l) => console.error(l) });
  console.log(`Dashboard queries with ${bench.eventsStored.toLocaleString('en-US')} stored events${bench.loadSeconds ? ` (loaded in ${bench.loadSeconds.toFixed(0)} s)` : ''}:`);
  console.log(formatDashboardBench(bench));
}
