/**
 * `npm run bench`: every benchmark of the contract (section 6), measured side
 * by side in one run on this machine, printed as one table and written to
 * bench/results.json. Ratios are the figures that matter; absolute numbers
 * depend on the machine.
 *
 *   npm run bench                      # everything (about 15 minutes on 2 cores)
 *   npm run bench -- --only ingest,recs
 *
 * Parts: tag (size and cost in Chromium, next to peers), ingest,
 * ingest-audiences (two sites in turns: none and 50 audiences), replay
 * (142,825 real product views: catch-up after the last acknowledgement), recs (serving
 * after 100k events and 5k products), quality (HR@10 / MRR@10), audiences
 * (evaluation cost per event and per wake-up, storage; offline on sql.js),
 * dashboard (each panel's statistics query with 1,000,000 stored events:
 * `--dashboard-simulated M` (15,000) sent by the simulator, copies of those
 * shoppers with their statistics up to `--dashboard-events N`; p50/p95 of
 * `--dashboard-runs R` (10) requests per panel; `--dashboard-state DIR` keeps
 * the state and times it again on the next run without building it).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from '../scripts/build.mjs';
import { findChromium } from '../scripts/lib/find-chromium.mjs';
import { freePort, ROOT, startDevServer } from '../scripts/lib/dev-server.mjs';
import { benchAudiences } from './audiences';
import { describeDashboardBench, formatDashboardBench, runDashboardBench } from './dashboard';
import { benchIngest } from './ingest';
import { benchIngestWithAudiences } from './ingest-audiences';
import { benchRecommendations } from './recommendations';
import { benchReplay } from './replay';
import { benchRecsQuality, formatRecsQuality, mergeQuality, type Result as RecsQualityResult } from './recs-quality/run';
import { cacheReplaysIn, trailmarkRecommenders } from './recs-quality/trailmark';

const PARTS = ['tag', 'ingest', 'ingest-audiences', 'replay', 'recs', 'quality', 'audiences', 'dashboard'] as const;
type Part = (typeof PARTS)[number];

function onlyParts(argv: string[]): string | undefined {
  const i = argv.findIndex((a) => a === '--only' || a.startsWith('--only='));
  if (i < 0) return undefined;
  return argv[i]!.includes('=') ? argv[i]!.split('=')[1] : argv[i + 1];
}
const only = onlyParts(process.argv.slice(2));
const parts = (only ? only.split(',') : [...PARTS]) as Part[];
for (const part of parts) {
  if (!PARTS.includes(part)) {
    console.error(`Unknown part "${part}": use ${PARTS.join(', ')}.`);
    process.exit(2);
  }
}

const log = (line: string) => console.error(line);
const fixed = (x: number | null | undefined, digits = 1) => (x === null || x === undefined || Number.isNaN(x) ? '–' : x.toFixed(digits));
const ADMIN_TOKEN = 'bench-admin-token';

const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
  note: 'Measured on this machine in one run; compare the ratios, not the absolute numbers.',
};
/** Sections of the printed table, each a list of lines. */
const table: string[][] = [];
const failed: Part[] = [];

log('Building the tag and the demo pages…');
await build({ quiet: true });

