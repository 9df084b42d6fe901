/**
 * The libraries the tag benchmark loads, one descriptor each, in the order
 * the results list them: its npm package, the first file a site serves for
 * it (and how that file is made from the package), any further files it
 * fetches from its CDN at start, the page head that installs it the way its
 * documentation says (pointed at the local collector), when it is ready to
 * take calls, and how to call track() on it. Why each peer is loaded the way
 * it is: bench/tag.mjs.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const NODE_MODULES = path.join(ROOT, 'node_modules');
export const WRITE_KEY = 'demo-write-key';
const SEGMENT_DIST = path.join(NODE_MODULES, '@segment', 'analytics-next', 'dist', 'umd');
const POSTHOG_DIST = path.join(NODE_MODULES, 'posthog-js', 'dist');
const AMPLITUDE_SCRIPTS = path.join(NODE_MODULES, '@amplitude', 'analytics-browser', 'lib', 'scripts');
const MIXPANEL_DIST = path.join(NODE_MODULES, 'mixpanel-browser', 'dist');

/** What a site's build makes of an ES-module peer: `entry` bundled and minified by esbuild. */
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

/**
 * @typedef {object} Library
 * @property {string} name
 * @property {string} [package] the npm package of a peer (its version is printed with the results)
 * @property {{ path: string, file: string, code: () => Promise<Buffer> }} [initial]
 *   a peer's first file: where its page asks the site server for it, what it is, how it is made
 * @property {{ prefix: string, dir: string }} [cdnDir] further files it fetches from its CDN, served here from its package
 * @property {(site: { origin: string, initialPath: string, initial: Buffer }) => Promise<{ html: string, hashMatches?: boolean }>} [snippet]
 *   the install snippet its package ships, pointed at this site
 * @property {(p: { collectorUrl: string, origin: string, initialPath?: string, snippet?: string }) => string} head
 *   its install on the page, plus one page view
 * @property {() => boolean} ready run in the page: whether it takes calls
 * @property {string} track an expression, evaluated in the page, for its track(name, properties)
 */

const trailmarkReady = () => typeof window.trailmark?.anonymousId === 'function' && !!window.trailmark.anonymousId();

