#!/usr/bin/env node
/**
 * The tag benchmark (contract section 6): the size of /tag.js and of its
 * lazy chunks, and its cost in Chromium — track() per call, start-up
 * main-thread time, long tasks — next to @segment/analytics-next and
 * @rudderstack/analytics-js measured in the same run, each loaded the way a
 * site loads it and configured with the local collector:
 *
 * - Trailmark: `<script async src="COLLECTOR/tag.js" data-write-key>`, and
 *   again with `data-web-vitals="false"` ("trailmark-lean"), since neither
 *   peer collects web vitals.
 * - Segment: its snippet loading the standalone build (what cdn.segment.com
 *   serves as analytics.min.js, shipped in the npm package as
 *   dist/umd/standalone.js) and the chunks it fetches at start, with the
 *   collector's own settings document.
 * - RudderStack: the npm `/bundled` build (every plugin compiled in) bundled
 *   and minified by esbuild, as a site that bundles it ships it. Its CDN
 *   build fetches its plugins from cdn.rudderlabs.com at run time and is
 *   not in the npm package, so it cannot run here.
 *
 * Every library records one page view at start; events are answered by the
 * browser (page.route) during the cost measurements, so that the collector's
 * own speed is not part of them. Times are wall clock on this machine:
 * compare the libraries with each other, not with another machine.
 *
 *   import { benchTag } from './tag.mjs';
 *   const results = await benchTag({ collectorUrl, chromium: executablePath });
 *
 *   node bench/tag.mjs [--url http://localhost:8787] [--rounds 5]
 *   (without --url it starts a collector of its own on a free port)
 */
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WRITE_KEY = 'demo-write-key';
const SEGMENT_DIST = path.join(ROOT, 'node_modules', '@segment', 'analytics-next', 'dist', 'umd');
/** `trailmark-lean`: the tag without web vitals, which the two peers do not collect. */
const LIBRARIES = ['trailmark', 'trailmark-lean', 'segment', 'rudderstack'];
/** A user agent that does not say "Headless", as in the browser tests. */
const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/147.0.0.0 Safari/537.36';

/** @param {Uint8Array | string} code */
function sizesOf(code) {
  const bytes = Buffer.from(code);
  return {
    min: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const round = (n, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** RudderStack's bundled build, bundled and minified as a site's build would. */
async function buildRudderStack() {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    stdin: {
      contents: "import { RudderAnalytics } from '@rudderstack/analytics-js/bundled'; window.RudderAnalytics = RudderAnalytics;",
      resolveDir: ROOT,
    },
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    platform: 'browser',
    define: { 'process.env.NODE_ENV': '"production"' },
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0].contents;
}

/** Pages and peer files on 127.0.0.1 (another origin than the collector, as a shop's pages are). */
async function startSiteServer(files) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const file = files.get(url.pathname);
    if (file) {
      const type = url.pathname.endsWith('.js') ? 'text/javascript' : url.pathname.endsWith('/settings') ? 'application/json' : 'text/html';
      res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'access-control-allow-origin': '*', 'cache-control': 'no-store' });
      res.end(file);
      return;
    }
    if (url.pathname.startsWith('/analytics-next/bundles/')) {
      try {
        const body = await readFile(path.join(SEGMENT_DIST, path.basename(url.pathname)));
        res.writeHead(200, { 'content-type': 'text/javascript', 'access-control-allow-origin': '*' }).end(body);
      } catch {
        res.writeHead(404).end();
      }
      return;
    }
    res.writeHead(404).end('not found');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

const page = (head) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Product</title>${head}</head>
<body><h1>Trail tent, 2 people</h1><p>${'A light tent for long walks. '.repeat(40)}</p></body></html>`;

/** The page of each library: its install as its documentation gives it, plus one page view. */
function pages(collectorUrl, origin) {
  return {
    blank: page(''),
    trailmark: page(`<script async src="${collectorUrl}/tag.js" data-write-key="${WRITE_KEY}"></script>`),
    'trailmark-lean': page(`<script async src="${collectorUrl}/tag.js" data-write-key="${WRITE_KEY}" data-web-vitals="false"></script>`),
    // Segment's snippet (v5), with the script and settings served from `_cdn` instead of cdn.segment.com.
    segment: page(`<script>
