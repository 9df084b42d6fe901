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
 */
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gunzipSync, gzipSync } from 'node:zlib';
import { chunkVersionIn, LAZY_CHUNKS } from '../sdk/build/chunks.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NODE_MODULES = path.join(ROOT, 'node_modules');
const WRITE_KEY = 'demo-write-key';
const SEGMENT_DIST = path.join(NODE_MODULES, '@segment', 'analytics-next', 'dist', 'umd');
const POSTHOG_DIST = path.join(NODE_MODULES, 'posthog-js', 'dist');
const AMPLITUDE_SCRIPTS = path.join(NODE_MODULES, '@amplitude', 'analytics-browser', 'lib', 'scripts');
const MIXPANEL_DIST = path.join(NODE_MODULES, 'mixpanel-browser', 'dist');
/** `trailmark-lean`: the tag without web vitals, which the peers do not collect as configured here. */
const LIBRARIES = ['trailmark', 'trailmark-lean', 'segment', 'rudderstack', 'snowplow', 'posthog', 'amplitude', 'mixpanel', 'plausible'];
/** The npm package of each peer (its version is printed with the results). */
const PACKAGES = {
  segment: '@segment/analytics-next',
  rudderstack: '@rudderstack/analytics-js',
  snowplow: '@snowplow/browser-tracker',
  posthog: 'posthog-js',
  amplitude: '@amplitude/analytics-browser',
  mixpanel: 'mixpanel-browser',
  plausible: 'plausible-tracker',
};
/** A user agent that does not say "Headless", as in the browser tests. */
const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/147.0.0.0 Safari/537.36';
/** In every tracked event and in no page view: the events that reach the collector are counted by it. */
const MARKER = 'SKU-1';

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

/** What a site's build makes of each ES-module peer: the entry below, bundled and minified by esbuild. */
const SITE_BUNDLES = {
  // The bundled build (every plugin compiled in): the default build fetches its plugins from RudderStack's CDN.
  rudderstack: "import { RudderAnalytics } from '@rudderstack/analytics-js/bundled'; window.RudderAnalytics = RudderAnalytics;",
  snowplow:
    "import { newTracker, trackPageView, trackSelfDescribingEvent } from '@snowplow/browser-tracker'; window.snowplow = { newTracker, trackPageView, trackSelfDescribingEvent };",
  plausible: "import Plausible from 'plausible-tracker'; window.Plausible = Plausible;",
};

async function buildForSite(contents) {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    stdin: { contents, resolveDir: ROOT },
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    platform: 'browser',
    define: { 'process.env.NODE_ENV': '"production"' },
    write: false,
    logLevel: 'silent',
  });
  return Buffer.from(result.outputFiles[0].contents);
}

/** The first file of each peer, as its page asks the site server for it. */
const INITIAL = {
  segment: { path: '/segment/analytics.min.js', file: 'analytics.min.js (standalone.js)' },
  rudderstack: { path: '/rudderstack/rsa.min.js', file: 'rsa.min.js (/bundled, esbuild)' },
  snowplow: { path: '/snowplow/sp.min.js', file: 'sp.min.js (esbuild)' },
  posthog: { path: '/posthog/static/array.js', file: 'array.js (dist/array.js)' },
  amplitude: { path: '/amplitude/analytics-browser-min.js', file: 'analytics-browser-min.js (lib/scripts/amplitude-min.js)' },
  mixpanel: { path: '/mixpanel/mixpanel-2-latest.min.js', file: 'mixpanel-2-latest.min.js (dist/mixpanel.min.js)' },
  plausible: { path: '/plausible/plausible.min.js', file: 'plausible.min.js (esbuild)' },
};
/** Further files a peer may fetch from its own CDN, served here from its npm package. */
const PEER_DIRS = {
  '/analytics-next/bundles/': { library: 'segment', dir: SEGMENT_DIST },
  '/posthog/static/': { library: 'posthog', dir: POSTHOG_DIST },
};
const peerDirOf = (pathname) => Object.entries(PEER_DIRS).find(([prefix]) => pathname.startsWith(prefix))?.[1];

