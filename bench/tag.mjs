#!/usr/bin/env node
/**
 * The tag benchmark (contract section 6): the size of /tag.js and of its
 * lazy chunks, and its cost in Chromium — track() per call, start-up
 * main-thread time, long tasks — next to seven peers measured in the same
 * run, each loaded the way a site loads it and configured with the local
 * collector as its endpoint:
 *
 * - Trailmark: `<script async src="COLLECTOR/tag.js" data-write-key>`, and
 *   again with `data-web-vitals="false"` ("trailmark-lean"), since no peer
 *   collects web vitals in the configuration measured here.
 * - Segment (@segment/analytics-next): its snippet loading the standalone
 *   build (what cdn.segment.com serves as analytics.min.js, shipped in the
 *   npm package as dist/umd/standalone.js) and the chunks it fetches at
 *   start, with the collector's own settings document.
 * - RudderStack (@rudderstack/analytics-js): the npm `/bundled` build (every
 *   plugin compiled in) bundled and minified by esbuild, as a site that
 *   bundles it ships it. Its CDN build fetches its plugins from
 *   cdn.rudderlabs.com at run time and is not in the npm package.
 * - Snowplow (@snowplow/browser-tracker): an ES module, so `newTracker`,
 *   `trackPageView` and `trackSelfDescribingEvent` bundled and minified by
 *   esbuild, as a site's build would; one POST per event (its default).
 * - PostHog (posthog-js): its snippet loading dist/array.js (what its assets
 *   host serves as /static/array.js) from this site instead of PostHog's
 *   host; flags/remote config, autocapture, session recording, surveys,
 *   product tours, web experiments and conversations off, so that it fetches
 *   nothing else at start (those fetches go to PostHog's own servers). Its
 *   bot filter is off (it drops the events of a headless browser) and its
 *   client rate limit (bursts of 100, then 10/s) raised, so that every call
 *   of the rounds below is sent.
 * - Amplitude (@amplitude/analytics-browser): its snippet (from the package)
 *   loading lib/scripts/amplitude-min.js, the very file its CDN serves (the
 *   snippet's SRI hash matches it); serverUrl the collector, remote config
 *   off (fetched from Amplitude's servers), interaction autocapture off.
 * - Mixpanel (mixpanel-browser): its snippet (from the package) loading
 *   dist/mixpanel.min.js (the CDN's mixpanel-2-latest.min.js) through the
 *   documented MIXPANEL_CUSTOM_LIB_URL; api_host the collector.
 * - Plausible (plausible-tracker): an ES module (Plausible's script.js is
 *   not on npm), so its default export bundled and minified by esbuild, with
 *   trackLocalhost, since the pages are on 127.0.0.1; one POST per event.
 *
 * Every library records one page view at start; events are answered by the
 * browser (page.route) during the cost measurements, so that the collector's
 * own speed is not part of them (with a body each library reads as a
 * success, so that none retries), and the events that reach it are counted:
 * a round of track() calls ends once all of them have arrived. A library
 * that throws in the page, or whose events do not all arrive, fails the run
 * if it is Trailmark; a peer is then reported with its sizes and the reason
 * in place of its costs. Inline snippets are not counted in the sizes.
 * Times are wall clock on this machine: compare the libraries with each
 * other, not with another machine.
 *
 *   import { benchTag } from './tag.mjs';
 *   const results = await benchTag({ collectorUrl, chromium: executablePath });
 *
 *   node bench/tag.mjs [--url http://localhost:8787] [--rounds 5]
 *   (without --url it starts a collector of its own on a free port)
 *
 * Each library is one descriptor in tag/peers.mjs; tag/site.mjs serves their
 * files and pages, tag/browser.mjs measures them in Chromium, tag/sizes.mjs
 * weighs what they load and tag/format.mjs prints the table.
 */
import { readFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startUp, trackCost } from './tag/browser.mjs';
import { formatTagResults } from './tag/format.mjs';
import { median, round } from './tag/numbers.mjs';
import { LIBRARIES, PEERS, ROOT, WRITE_KEY } from './tag/peers.mjs';
import { peerFiles, peerSnippets, pages, startSiteServer } from './tag/site.mjs';
import { loadedAtStart, sizes } from './tag/sizes.mjs';

const NAMES = LIBRARIES.map((library) => library.name);