/** @type {Library[]} */
export const LIBRARIES = [
  {
    name: 'trailmark',
    head: ({ collectorUrl }) => `<script async src="${collectorUrl}/tag.js" data-write-key="${WRITE_KEY}"></script>`,
    ready: trailmarkReady,
    track: 'window.trailmark.track',
  },
  {
    // The tag without web vitals, which the peers do not collect as configured here.
    name: 'trailmark-lean',
    head: ({ collectorUrl }) => `<script async src="${collectorUrl}/tag.js" data-write-key="${WRITE_KEY}" data-web-vitals="false"></script>`,
    ready: trailmarkReady,
    track: 'window.trailmark.track',
  },
  {
    name: 'segment',
    package: '@segment/analytics-next',
    initial: { path: '/segment/analytics.min.js', file: 'analytics.min.js (standalone.js)', code: () => readFile(path.join(SEGMENT_DIST, 'standalone.js')) },
    cdnDir: { prefix: '/analytics-next/bundles/', dir: SEGMENT_DIST },
    // Segment's snippet (v5), with the script and settings served from `_cdn` instead of cdn.segment.com.
    head: ({ origin }) => `<script>
!function(){var i="analytics",analytics=window[i]=window[i]||[];if(!analytics.initialize)if(analytics.invoked)return;else{analytics.invoked=!0;
analytics.methods=["trackSubmit","trackClick","trackLink","trackForm","pageview","identify","reset","group","track","ready","alias","debug","page","screen","once","off","on","addSourceMiddleware","addIntegrationMiddleware","setAnonymousId","addDestinationMiddleware","register"];
analytics.factory=function(e){return function(){if(window[i].initialized)return window[i][e].apply(window[i],arguments);var n=Array.prototype.slice.call(arguments);
if(["track","screen","alias","group","page","identify"].indexOf(e)>-1){var c=document.querySelector("link[rel='canonical']");n.push({__t:"bpc",c:c&&c.getAttribute("href")||void 0,p:location.pathname,u:location.href,s:location.search,t:document.title,r:document.referrer})}
n.unshift(e);analytics.push(n);return analytics}};for(var n=0;n<analytics.methods.length;n++){var key=analytics.methods[n];analytics[key]=analytics.factory(key)}
analytics.load=function(key,n){var t=document.createElement("script");t.type="text/javascript";t.async=!0;t.setAttribute("data-global-segment-analytics-key",i);
t.src="${origin}/segment/analytics.min.js";var r=document.getElementsByTagName("script")[0];r.parentNode.insertBefore(t,r);analytics._loadOptions=n};
analytics._writeKey="${WRITE_KEY}";analytics._cdn="${origin}";analytics.SNIPPET_VERSION="5.2.0";analytics.load("${WRITE_KEY}");analytics.page()}}();
</script>`,
    ready: () => window.analytics?.initialized === true,
    track: 'window.analytics.track.bind(window.analytics)',
  },
  {
    name: 'rudderstack',
    package: '@rudderstack/analytics-js',
    // The bundled build (every plugin compiled in): the default build fetches its plugins from RudderStack's CDN.
    initial: {
      path: '/rudderstack/rsa.min.js',
      file: 'rsa.min.js (/bundled, esbuild)',
      code: () => buildForSite("import { RudderAnalytics } from '@rudderstack/analytics-js/bundled'; window.RudderAnalytics = RudderAnalytics;"),
    },
    head: ({ collectorUrl, origin, initialPath }) => `<script>
function startRudderStack() {
  var ra = new RudderAnalytics();
  window.rudderanalytics = ra;
  ra.load("${WRITE_KEY}", "${collectorUrl}", { configUrl: "${collectorUrl}" });
  ra.ready(function () { window.rudderReady = true; });
  ra.page();
}
</script><script async src="${origin}${initialPath}" onload="startRudderStack()"></script>`,
    ready: () => window.rudderReady === true,
    track: 'window.rudderanalytics.track.bind(window.rudderanalytics)',
  },
  {
    name: 'snowplow',
    package: '@snowplow/browser-tracker',
    initial: {
      path: '/snowplow/sp.min.js',
      file: 'sp.min.js (esbuild)',
      code: () =>
        buildForSite(
          "import { newTracker, trackPageView, trackSelfDescribingEvent } from '@snowplow/browser-tracker'; window.snowplow = { newTracker, trackPageView, trackSelfDescribingEvent };",
        ),
    },
    head: ({ collectorUrl, origin, initialPath }) => `<script>
function startSnowplow() {
  snowplow.newTracker("sp", "${collectorUrl}", { appId: "shop", eventMethod: "post" });
  snowplow.trackPageView();
  window.snowplowReady = true;
}
</script><script async src="${origin}${initialPath}" onload="startSnowplow()"></script>`,
    ready: () => window.snowplowReady === true,
    // Snowplow names a custom event by its schema.
    track:
      "(name, properties) => window.snowplow.trackSelfDescribingEvent({ event: { schema: 'iglu:com.example.shop/product_viewed/jsonschema/1-0-0', data: properties } })",
  },
  {
    name: 'posthog',
    package: 'posthog-js',
    initial: { path: '/posthog/static/array.js', file: 'array.js (dist/array.js)', code: () => readFile(path.join(POSTHOG_DIST, 'array.js')) },
    cdnDir: { prefix: '/posthog/static/', dir: POSTHOG_DIST },
    // PostHog's snippet, with array.js from this site instead of PostHog's assets host (api_host + /static/array.js).
    head: ({ collectorUrl, origin, initialPath }) => `<script>
!function(t,e){var o,n,p,r;e.__SV||(window.posthog&&window.posthog.__loaded)||(window.posthog=e,e._i=[],e.init=function(i,s,a){function g(t,e){var o=e.split(".");2==o.length&&(t=t[o[0]],e=o[1]),t[e]=function(){t.push([e].concat(Array.prototype.slice.call(arguments,0)))}}(p=t.createElement("script")).type="text/javascript",p.crossOrigin="anonymous",p.async=!0,p.src="${origin}${initialPath}",(r=t.getElementsByTagName("script")[0]).parentNode.insertBefore(p,r);var u=e;for(void 0!==a?u=e[a]=[]:a="posthog",u.people=u.people||[],u.toString=function(t){var e="posthog";return"posthog"!==a&&(e+="."+a),t||(e+=" (stub)"),e},u.people.toString=function(){return u.toString(1)+".people (stub)"},o="init capture register register_once register_for_session unregister unregister_for_session getFeatureFlag getFeatureFlagPayload isFeatureEnabled reloadFeatureFlags updateEarlyAccessFeatureEnrollment getEarlyAccessFeatures on onFeatureFlags onSurveysLoaded onSessionId getSurveys getActiveMatchingSurveys renderSurvey canRenderSurvey canRenderSurveyAsync identify setPersonProperties group resetGroups setPersonPropertiesForFlags resetPersonPropertiesForFlags setGroupPropertiesForFlags resetGroupPropertiesForFlags reset get_distinct_id getGroups get_session_id get_session_replay_url alias set_config startSessionRecording stopSessionRecording sessionRecordingStarted captureException loadToolbar get_property getSessionProperty createPersonProfile opt_in_capturing opt_out_capturing has_opted_in_capturing has_opted_out_capturing clear_opt_in_out_capturing debug getPageViewId captureTraceFeedback captureTraceMetric".split(" "),n=0;n<o.length;n++)g(u,o[n]);e._i.push([i,s,a])},e.__SV=1)}(document,window.posthog||[]);
posthog.init("${WRITE_KEY}", {
  api_host: "${collectorUrl}", person_profiles: "identified_only", capture_pageview: true,
  advanced_disable_flags: true, opt_out_useragent_filter: true, autocapture: false, rageclick: false, capture_dead_clicks: false,
  disable_session_recording: true, disable_surveys: true, disable_product_tours: true,
  disable_web_experiments: true, disable_conversations: true,
  rate_limiting: { events_per_second: 1000, events_burst_limit: 1000 },
  loaded: function () { window.posthogReady = true; }
});
</script>`,
    ready: () => window.posthogReady === true,
    track: 'window.posthog.capture.bind(window.posthog)',
  },
  {
    name: 'amplitude',
    package: '@amplitude/analytics-browser',
    initial: {
      path: '/amplitude/analytics-browser-min.js',
      file: 'analytics-browser-min.js (lib/scripts/amplitude-min.js)',
      code: () => readFile(path.join(AMPLITUDE_SCRIPTS, 'amplitude-min.js')),
    },
    snippet: async ({ origin, initialPath, initial }) => {
      const amplitudeSnippet = await readFile(path.join(AMPLITUDE_SCRIPTS, 'amplitude-snippet-min.js'), 'utf8');
      const cdn = /https:\/\/cdn\.amplitude\.com\/libs\/analytics-browser-[\w.-]+?-min\.js(\.gz)?/;
      const integrity = /sha384-[\w+/=]+/;
      if (!cdn.test(amplitudeSnippet) || !integrity.test(amplitudeSnippet)) throw new Error("Amplitude's snippet no longer names its CDN file and its hash");
      // The snippet's integrity hash is that of the CDN file: it is kept, computed from the file served.
      const hash = `sha384-${createHash('sha384').update(initial).digest('base64')}`;
      return {
        html: amplitudeSnippet.replace(cdn, `${origin}${initialPath}`).replace(integrity, hash),
        hashMatches: amplitudeSnippet.includes(hash),
      };
    },
    head: ({ collectorUrl, snippet }) => `<script>
${snippet}
amplitude.init("${WRITE_KEY}", {
  serverUrl: "${collectorUrl}/2/httpapi", fetchRemoteConfig: false,
  autocapture: { elementInteractions: false, formInteractions: false, fileDownloads: false }
}).promise.then(function () { window.amplitudeReady = true; });
</script>`,
    ready: () => window.amplitudeReady === true,
    track: 'window.amplitude.track.bind(window.amplitude)',
  },
  {
    name: 'mixpanel',
    package: 'mixpanel-browser',
    initial: {
      path: '/mixpanel/mixpanel-2-latest.min.js',
      file: 'mixpanel-2-latest.min.js (dist/mixpanel.min.js)',
      code: () => readFile(path.join(MIXPANEL_DIST, 'mixpanel.min.js')),
    },
    snippet: async () => ({ html: await readFile(path.join(MIXPANEL_DIST, 'mixpanel-jslib-snippet.min.js'), 'utf8') }),
    head: ({ collectorUrl, origin, initialPath, snippet }) => `<script>
var MIXPANEL_CUSTOM_LIB_URL = "${origin}${initialPath}";
${snippet}
mixpanel.init("${WRITE_KEY}", { api_host: "${collectorUrl}", track_pageview: true, loaded: function () { window.mixpanelReady = true; } });
</script>`,
    ready: () => window.mixpanelReady === true,
    track: 'window.mixpanel.track.bind(window.mixpanel)',
  },
  {
    name: 'plausible',
    package: 'plausible-tracker',
    initial: {
      path: '/plausible/plausible.min.js',
      file: 'plausible.min.js (esbuild)',
      code: () => buildForSite("import Plausible from 'plausible-tracker'; window.Plausible = Plausible;"),
    },
    head: ({ collectorUrl, origin, initialPath }) => `<script>
function startPlausible() {
  var plausible = Plausible({ domain: "shop.example", apiHost: "${collectorUrl}", trackLocalhost: true });
  plausible.trackPageview();
  window.plausible = plausible;
}
</script><script async src="${origin}${initialPath}" onload="startPlausible()"></script>`,
    ready: () => typeof window.plausible?.trackEvent === 'function',
    track: '(name, properties) => window.plausible.trackEvent(name, { props: properties })',
  },
];

/** The peers: every library but Trailmark, each with its package and first file. */
export const PEERS = LIBRARIES.filter((library) => library.package);

export const libraryNamed = (name) => LIBRARIES.find((library) => library.name === name);

/** The peer whose CDN files live under this path on the site server, with the package folder they come from. */
export function peerDirOf(pathname) {
  const peer = PEERS.find((p) => p.cdnDir && pathname.startsWith(p.cdnDir.prefix));
  return peer && { library: peer.name, dir: peer.cdnDir.dir };
}