/** Every peer file the pages load, by path on the site server. */
async function peerFiles() {
  const built = Object.fromEntries(await Promise.all(Object.entries(SITE_BUNDLES).map(async ([name, entry]) => [name, await buildForSite(entry)])));
  return new Map([
    [INITIAL.segment.path, await readFile(path.join(SEGMENT_DIST, 'standalone.js'))],
    [INITIAL.rudderstack.path, built.rudderstack],
    [INITIAL.snowplow.path, built.snowplow],
    [INITIAL.posthog.path, await readFile(path.join(POSTHOG_DIST, 'array.js'))],
    [INITIAL.amplitude.path, await readFile(path.join(AMPLITUDE_SCRIPTS, 'amplitude-min.js'))],
    [INITIAL.mixpanel.path, await readFile(path.join(MIXPANEL_DIST, 'mixpanel.min.js'))],
    [INITIAL.plausible.path, built.plausible],
  ]);
}

/** The snippets Amplitude and Mixpanel ship in their packages, pointed at this site instead of their CDNs. */
async function snippets(origin, files) {
  const amplitudeSnippet = await readFile(path.join(AMPLITUDE_SCRIPTS, 'amplitude-snippet-min.js'), 'utf8');
  const cdn = /https:\/\/cdn\.amplitude\.com\/libs\/analytics-browser-[\w.-]+?-min\.js(\.gz)?/;
  const integrity = /sha384-[\w+/=]+/;
  if (!cdn.test(amplitudeSnippet) || !integrity.test(amplitudeSnippet)) throw new Error("Amplitude's snippet no longer names its CDN file and its hash");
  // The snippet's integrity hash is that of the CDN file: it is kept, computed from the file served.
  const hash = `sha384-${createHash('sha384').update(files.get(INITIAL.amplitude.path)).digest('base64')}`;
  return {
    amplitude: amplitudeSnippet.replace(cdn, `${origin}${INITIAL.amplitude.path}`).replace(integrity, hash),
    amplitudeHashMatches: amplitudeSnippet.includes(hash),
    mixpanel: await readFile(path.join(MIXPANEL_DIST, 'mixpanel-jslib-snippet.min.js'), 'utf8'),
  };
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
    const peerDir = peerDirOf(url.pathname);
    if (peerDir) {
      try {
        const body = await readFile(path.join(peerDir.dir, path.basename(url.pathname)));
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
function pages(collectorUrl, origin, snippet) {
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
</script><script async src="${origin}${INITIAL.rudderstack.path}" onload="startRudderStack()"></script>`),
    snowplow: page(`<script>
function startSnowplow() {
  snowplow.newTracker("sp", "${collectorUrl}", { appId: "shop", eventMethod: "post" });
  snowplow.trackPageView();
  window.snowplowReady = true;
}
</script><script async src="${origin}${INITIAL.snowplow.path}" onload="startSnowplow()"></script>`),
    // PostHog's snippet, with array.js from this site instead of PostHog's assets host (api_host + /static/array.js).
    posthog: page(`<script>
!function(t,e){var o,n,p,r;e.__SV||(window.posthog&&window.posthog.__loaded)||(window.posthog=e,e._i=[],e.init=function(i,s,a){function g(t,e){var o=e.split(".");2==o.length&&(t=t[o[0]],e=o[1]),t[e]=function(){t.push([e].concat(Array.prototype.slice.call(arguments,0)))}}(p=t.createElement("script")).type="text/javascript",p.crossOrigin="anonymous",p.async=!0,p.src="${origin}${INITIAL.posthog.path}",(r=t.getElementsByTagName("script")[0]).parentNode.insertBefore(p,r);var u=e;for(void 0!==a?u=e[a]=[]:a="posthog",u.people=u.people||[],u.toString=function(t){var e="posthog";return"posthog"!==a&&(e+="."+a),t||(e+=" (stub)"),e},u.people.toString=function(){return u.toString(1)+".people (stub)"},o="init capture register register_once register_for_session unregister unregister_for_session getFeatureFlag getFeatureFlagPayload isFeatureEnabled reloadFeatureFlags updateEarlyAccessFeatureEnrollment getEarlyAccessFeatures on onFeatureFlags onSurveysLoaded onSessionId getSurveys getActiveMatchingSurveys renderSurvey canRenderSurvey canRenderSurveyAsync identify setPersonProperties group resetGroups setPersonPropertiesForFlags resetPersonPropertiesForFlags setGroupPropertiesForFlags resetGroupPropertiesForFlags reset get_distinct_id getGroups get_session_id get_session_replay_url alias set_config startSessionRecording stopSessionRecording sessionRecordingStarted captureException loadToolbar get_property getSessionProperty createPersonProfile opt_in_capturing opt_out_capturing has_opted_in_capturing has_opted_out_capturing clear_opt_in_out_capturing debug getPageViewId captureTraceFeedback captureTraceMetric".split(" "),n=0;n<o.length;n++)g(u,o[n]);e._i.push([i,s,a])},e.__SV=1)}(document,window.posthog||[]);
posthog.init("${WRITE_KEY}", {
  api_host: "${collectorUrl}", person_profiles: "identified_only", capture_pageview: true,
  advanced_disable_flags: true, opt_out_useragent_filter: true, autocapture: false, rageclick: false, capture_dead_clicks: false,
  disable_session_recording: true, disable_surveys: true, disable_product_tours: true,
  disable_web_experiments: true, disable_conversations: true,
  rate_limiting: { events_per_second: 1000, events_burst_limit: 1000 },
  loaded: function () { window.posthogReady = true; }
});
</script>`),
    amplitude: page(`<script>
${snippet.amplitude}
amplitude.init("${WRITE_KEY}", {
  serverUrl: "${collectorUrl}/2/httpapi", fetchRemoteConfig: false,
  autocapture: { elementInteractions: false, formInteractions: false, fileDownloads: false }
}).promise.then(function () { window.amplitudeReady = true; });
</script>`),
    mixpanel: page(`<script>
var MIXPANEL_CUSTOM_LIB_URL = "${origin}${INITIAL.mixpanel.path}";
${snippet.mixpanel}
mixpanel.init("${WRITE_KEY}", { api_host: "${collectorUrl}", track_pageview: true, loaded: function () { window.mixpanelReady = true; } });
</script>`),
    plausible: page(`<script>
function startPlausible() {
  var plausible = Plausible({ domain: "shop.example", apiHost: "${collectorUrl}", trackLocalhost: true });
  plausible.trackPageview();
  window.plausible = plausible;
}
</script><script async src="${origin}${INITIAL.plausible.path}" onload="startPlausible()"></script>`),
  };
}

/** When each library is ready to take calls, and how to call track() on it. */
const trailmarkReady = () => typeof window.trailmark?.anonymousId === 'function' && !!window.trailmark.anonymousId();
const READY = {
  trailmark: trailmarkReady,
  'trailmark-lean': trailmarkReady,
  segment: () => window.analytics?.initialized === true,
  rudderstack: () => window.rudderReady === true,
  snowplow: () => window.snowplowReady === true,
  posthog: () => window.posthogReady === true,
  amplitude: () => window.amplitudeReady === true,
  mixpanel: () => window.mixpanelReady === true,
  plausible: () => typeof window.plausible?.trackEvent === 'function',
};
const TRACK = {
  trailmark: 'window.trailmark.track',
  'trailmark-lean': 'window.trailmark.track',
  segment: 'window.analytics.track.bind(window.analytics)',
  rudderstack: 'window.rudderanalytics.track.bind(window.rudderanalytics)',
  // Snowplow names a custom event by its schema.
  snowplow: "(name, properties) => window.snowplow.trackSelfDescribingEvent({ event: { schema: 'iglu:com.example.shop/product_viewed/jsonschema/1-0-0', data: properties } })",
  posthog: 'window.posthog.capture.bind(window.posthog)',
  amplitude: 'window.amplitude.track.bind(window.amplitude)',
  mixpanel: 'window.mixpanel.track.bind(window.mixpanel)',
  plausible: '(name, properties) => window.plausible.trackEvent(name, { props: properties })',
};

/**
 * The event paths of the libraries (others, such as the settings and the tag, are not intercepted):
 * Trailmark, Segment and RudderStack under /v1/; Snowplow's tp2; PostHog's /e/ and /i/v0/e/ (and
 * /batch/); Amplitude's /2/httpapi (its serverUrl here); Mixpanel's /track/, /engage/, /groups/;
 * Plausible's /api/event.
 */
const EVENT_PATHS =
  /\/v1\/(batch|b|t|p|i|a|g|s|m|track|page|identify|alias|group|screen)$|\/(com\.snowplowanalytics\.snowplow\/tp2|e|i\/v0\/e|batch|2\/httpapi|track|engage|groups|api\/event)\/?$/;

/** The text of an event request, whatever its encoding: gzip, form fields, base64. */
function eventText(url, body) {
  let bytes = body ?? Buffer.alloc(0);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch {}
  }
  const parts = [bytes.toString('utf8'), ...new URL(url).searchParams.values()];
  if (/^[\w.-]+=/.test(parts[0])) parts.push(...new URLSearchParams(parts[0]).values());
  for (const part of [...parts]) {
    if (part.length >= 16 && /^[\w+/=-]+$/.test(part)) parts.push(Buffer.from(part, 'base64').toString('utf8'));
    // A JSON string inside JSON (Snowplow's ue_pr, Plausible's props) keeps the marker as it is.
  }
  return parts.join('\n');
}

/**
 * Answers event requests in the browser (CORS included), so the collector's speed is no part of the
 * costs, and counts them: requests, and the tracked events they carry (MARKER).
 */
async function answerEvents(context, collectorUrl) {
  const tally = { requests: 0, events: 0 };
  await context.route((url) => url.href.startsWith(collectorUrl) && EVENT_PATHS.test(url.pathname), async (route) => {
    const request = route.request();
    const origin = (await request.allHeaders()).origin ?? '*';
    const cors = {
      'access-control-allow-origin': origin,
      'access-control-allow-credentials': 'true',
      'access-control-allow-headers': (await request.headerValue('access-control-request-headers')) ?? '*',
      'access-control-allow-methods': 'POST, GET, OPTIONS',
      'access-control-max-age': '600',
    };
    if (request.method() === 'OPTIONS') return route.fulfill({ status: 204, headers: cors });
    tally.requests++;
    tally.events += eventText(request.url(), request.postDataBuffer()).split(MARKER).length - 1;
    return route.fulfill({ status: 200, headers: cors, contentType: 'application/json', body: '{"ok":true,"accepted":1,"rejected":[],"status":1,"code":200}' });
  });
  return tally;
}

/** Uncaught exceptions and unhandled rejections of a page: any of them fails the library's measurement. */
function watchErrors(tab, library) {
  const errors = [];
  tab.on('pageerror', (error) => errors.push(error.message));
  return () => {
    if (errors.length) throw new Error(`${library}: exception in the page: ${errors.slice(0, 3).join(' | ')}`);
  };
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
  const checkErrors = watchErrors(tab, library);
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
  checkErrors();
  return { taskMs: m.TaskDuration * 1000, ...observed };
}

/** Waits (in Node: nothing runs in the page) until `done()`, or fails after `timeout` ms with `message()`. */
async function until(done, timeout, message) {
  const deadline = Date.now() + timeout;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(message());
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * track() cost once the library is ready, in rounds of `calls` calls (a busy page's worth of
 * events; each round starts once the previous one has been sent — every event counted at the
 * collector — and the page has had at least 2 s, as events arrive in real pages): the synchronous
 * call, timed with performance.now in the page (median of the rounds), and all the main-thread work
 * the calls cause until the page is quiet again (batching, serialising, storing, sending), per call,
 * after taking off what the same page does over the same time without calls.
 */
async function trackCost(browser, collectorUrl, url, library, { calls = 100, rounds = 5 } = {}) {
  const context = await browser.newContext({ userAgent: USER_AGENT });
  const tally = await answerEvents(context, collectorUrl);
  const tab = await context.newPage();
  const checkErrors = watchErrors(tab, library);
  const cdp = await context.newCDPSession(tab);
  await cdp.send('Performance.enable');
  await tab.goto(url);
  await tab.waitForFunction(READY[library], undefined, { timeout: 30_000 });
  await tab.waitForLoadState('load');
  // The page view has been sent to the collector's URL (some libraries send on a timer).
  await until(() => tally.requests > 0, 15_000, () => `${library} sent no page view to the collector within 15 s`);
  await tab.waitForTimeout(1000);
  const taskMs = async () => (await cdp.send('Performance.getMetrics')).metrics.find((x) => x.name === 'TaskDuration').value * 1000;
  const burst = () =>
    tab.evaluate(
      ({ calls, track, marker }) => {
        const call = (0, eval)(track);
        const product = { product_id: marker, name: 'Trail tent', price: 129, currency: 'EUR', category: 'Tents' };
        const start = performance.now();
        for (let i = 0; i < calls; i++) call('Product Viewed', { ...product, i });
        return ((performance.now() - start) * 1000) / calls;
      },
      { calls, track: TRACK[library], marker: MARKER },
    );
  const pause = 2000;
  const sent = async (expected, burstStart) => {
    await until(() => tally.events >= expected, 20_000, () => `${library}: ${tally.events} of ${expected} tracked events reached the collector within 20 s`);
    await tab.waitForTimeout(Math.max(pause - (Date.now() - burstStart), 250));
  };
  let expected = calls;
  let burstStart = Date.now();
  await burst(); // warm up
  await sent(expected, burstStart);

  const idleStart = await taskMs();
  await tab.waitForTimeout(pause);
  const idlePerMs = ((await taskMs()) - idleStart) / pause;

  const perCall = [];
  const start = await taskMs();
  const wallStart = Date.now();
  for (let r = 0; r < rounds; r++) {
    expected += calls;
    burstStart = Date.now();
    perCall.push(await burst());
    await sent(expected, burstStart);
  }
  const work = (await taskMs()) - start - idlePerMs * (Date.now() - wallStart);
  await context.close();
  checkErrors();
  return { syncUs: median(perCall), allWorkUs: (work * 1000) / (calls * rounds), eventsCounted: tally.events, eventsTracked: expected };
}

/** Sizes of the first file of each library (and of Trailmark's lazy chunks). */
async function sizes(collectorUrl, files) {
  const fetchText = async (url) => {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  };
  const tag = await fetchText(`${collectorUrl}/tag.js`);
  const version = chunkVersionIn(tag.toString());
  const chunks = Object.keys(LAZY_CHUNKS).map((name) => `tag-${name}-${version}.js`);
  const trailmark = [{ file: 'tag.js', role: 'initial', ...sizesOf(tag) }];
  for (const chunk of chunks) trailmark.push({ file: chunk, role: 'lazy', ...sizesOf(await fetchText(`${collectorUrl}/${chunk}`)) });
  return {
    trailmark,
    'trailmark-lean': trailmark.filter((f) => f.role === 'initial'),
    ...Object.fromEntries(Object.entries(INITIAL).map(([name, { path, file }]) => [name, [{ file, role: 'initial', ...sizesOf(files.get(path)) }]])),
  };
}

async function versions() {
  const entries = await Promise.all(
    Object.entries(PACKAGES).map(async ([name, pkg]) => [name, JSON.parse(await readFile(path.join(NODE_MODULES, pkg, 'package.json'), 'utf8')).version]),
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
  const snippet = await snippets(site.origin, files);
  for (const [name, html] of Object.entries(pages(collectorUrl, site.origin, snippet))) files.set(`/${name}.html`, html);
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
    const startups = Object.fromEntries(['blank', ...LIBRARIES].map((name) => [name, []]));
    // Interleaved rounds: a busy moment of the machine hits every library alike.
    for (let r = 0; r < rounds; r++) {
      log(`Start-up, round ${r + 1} of ${rounds}…`);
      for (const name of ['blank', ...LIBRARIES]) {
        const run = await attempt(name, () => startUp(browser, collectorUrl, urlOf(name), name));
        if (run) startups[name].push(run);
      }
    }
    const costs = {};
    for (const name of LIBRARIES) {
      if (failed[name]) continue;
      log(`track() cost: ${name}…`);
      costs[name] = await attempt(name, () => trackCost(browser, collectorUrl, urlOf(name), name, { rounds }));
    }

    // Some peers load more than their first file at start: what the page fetched counts.
    const loadedAtStart = {};
    for (const name of LIBRARIES) {
      const urls = new Set(startups[name].flatMap((s) => s.scripts));
      const counted = [];
      const uncounted = [];
      let total = { min: 0, gzip: 0, brotli: 0 };
      for (const url of urls) {
        const pathname = new URL(url).pathname;
        const peerDir = peerDirOf(pathname);
        let code;
        if (name.startsWith('trailmark') && /\/tag(-[\w-]+)?\.js$/.test(pathname)) code = Buffer.from(await (await fetch(url)).arrayBuffer());
        else if (files.has(pathname)) code = files.get(pathname);
        else if (peerDir?.library === name) code = await readFile(path.join(peerDir.dir, path.basename(pathname))).catch(() => undefined);
        if (!code) {
          uncounted.push(url);
          continue;
        }
        if (!name.startsWith('trailmark') && pathname !== INITIAL[name].path) fileSizes[name].push({ file: path.basename(pathname), role: 'at start', ...sizesOf(code) });
        counted.push(pathname);
        const s = sizesOf(code);
        total = { min: total.min + s.min, gzip: total.gzip + s.gzip, brotli: total.brotli + s.brotli };
      }
      if (!counted.length) {
        // A peer that never started: its first file is what a site loads at the least.
        const initial = fileSizes[name].filter((f) => f.role === 'initial');
        total = { min: initial.reduce((n, f) => n + f.min, 0), gzip: initial.reduce((n, f) => n + f.gzip, 0), brotli: initial.reduce((n, f) => n + f.brotli, 0) };
        counted.push(...(INITIAL[name] ? [INITIAL[name].path] : ['tag.js']));
      }
      loadedAtStart[name] = { files: counted, ...total, ...(uncounted.length ? { uncounted } : {}) };
    }

    const blank = startups.blank;
    const results = {
      environment: {
        chromium: browser.version(),
        cpus: cpus().length,
        rounds,
        versions: await versions(),
        amplitudeSnippetHashMatches: snippet.amplitudeHashMatches,
        note: 'wall-clock medians on this machine; compare the columns, not machines',
      },
      sizes: fileSizes,
      loadedAtStart,
      runtime: Object.fromEntries(
        LIBRARIES.map((name) => {
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

/**
 * The results as a table: one row per library (what it loads at start, track() per call, start-up
 * main-thread time, long tasks), then one row per Trailmark lazy chunk (sizes only), then notes.
 */
export function formatTagResults(results) {
  const rt = results.runtime;
  const env = results.environment;
  const header = ['', 'min B', 'gzip B', 'brotli B', 'track µs', 'all work µs', 'start-up ms', 'long tasks'];
  const widths = [42, 9, 9, 9, 10, 13, 13, 12];
  const row = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c ?? '').padStart(widths[i]))).join('').trimEnd();
  const num = (n) => (Math.abs(n) >= 100 ? String(Math.round(n)) : n.toFixed(1));
  const notMeasured = Object.entries(rt).filter(([, r]) => r.error);
  const mark = (name) => `n/a[${notMeasured.findIndex(([n]) => n === name) + 1}]`;
  const withLongTask = (runs) => `${runs.filter((l) => l.length).length}/${runs.length}`;
  const libraryRows = LIBRARIES.filter((name) => results.loadedAtStart[name]).map((name) => {
    const s = results.loadedAtStart[name];
    const r = rt[name];
    const label = PACKAGES[name] ? `${name} ${env.versions?.[name] ?? ''}`.trim() : name;
    if (r.error) return row([label, s.min, s.gzip, s.brotli, mark(name), mark(name), mark(name), mark(name)]);
    return row([label, s.min, s.gzip, s.brotli, num(r.trackUs), num(r.trackAllWorkUs), num(r.startupTaskMs), withLongTask(r.longTasks)]);
  });
  const lazy = results.sizes.trailmark.filter((f) => f.role === 'lazy');
  const baseline = Object.values(rt).find((r) => r.baselineLongTasks)?.baselineLongTasks ?? [];
  const extraFiles = LIBRARIES.filter((name) => !name.startsWith('trailmark') && results.loadedAtStart[name].files.length > 1);
  const uncounted = LIBRARIES.filter((name) => results.loadedAtStart[name].uncounted);
  const resent = LIBRARIES.filter((name) => rt[name].eventsCounted > rt[name].eventsTracked);
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
    ...notMeasured.map(([name, r], i) => `[${i + 1}] ${name}: cost not measured (its sizes are what it loaded at start, or its first file if it never started): ${r.error}`),
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