/** The version of each peer's npm package, printed with the results. */
async function versions() {
  const entries = await Promise.all(
    PEERS.map(async ({ name, package: pkg }) => [name, JSON.parse(await readFile(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version]),
  );
  return Object.fromEntries(entries);
}

/**
 * @param {{ collectorUrl: string, chromium: string, rounds?: number, log?: (line: string) => void }} options
 *   chromium: the browser's executable path (scripts/lib/find-chromium.mjs)
 */
export async function benchTag({ collectorUrl, chromium, rounds = 5, log = () => {} }) {
  const { chromium: playwright } = await import('playwright-core');
  const { CHROMIUM_ARGS } = await import('../scripts/lib/find-chromium.mjs');
  collectorUrl = collectorUrl.replace(/\/+$/, '');

  log('Building RudderStack, Snowplow and Plausible as a site would…');
  const files = await peerFiles();
  const settings = await fetch(`${collectorUrl}/v1/projects/${WRITE_KEY}/settings`);
  if (!settings.ok) throw new Error(`The collector's settings document: HTTP ${settings.status}`);
  files.set(`/v1/projects/${WRITE_KEY}/settings`, Buffer.from(await settings.arrayBuffer()));
  const site = await startSiteServer(files);
  const snippets = await peerSnippets(site.origin, files);
  for (const [name, html] of Object.entries(pages(collectorUrl, site.origin, snippets))) files.set(`/${name}.html`, html);
  const urlOf = (name) => `${site.origin}/${name}.html`;

  const browser = await playwright.launch({ executablePath: chromium, args: CHROMIUM_ARGS });
  try {
    const fileSizes = await sizes(collectorUrl, files);
    /** Peers that could not be measured, with the reason; Trailmark failing fails the run. */
    const failed = {};
    const attempt = async (name, fn) => {
      if (failed[name]) return undefined;
      try {
        return await fn();
      } catch (error) {
        if (name === 'blank' || name.startsWith('trailmark')) throw error;
        failed[name] = error.message.split('\n')[0];
        log(`  ${name}: not measured: ${failed[name]}`);
        return undefined;
      }
    };
    const startups = Object.fromEntries(['blank', ...NAMES].map((name) => [name, []]));
    // Interleaved rounds: a busy moment of the machine hits every library alike.
    for (let r = 0; r < rounds; r++) {
      log(`Start-up, round ${r + 1} of ${rounds}…`);
      for (const name of ['blank', ...NAMES]) {
        const run = await attempt(name, () => startUp(browser, collectorUrl, urlOf(name), name));
        if (run) startups[name].push(run);
      }
    }
    const costs = {};
    for (const name of NAMES) {
      if (failed[name]) continue;
      log(`track() cost: ${name}…`);
      costs[name] = await attempt(name, () => trackCost(browser, collectorUrl, urlOf(name), name, { rounds }));
    }

    const atStart = await loadedAtStart(startups, files, fileSizes);

    const blank = startups.blank;
    const results = {
      environment: {
        chromium: browser.version(),
        cpus: cpus().length,
        rounds,
        versions: await versions(),
        amplitudeSnippetHashMatches: snippets.amplitude.hashMatches,
        note: 'wall-clock medians on this machine; compare the columns, not machines',
      },
      sizes: fileSizes,
      loadedAtStart: atStart,
      runtime: Object.fromEntries(
        NAMES.map((name) => {
          if (failed[name]) return [name, { error: failed[name] }];
          const runs = startups[name];
          return [
            name,
            {
              trackUs: round(costs[name].syncUs, 2),
              trackAllWorkUs: round(costs[name].allWorkUs, 2),
              eventsCounted: costs[name].eventsCounted,
              eventsTracked: costs[name].eventsTracked,
              startupTaskMs: round(median(runs.map((s) => s.taskMs)) - median(blank.map((s) => s.taskMs))),
              longTasks: runs.map((s) => s.longTasks),
              baselineLongTasks: blank.map((s) => s.longTasks),
            },
          ];
        }),
      ),
    };
    return results;
  } finally {
    await browser.close();
    await site.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const arg = (name) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const { findChromium } = await import('../scripts/lib/find-chromium.mjs');
  const { executablePath } = await findChromium();
  let collectorUrl = arg('url');
  let server;
  if (!collectorUrl) {
    const { build } = await import('../scripts/build.mjs');
    const { freePort, startDevServer } = await import('../scripts/lib/dev-server.mjs');
    console.log('Building and starting a collector…');
    await build({ quiet: true });
    const port = await freePort();
    server = await startDevServer({ port, stateDir: path.join(tmpdir(), `trailmark-bench-tag-${process.pid}`), adminToken: 'bench' });
    collectorUrl = server.url;
  }
  try {
    const results = await benchTag({ collectorUrl, chromium: executablePath, rounds: Number(arg('rounds') ?? 5), log: (l) => console.log(l) });
    console.log(`\n${formatTagResults(results)}`);
    if (process.argv.includes('--json')) console.log(JSON.stringify(results, null, 2));
  } finally {
    await server?.stop();
  }
}