async function withServer<T>(name: string, fn: (server: { url: string; process: { pid?: number } }) => Promise<T>): Promise<T> {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), `trailmark-bench-${name}-`));
  const server = await startDevServer({ port: await freePort(), stateDir, adminToken: ADMIN_TOKEN });
  try {
    return await fn(server);
  } finally {
    await server.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

if (parts.includes('tag')) {
  await runPart('tag', async () => {
    const tagBench = path.join(ROOT, 'bench', 'tag.mjs');
    if (existsSync(tagBench)) {
      log('Tag: sizes and cost in Chromium, next to peers…');
      const { benchTag } = (await import(tagBench)) as { benchTag: (o: { collectorUrl: string; chromium: string }) => Promise<unknown> };
      const { formatTagResults } = (await import(path.join(ROOT, 'bench', 'tag', 'format.mjs'))) as { formatTagResults: (r: unknown) => string };
      const { executablePath } = await findChromium();
      const tag = await withServer('tag', (server) => benchTag({ collectorUrl: server.url, chromium: executablePath }));
      results.tag = tag;
      table.push(['## Tag (Chromium headless; sizes in bytes; times are medians on this machine)', formatTagResults(tag)]);
    } else {
      log('Tag: bench/tag.mjs is missing; skipped.');
    }
  });
}

if (parts.includes('ingest')) {
  await runPart('ingest', async () => {
    log('Ingest: POST /v1/batch (20 messages, 16 senders) next to GET /healthz…');
    const ingest = await withServer('ingest', (server) => benchIngest(server, { adminToken: ADMIN_TOKEN }));
    results.ingest = ingest;
    table.push([
      '## Ingest (wrangler dev, loopback, 16 concurrent senders, 20-message batches)',
      row(['figure', 'value']),
      row(['GET /healthz requests/s', fixed(ingest.healthz.rps, 0)]),
      row(['POST /v1/batch requests/s', fixed(ingest.ingest.rps, 0)]),
      row(['events/s accepted', fixed(ingest.ingest.eventsPerSecond, 0)]),
      row(['ratio to /healthz', fixed(ingest.ratio, 2)]),
      row(['latency p50 / p99 (ms)', `${fixed(ingest.ingest.p50)} / ${fixed(ingest.ingest.p99)}`]),
      row(['errors', String(ingest.ingest.errors)]),
      row(['events/s stored (accept + drain)', fixed(ingest.storedEventsPerSecond, 0)]),
      row(['backlog drained after a 4 s burst (s)', fixed(ingest.backlogDrainSeconds)]),
    ]);
  });
}

if (parts.includes('ingest-audiences')) {
  await runPart('ingest-audiences', async () => {
    log('Ingest with 50 audiences next to none: two sites in turns on one server…');
    const r = await withServer('ingest-audiences', (server) => benchIngestWithAudiences(server, { adminToken: ADMIN_TOKEN }));
    results.ingestAudiences = r;
    const mixName = { worst: 'worst case: every shopper in ~40', typical: 'typical mix: the demo kinds' } as const;
    table.push([
      `## Ingest with ${r.audiences} audiences next to none (one server, the sites in turns, ${r.rounds} rounds each)`,
      row(['figure', 'no audiences', ...r.mixes.flatMap((m) => [`${r.audiences}, ${mixName[m.mix]}`, 'ratio'])]),
      row([
        'events/s accepted',
        fixed(r.without.acceptedEventsPerSecond, 0),
        ...r.mixes.flatMap((m) => [fixed(m.with.acceptedEventsPerSecond, 0), fixed(m.acceptedRatio, 2)]),
      ]),
      row([
        'events/s stored (accept + drain)',
        fixed(r.without.storedEventsPerSecond, 0),
        ...r.mixes.flatMap((m) => [fixed(m.with.storedEventsPerSecond, 0), fixed(m.storedRatio, 2)]),
      ]),
      row([
        'CPU µs per event while accepting (Worker and objects)',
        fixed(r.without.acceptCpuMicroseconds, 0),
        ...r.mixes.flatMap((m) => [fixed(m.with.acceptCpuMicroseconds, 0), '']),
      ]),
      row([
        'CPU µs per event after, until stored and idle',
        fixed(r.without.drainCpuMicroseconds, 0),
        ...r.mixes.flatMap((m) => [fixed(m.with.drainCpuMicroseconds, 0), '']),
      ]),
      row([
        'events stored per CPU second (the whole round)',
        fixed(1e6 / (r.without.acceptCpuMicroseconds + r.without.drainCpuMicroseconds), 0),
        ...r.mixes.flatMap((m) => [fixed(1e6 / (m.with.acceptCpuMicroseconds + m.with.drainCpuMicroseconds), 0), fixed(m.storedCpuRatio, 2)]),
      ]),
      row(['accept latency p99 (ms)', fixed(r.without.p99), ...r.mixes.flatMap((m) => [fixed(m.with.p99), ''])]),
      row(['errors', String(r.without.errors), ...r.mixes.flatMap((m) => [String(m.with.errors), ''])]),
      row(['memberships at the end', '', ...r.mixes.flatMap((m) => [String(m.memberships), ''])]),
    ]);
  });
}

if (parts.includes('replay')) {
  await runPart('replay', async () => {
    log('Replay: 142,825 Diginetica product views as fast as they are acknowledged, then the catch-up…');
    const replay = await withServer('replay', (server) => benchReplay(server, { adminToken: ADMIN_TOKEN }));
    results.replay = replay;
    table.push([
      `## Replay (${replay.events.toLocaleString('en-US')} real product views, 16 senders, 20-message batches)`,
      row(['figure', 'value']),
      row(['events/s accepted', fixed(replay.acceptedPerSecond, 0)]),
      row(['accepted in (s)', fixed(replay.acceptSeconds)]),
      row(['stored after the last acknowledgement (s)', fixed(replay.catchUpSeconds)]),
      row(['events/s stored (accept + catch-up)', fixed(replay.storedPerSecond, 0)]),
      row(['requests not acknowledged at first (sent again)', String(replay.errors)]),
    ]);
  });
}

if (parts.includes('recs')) {
  await runPart('recs', async () => {
    log('Recommendations: loading 5,000 products and ~100k events, then serving…');
    const recs = await withServer('recs', (server) => benchRecommendations(server, { adminToken: ADMIN_TOKEN, log }));
    results.recommendations = recs;
    table.push([
      `## Recommendations (${recs.eventsLoaded.toLocaleString('en-US')} events, ${recs.catalogSize.toLocaleString('en-US')} products; loaded in ${fixed(recs.loadSeconds, 0)} s)`,
      row(['figure', 'value']),
      row(['one client: p50 / p99 (ms)', `${fixed(recs.unloaded.p50, 2)} / ${fixed(recs.unloaded.p99, 2)}`]),
      row(['one client, /healthz: p50 / p99 (ms)', `${fixed(recs.unloaded.healthzP50, 2)} / ${fixed(recs.unloaded.healthzP99, 2)}`]),
      row([`${recs.loaded.concurrency} clients: requests/s`, fixed(recs.loaded.rps, 0)]),
      row([`${recs.loaded.concurrency} clients, /healthz: requests/s`, fixed(recs.loaded.healthzRps, 0)]),
      row(['ratio to /healthz', fixed(recs.loaded.ratio, 2)]),
      row([`${recs.loaded.concurrency} clients: p50 / p99 (ms)`, `${fixed(recs.loaded.p50)} / ${fixed(recs.loaded.p99)}`]),
      row(['errors', String(recs.loaded.errors)]),
      row(['freshness: own view → in own slot, median / max (ms)', `${fixed(recs.freshnessMs.median, 0)} / ${fixed(recs.freshnessMs.max, 0)}`]),
    ]);
  });
}

if (parts.includes('quality')) {
  await runPart('quality', async () => {
    // The whole part takes about an hour, most of it replaying Diginetica: `--quality-datasets` and
    // `--quality-methods` (method slugs, e.g. vstan,trailmark-home-slot) measure a part of it, whose rows
    // replace their own in bench/results.json; `--replay-cache DIR` keeps each replay for the next run.
    const list = (name: string) =>
      flagValue(name)
        ?.split(',')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean);
    const datasets = list('--quality-datasets');
    const methods = list('--quality-methods');
    const cache = flagValue('--replay-cache');
    if (cache) cacheReplaysIn(path.resolve(cache));
    log(`Recommendation quality: ${datasets ? datasets.join(', ') : 'Diginetica and simulated'} held-out sessions${methods ? `, ${methods.join(', ')}` : ''}…`);
    const fresh = await benchRecsQuality({
      recommenders: trailmarkRecommenders(),
      log,
      ...(datasets && !datasets.includes('diginetica') ? { diginetica: false as const } : {}),
      ...(datasets && !datasets.includes('simulated') ? { simulated: false as const } : {}),
      ...(methods ? { methods } : {}),
    });
    const resultsFile = path.join(ROOT, 'bench', 'results.json');
    const saved =
      datasets || methods
        ? ((existsSync(resultsFile) ? JSON.parse(await readFile(resultsFile, 'utf8')) : {}) as { quality?: RecsQualityResult }).quality
        : undefined;
    const quality = mergeQuality(saved && 'datasets' in saved ? saved : undefined, fresh);
    results.quality = quality;
    table.push(['## Recommendation quality (next viewed product)', formatRecsQuality(quality)]);
  });
}