!function(){var i="analytics",analytics=window[i]=window[i]||[];if(!analytics.initialize)if(analytics.invoked)return;else{analytics.invoked=!0;
analytics.methods=["trackSubmit","trackClick","trackLink","trackForm","pageview","identify","reset","group","track","ready","alias","debug","page","screen","once","off","on","addSourceMiddleware","addIntegrationMiddleware","setAnonymousId","addDestinationMiddleware","register"];
analytics.factory=function(e){return function(){if(window[i].initialized)return window[i][e].apply(window[i],arguments);var n=Array.prototype.slice.call(arguments);
if(["track","screen","alias","group","page","identify"].indexOf(e)>-1){var c=document.querySelector("link[rel='canonical']");n.push({__t:"bpc",c:c&&c.getAttribute("href")||void 0,p:location.pathname,u:location.href,s:location.search,t:document.title,r:document.referrer})}
n.unshift(e);analytics.push(n);return analytics}};for(var n=0;n<analytics.methods.length;n++){var key=analytics.methods[n];analytics[key]=analytics.factory(key)}
analytics.load=function(key,n){var t=document.createElement("script");t.type="text/javascript";t.async=!0;t.setAttribute("data-global-segment-analytics-key",i);
t.src="${origin}/segment/analytics.min.js";var r=document.getElementsByTagName("script")[0];r.parentNode.insertBefore(t,r);analytics._loadOptions=n};
analytics._writeKey="${WRITE_KEY}";analytics._cdn="${origin}";analytics.SNIPPET_VERSION="5.2.0";analytics.load("${WRITE_KEY}");analytics.page()}}();
</script>`),
    rudderstack: page(`<script>