function flagValue(name: string): string | undefined {
  const i = process.argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return undefined;
  return process.argv[i]!.includes('=') ? process.argv[i]!.slice(name.length + 1) : process.argv[i + 1];
}

if (parts.includes('audiences')) {
  await runPart('audiences', async () => {
    log('Audiences: evaluation per event and per wake-up, storage (offline, sql.js)…');
    const cost = await benchAudiences();
    results.audiences = cost;
    const us = (x: number) => `${fixed(x)} µs`;
    table.push([
      '## Audiences (offline on sql.js: the evaluation and SQL a profile host runs; 20-event transactions)',
      row(['figure', 'value']),
      ...cost.perEvent.map((e) =>
        row([`one event, ${e.audiences} audiences defined`, `${us(e.microsecondsPerEvent)} (${fixed(e.evaluatedPerEvent)} evaluated)`]),
      ),
      row([`one event, ${cost.withoutIndex.audiences} evaluated without the index`, us(cost.withoutIndex.microsecondsPerEvent)]),
      row(['one wake-up, per profile woken', `${us(cost.wakeUp.microsecondsPerProfile)} (${fixed(cost.wakeUp.evaluatedPerProfile)} evaluated)`]),
      row([
        'bytes per membership / due profile / pending transition',
        `${cost.storage.bytesPerMembership} / ${cost.storage.bytesPerDueProfile} / ${cost.storage.bytesPerPendingTransition}`,
      ]),
      row(['bytes added to a profile document', String(cost.storage.profileDocumentBytesAdded)]),
    ]);
  });
}

if (parts.includes('dashboard')) {
  await runPart('dashboard', async () => {
    const flag = (name: string, fallback: number) => {
      const i = process.argv.indexOf(name);
      return i > 0 ? Number(process.argv[i + 1]) : fallback;
    };
    const events = flag('--dashboard-events', 1_000_000);
    const simulated = flag('--dashboard-simulated', 15_000);
    const runs = flag('--dashboard-runs', 10);
    const stateIndex = process.argv.indexOf('--dashboard-state');
    const kept = stateIndex > 0 ? path.resolve(process.argv[stateIndex + 1]!) : undefined;
    log(
      `Dashboard: ${Math.min(events, simulated).toLocaleString('en-US')} simulated events, copies up to ${events.toLocaleString('en-US')}, then each panel's query…`,
    );
    const stateDir = kept ?? (await mkdtemp(path.join(os.tmpdir(), 'trailmark-bench-dashboard-')));
    try {
      const dashboard = await runDashboardBench({ root: ROOT, stateDir, port: await freePort(), adminToken: ADMIN_TOKEN, events, simulated, runs, log });
      results.dashboard = dashboard;
      table.push([
        `## Dashboard (wrangler dev; ${describeDashboardBench(dashboard)}; per panel: request p50 / p95 of ${runs}, and D1's own time (median), ms)`,
        formatDashboardBench(dashboard),
      ]);
    } finally {
      if (!kept) await rm(stateDir, { recursive: true, force: true });
    }
  });
}

/** Runs one part; a part that fails is reported in the table and the file, and the others still run. */
async function runPart(name: Part, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log(`${name}: failed: ${message}`);
    failed.push(name);
    results[name] = { error: message };
    table.push([`## ${name}: failed`, message]);
  }
}

function row(cells: string[]): string {
  return `${cells[0]!.padEnd(52)} ${cells.slice(1).join('  ')}`;
}

const output = table.map((section) => section.join('\n')).join('\n\n');
console.log(`\n${output}\n\n${String(results.note)}`);
// A partial run (--only) keeps the other parts' figures from the file, and says when each part was measured.
const resultsFile = path.join(ROOT, 'bench', 'results.json');
const previous = (only && existsSync(resultsFile) ? JSON.parse(await readFile(resultsFile, 'utf8')) : {}) as Record<string, unknown>;
const measuredAt = { ...(previous.measuredAt as Record<string, string> | undefined), ...Object.fromEntries(parts.map((part) => [part, results.date])) };
await writeFile(resultsFile, `${JSON.stringify({ ...previous, ...results, measuredAt }, null, 2)}\n`);
log('Wrote bench/results.json');
if (failed.length > 0) {
  log(`Failed: ${failed.join(', ')}.`);
  process.exitCode = 1;
}