function startRudderStack() {
  var ra = new RudderAnalytics();
  window.rudderanalytics = ra;
  ra.load("${WRITE_KEY}", "${collectorUrl}", { configUrl: "${collectorUrl}" });
  ra.ready(function () { window.rudderReady = true; });
  ra.page();
}
</script><script async src="${origin}/rudderstack/rsa.min.js" onload="startRudderStack()"></script>`),
  };
}

/** When each library is ready to take calls, and how to call track() on it. */
const trailmarkReady = () => typeof window.trailmark?.anonymousId === 'function' && !!window.trailmark.anonymousId();
const READY = {
  trailmark: trailmarkReady,
  'trailmark-lean': trailmarkReady,
  segment: () => window.analytics?.initialized === true,
  rudderstack: () => window.rudderReady === true,
};
const TRACK = {
  trailmark: 'window.trailmark.track',
  'trailmark-lean': 'window.trailmark.track',
  segment: 'window.analytics.track.bind(window.analytics)',
  rudderstack: 'window.rudderanalytics.track.bind(window.rudderanalytics)',
};

/** The event paths of the three libraries (others, such as the settings and the tag, are not intercepted). */
const EVENT_PATHS = /\/v1\/(batch|b|t|p|i|a|g|s|m|track|page|identify|alias|group|screen)$/;

/** Answers event requests in the browser (CORS included), so the collector's speed is no part of the costs. */
async function answerEvents(context, collectorUrl) {
  await context.route((url) => url.href.startsWith(collectorUrl) && EVENT_PATHS.test(url.pathname), async (route) => {
    const request = route.request();
    const origin = (await request.allHeaders()).origin ?? '*';
    const cors = {
      'access-control-allow-origin': origin,
      'access-control-allow-credentials': 'true',
      'access-control-allow-headers': (await request.headerValue('access-control-request-headers')) ?? '*',
      'access-control-allow-methods': 'POST, OPTIONS',
      'access-control-max-age': '600',
    };
    if (request.method() === 'OPTIONS') return route.fulfill({ status: 204, headers: cors });
    return route.fulfill({ status: 200, headers: cors, contentType: 'application/json', body: '{"ok":true,"accepted":1,"rejected":[]}' });
  });
}

const OBSERVE_LONG_TASKS = () => {
  window.__longTasks = [];
  new PerformanceObserver((list) => list.getEntries().forEach((e) => window.__longTasks.push(Math.round(e.duration)))).observe({ type: 'longtask', buffered: true });
};

/**
 * One start of a page: main-thread time (the CDP Performance domain's TaskDuration: every task of
 * the page's main thread) from navigation until 2.5 s after the load event, the long tasks seen, and
 * the scripts the page loaded. Readiness is checked once at the end, not polled: polling runs
 * script in the page.
 */
async function startUp(browser, collectorUrl, url, library) {
  const context = await browser.newContext({ userAgent: USER_AGENT });
  await answerEvents(context, collectorUrl);
  await context.addInitScript(OBSERVE_LONG_TASKS);
  const tab = await context.newPage();
  const cdp = await context.newCDPSession(tab);
  await cdp.send('Performance.enable');
  await tab.goto(url);
  await tab.waitForLoadState('load');
  await tab.waitForTimeout(2500);
  const { metrics } = await cdp.send('Performance.getMetrics');
  if (library !== 'blank' && !(await tab.evaluate(READY[library]))) throw new Error(`${library} was not ready 2.5 s after load`);
  const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
  const observed = await tab.evaluate(() => ({
    longTasks: window.__longTasks,
    scripts: performance.getEntriesByType('resource').filter((r) => r.initiatorType === 'script' || r.name.endsWith('.js')).map((r) => r.name),
  }));
  await context.close();
  return { taskMs: m.TaskDuration * 1000, ...observed };
}

/**
 * track() cost once the library is ready, in rounds of `calls` calls (a busy page's worth of
 * events; each round starts once the previous one has been sent, as events arrive in real pages):
 * the synchronous call, timed with performance.now in the page (median of the rounds), and all the
 * main-thread work the calls cause until the page is quiet again (batching, serialising, storing,
 * sending), per call, after taking off what the same page does over the same time without calls.
 */
async function trackCost(browser, collectorUrl, url, library, { calls = 100, rounds = 5 } = {}) {
  const context = await browser.newContext({ userAgent: USER_AGENT });
  await answerEvents(context, collectorUrl);
  const tab = await context.newPage();
  const cdp = await context.newCDPSession(tab);
  await cdp.send('Performance.enable');
  await tab.goto(url);
  await tab.waitForFunction(READY[library], undefined, { timeout: 30_000 });
  await tab.waitForLoadState('load');
  await tab.waitForTimeout(1500);
  const taskMs = async () => (await cdp.send('Performance.getMetrics')).metrics.find((x) => x.name === 'TaskDuration').value * 1000;
  const burst = () =>
    tab.evaluate(
      ({ calls, track }) => {
        const call = (0, eval)(track);
        const product = { product_id: 'SKU-1', name: 'Trail tent', price: 129, currency: 'EUR', category: 'Tents' };
        const start = performance.now();
        for (let i = 0; i < calls; i++) call('Product Viewed', { ...product, i });
        return ((performance.now() - start) * 1000) / calls;
      },
      { calls, track: TRACK[library] },
    );
  await burst(); // warm up
  await tab.waitForTimeout(2000);

  const pause = 2000;
  const idleStart = await taskMs();
  await tab.waitForTimeout(pause);
  const idlePerMs = ((await taskMs()) - idleStart) / pause;

  const perCall = [];
  const start = await taskMs();
  const wallStart = Date.now();
  for (let r = 0; r < rounds; r++) {
    perCall.push(await burst());
    await tab.waitForTimeout(pause);
  }
  const work = (await taskMs()) - start - idlePerMs * (Date.now() - wallStart);
  await context.close();
  return { syncUs: median(perCall), allWorkUs: (work * 1000) / (calls * rounds) };
}

/** Sizes of every script file of one library. */
async function sizes(collectorUrl, rudderBundle) {
  const fetchText = async (url) => {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  };
  const tag = await fetchText(`${collectorUrl}/tag.js`);
  const chunks = [...new Set([...tag.toString().matchAll(/tag-[\w-]+\.js/g)].map((m) => m[0]))];
  const trailmark = [{ file: 'tag.js', role: 'initial', ...sizesOf(tag) }];
  for (const chunk of chunks) trailmark.push({ file: chunk, role: 'lazy', ...sizesOf(await fetchText(`${collectorUrl}/${chunk}`)) });
  const segment = [{ file: 'analytics.min.js (standalone.js)', role: 'initial', ...sizesOf(await readFile(path.join(SEGMENT_DIST, 'standalone.js'))) }];
  return {
    trailmark,
    'trailmark-lean': trailmark.filter((f) => f.role === 'initial'),
    segment,
    rudderstack: [{ file: 'rsa.min.js (/bundled, esbuild)', role: 'initial', ...sizesOf(rudderBundle) }],
  };
}

/**
 * @param {{ collectorUrl: string, chromium: string, rounds?: number, log?: (line: string) => void }} options
 *   chromium: the browser's executable path (scripts/lib/find-chromium.mjs)
 */
export async function benchTag({ collectorUrl, chromium, rounds = 5, log = () => {} }) {
  const { chromium: playwright } = await import('playwright-core');
  const { CHROMIUM_ARGS } = await import('../scripts/lib/find-chromium.mjs');
  collectorUrl = collectorUrl.replace(/\/+$/, '');

  log('Building RudderStack as a site would…');
  const rudderBundle = await buildRudderStack();
  const settings = await fetch(`${collectorUrl}/v1/projects/${WRITE_KEY}/settings`);
  if (!settings.ok) throw new Error(`The collector's settings document: HTTP ${settings.status}`);
  const files = new Map([
    ['/segment/analytics.min.js', await readFile(path.join(SEGMENT_DIST, 'standalone.js'))],
    [`/v1/projects/${WRITE_KEY}/settings`, Buffer.from(await settings.arrayBuffer())],
    ['/rudderstack/rsa.min.js', Buffer.from(rudderBundle)],
  ]);
  const site = await startSiteServer(files);
  for (const [name, html] of Object.entries(pages(collectorUrl, site.origin))) files.set(`/${name}.html`, html);
  const urlOf = (name) => `${site.origin}/${name}.html`;

  const browser = await playwright.launch({ executablePath: chromium, args: CHROMIUM_ARGS });
  try {
    const fileSizes = await sizes(collectorUrl, rudderBundle);
    const startups = Object.fromEntries(['blank', ...LIBRARIES].map((name) => [name, []]));
    // Interleaved rounds: a busy moment of the machine hits every library alike.
    for (let r = 0; r < rounds; r++) {
      log(`Start-up, round ${r + 1} of ${rounds}…`);
      for (const name of ['blank', ...LIBRARIES]) startups[name].push(await startUp(browser, collectorUrl, urlOf(name), name));
    }
    const costs = {};
    for (const name of LIBRARIES) {
      log(`track() cost: ${name}…`);
      costs[name] = await trackCost(browser, collectorUrl, urlOf(name), name, { rounds });
    }

    // Segment loads more chunks at start than its first file: what its page fetched counts.
    const loadedAtStart = {};
    for (const name of LIBRARIES) {
      const names = new Set(startups[name].flatMap((s) => s.scripts));
      let total = { min: 0, gzip: 0, brotli: 0 };
      for (const url of names) {
        const pathname = new URL(url).pathname;
        let code;
        if (name.startsWith('trailmark') && /\/tag(-[\w-]+)?\.js$/.test(pathname)) code = Buffer.from(await (await fetch(url)).arrayBuffer());
        else if (name === 'segment' && pathname.startsWith('/analytics-next/bundles/')) code = await readFile(path.join(SEGMENT_DIST, path.basename(pathname)));
        else if (files.has(pathname)) code = files.get(pathname);
        if (!code) continue;
        if (name === 'segment' && pathname.startsWith('/analytics-next/bundles/')) {
          fileSizes.segment.push({ file: path.basename(pathname), role: 'at start', ...sizesOf(code) });
        }
        const s = sizesOf(code);
        total = { min: total.min + s.min, gzip: total.gzip + s.gzip, brotli: total.brotli + s.brotli };
      }
      loadedAtStart[name] = { files: [...names].map((u) => new URL(u).pathname), ...total };
    }

    const blank = startups.blank;
    const results = {
      environment: { chromium: browser.version(), cpus: cpus().length, rounds, note: 'wall-clock medians on this machine; compare the columns, not machines' },
      sizes: fileSizes,
      loadedAtStart,
      runtime: Object.fromEntries(
        LIBRARIES.map((name) => {
          const runs = startups[name];
          return [
            name,
            {
              trackUs: round(costs[name].syncUs, 2),
              trackAllWorkUs: round(costs[name].allWorkUs, 2),
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

/** The results as a table, one column per library. */
export function formatTagResults(results) {
  const cols = LIBRARIES;
  const widths = [42, ...cols.map(() => 19)];
  const row = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('');
  const initial = (name) => results.sizes[name].filter((f) => f.role === 'initial');
  const sum = (files, key) => files.reduce((n, f) => n + f[key], 0);
  const lazy = results.sizes.trailmark.filter((f) => f.role === 'lazy');
  const rt = results.runtime;
  const longTaskText = (name) => `${rt[name].longTasks.filter((l) => l.length).length}/${rt[name].longTasks.length} rounds`;
  const lines = [
    `Tag benchmark — Chromium ${results.environment.chromium}, ${results.environment.cpus} CPUs, medians of ${results.environment.rounds} rounds (wall clock: compare columns, not machines)`,
    row(['', ...cols]),
    row(['initial file, min / gzip / brotli (B)', ...cols.map((n) => `${sum(initial(n), 'min')}/${sum(initial(n), 'gzip')}/${sum(initial(n), 'brotli')}`)]),
    row(['loaded at start, min / gzip (B)', ...cols.map((n) => `${results.loadedAtStart[n].min}/${results.loadedAtStart[n].gzip}`)]),
    row(['track(), µs per call (synchronous)', ...cols.map((n) => rt[n].trackUs)]),
    row(['track(), µs per call (all work it causes)', ...cols.map((n) => rt[n].trackAllWorkUs)]),
    row(['start-up main-thread time, ms', ...cols.map((n) => rt[n].startupTaskMs)]),
    row(['rounds with a long task at start', ...cols.map(longTaskText)]),
    '',
    'Trailmark lazy chunks, min / gzip / brotli (B):',
    ...lazy.map((f) => `  ${f.file.padEnd(34)}${f.min}/${f.gzip}/${f.brotli}`),
    `Segment files loaded at start: ${results.loadedAtStart.segment.files.join(', ')}`,
    `The page without any library had a long task in ${rt.trailmark.baselineLongTasks.filter((l) => l.length).length}/${rt.trailmark.baselineLongTasks.length} rounds.`,
  ];
  return lines.join('\n');
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
