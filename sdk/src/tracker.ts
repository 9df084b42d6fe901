/**
 * The core: identity, session and consent, the messages of the Segment Spec
 * (one form per verb), and the features switched on by the options. Shared
 * by the script tag (tag.ts) and the npm package (index.ts); surface.ts and
 * analytics.ts turn the analytics.js argument forms into these calls.
 *
 * A call costs little: it stores a draft (the arguments, the time, the ids,
 * the page it happened on) and the JSON is written once, when the batch
 * leaves (transport.ts). Nothing is stored on the device and nothing is sent
 * before the site's settings are known (settings.ts) and consent allows it.
 */
import type { Message, PageContext, TagSettings } from '@trailmark/schema';
import type { ConsentStatus, Options, Properties, Tracker, TrackerOptions } from './types';
import { consentState, gpcEnabled, rememberConsent, rememberedConsent, type ConsentInputs } from './consent';
import { LIBRARY, pageContext, pageUrl } from './context';
import { forgetIdentity, loadIdentity, saveIdentity, type Identity } from './identity';
import { createSession } from './session';
import { createTransport } from './transport';
import type { Entry } from './lib/batchBySize';
import { writeStorage } from './lib/storage';
import { uuid } from './lib/uuid';
import { warn } from './lib/warn';

/** What the lazy chunks may use of the tracker. */
export interface Host {
  tracker: Tracker;
  /** The page view the document began with (first load, or restore from the back/forward cache). */
  pageViewId(): string | undefined;
  /** Whether storing on the device and sending are allowed (consent). */
  mayStore(): boolean;
  /** The page's URL (context.ts, pageUrl) when the tag started. */
  startUrl: string;
  /** The options, `apiHost` without a trailing slash. */
  options: TrackerOptions & { apiHost: string };
  /** The shop's origin, for the catalog's root-relative links (the site's settings, once the page chunk read them). */
  siteUrl?: string;
  /** Who the visitor is now (set by the page chunk). */
  identity?: Core['identity'];
  /** Clicks before the page chunk listened (it takes them over, for declarative attributes). */
  clicks?: Event[];
  /** Settles once the page chunk has started: the site's settings known, consent worked out, the visitor's ids usable. */
  started?: Promise<unknown>;
}

/** Optional features, loaded only on pages that use them. */
export interface Chunks {
  api: typeof import('./analytics');
  page: typeof import('./page');
  queue: typeof import('./queue');
  vitals: typeof import('./vitals');
  slots: typeof import('./slots');
  declarative: typeof import('./declarative');
  datalayer: typeof import('./datalayer');
}
export type ChunkLoader = <Name extends keyof Chunks>(name: Name) => Promise<Chunks[Name]>;

/**
 * The core's side of the API. Each verb of the Segment Spec is one call of
 * `record` with its own fields (analytics.ts works them out: traits merged,
 * the previous id, the arguments resolved); a page view has bookkeeping of
 * its own (the referrer of an app's next page, the page view web vitals
 * refer to, the scans of the page).
 */
export interface Core {
  record(type: Message['type'], fields: Draft['_fields'], options: Options): void;
  /** A page view: `fields` are its name, category and properties (the page's own fields are added); `restored` from the back/forward cache. */
  page(fields?: Draft['_fields'], options?: Options, restored?: boolean): void;
  /** The URL changed (a single-page app's navigation): the next message's page context is worked out again. */
  moved(): void;
  /** What is the same for every message of this browser, as JSON (context.ts): sent once per request. */
  device: string;
  /** Who the visitor is now (analytics.ts changes it, then calls `save`). */
  identity(): Identity;
  /** Writes the ids to the device, or one value (traits, group) under `key`, when consent allows. */
  save(key?: string, value?: unknown): void;
  /** On logout: a new anonymousId and session; the old id is retired. */
  reset(): void;
  /** The site's settings, as the page chunk read them (settings.ts): null when the collector refused the page. */
  settings(settings: TagSettings | null | undefined): void;
  /** The visitor's decision, or (`isDefault`) Google Consent Mode's default for the site. */
  consent(status: ConsentStatus, isDefault?: boolean): void;
  flush(): Promise<void>;
  /** Loads a lazy chunk, once (the API chunk's recommend() loads the slots chunk). */
  load: ChunkLoader;
  /** What the lazy chunks are handed, from the tracker's start. */
  host?: Host;
  /** Logs each delivery with `logger` (what `debug(true)` does: the API chunk passes the console's log), or stops. */
  debug(logger?: (...details: unknown[]) => void): void;
  /** Starts what needs the public tracker: data layer, page scans, page views, web vitals. */
  start(tracker: Tracker): void;
}

/** A recorded call: what its message is made of when it leaves (`_` names: the build shortens them). */
export interface Draft {
  _type: Message['type'];
  _fields: Partial<Message> & { event?: string; properties?: Properties };
  _time: number;
  _page: PageContext;
  _session: string;
  _anonymousId: string;
  _userId: string | undefined;
  _options: Options;
}

/** Messages held in memory while consent is pending, at most. */
const MAX_HELD = 500;

export function startTracker(options: TrackerOptions, loadChunk: ChunkLoader): Core {
  // One promise per chunk: callbacks on it run in the order they were added, so events mapped by a
  // chunk keep the order in which they happened (two import() calls may settle in either order).
  const chunks: Partial<Record<keyof Chunks, Promise<unknown>>> = {};
  // (A chunk that failed to load, offline, is asked for again next time.)
  const load: ChunkLoader = (name) =>
    (chunks[name] ||= loadChunk(name).catch((error) => {
      throw ((chunks[name] = undefined), error);
    })) as never;
  const { writeKey, cookieDomain } = options;
  const apiHost = (options.apiHost = (options.apiHost || location.origin).replace(/\/+$/, ''));
  const drop = options.requireConsent == 'drop';

  const inputs: ConsentInputs = {
    _gpc: gpcEnabled(),
    _decision: rememberedConsent(),
    // Unknown until the page chunk has started: the site's settings, a data layer's consent commands.
    _starting: 1,
  };
  let state = consentState(inputs);
  const mayStore = () => state == 'granted';
  let held: Draft[] | undefined = [];
  /** How many were held when consent was last granted: in "drop" mode, those before it are not sent. */
  let grantedAt: number | undefined;
  /** What `debug(true)` logs of each delivery. */
  let delivered: ((...details: unknown[]) => void) | undefined;
  let identity = loadIdentity();
  const session = createSession(mayStore);
  const transport = createTransport(
    `${apiHost}/v1/batch`,
    writeKey,
    +options.flushInterval! || 500,
    serialize,
    () => core.device,
    mayStore,
    () => load('queue'),
    (...details) => delivered?.(...details),
    // The collector refused the page (unknown key, foreign origin): nothing more is recorded or sent.
    () => (held = undefined),
  );
  let page = pageContext(document.referrer);
  let moved = false;
  /** The page chunk's scan of the page, once it is there (it scans as it starts). */
  let rescan: ((pageview?: boolean) => void) | undefined;
  let documentPageViewId: string | undefined;
  /** Orders the messages of one millisecond, whose keys sort by time (seven digits for this page's first nine million). */
  let sequence = 0;

  /** Keeps the page context current: after a URL change (the old URL becomes the referrer), or always for a page view (title). */
  function refreshPage(always?: boolean): void {
    const changed = moved && pageUrl() != page.url;
    moved = false;
    if (changed || always) {
      page = pageContext(changed ? page.url! : page.referrer!);
    }
  }

  /** Records a call: a draft now, its JSON when it leaves. */
  function record(type: Message['type'], fields: Draft['_fields'], callOptions: Options): Draft | undefined {
    if (!held || state == 'denied' || (state == 'pending' && drop && !inputs._starting)) return;
    const now = Date.now();
    if (moved) refreshPage();
    const draft: Draft = {
      _type: type,
      _fields: fields,
      _time: +new Date((callOptions.timestamp as string) || now) || now,
      _page: page,
      _session: session(now),
      _anonymousId: identity.anonymousId,
      _userId: identity.userId,
      _options: callOptions,
    };
    if (mayStore()) transport.send(draft);
    else if (held.length < MAX_HELD) held.push(draft);
    return draft;
  }

  /** The message of a draft, as JSON, under a key that sorts by time (the ids are fixed from here on). */
  function serialize(draft: Draft): Entry | undefined {
    const { _fields: fields, _options: o } = draft;
    const { context, timestamp: _t, anonymousId: _a, integrations, userId, messageId = uuid(), ...extra } = o;
    const message = {
      type: draft._type,
      messageId,
      anonymousId: draft._anonymousId,
      userId: userId || draft._userId,
      timestamp: new Date(draft._time).toISOString(),
      context: {
        library: LIBRARY,
        sessionId: draft._session,
        // A site that requires consent has its collector store only messages that say it was granted.
        consent: inputs._required ? { status: 'granted' } : undefined,
        ...extra,
        ...context,
        // As analytics.js: a page view's own page fields are its context's too.
        page: { ...draft._page, ...(context?.page as object) },
      },
      integrations,
      ...fields,
    };
    try {
      return [message.timestamp + (1e6 + sequence++) + messageId, JSON.stringify(message)];
    } catch (error) {
      warn(fields.event || draft._type, error);
    }
  }

  /** Re-evaluates consent after anything it depends on changed; acts on a change. */
  function update(): void {
    const before = state;
    state = consentState(inputs);
    if (state != before && state == 'granted') {
      core.save();
      session(Date.now());
      // A grant given before the site's settings arrived counts from when it was given: in "drop" mode, on a
      // site that requires consent, the events held before it are dropped.
      // (What earlier pages left, offline or closed before sending, goes with the next send, or once the page has
      // loaded: the page chunk flushes then.)
      held?.slice(drop && inputs._required ? grantedAt : 0).forEach(transport.send);
    } else if (state != before && inputs._decision == 'denied') {
      forgetIdentity(cookieDomain);
      session(0);
    }
    // Held only while consent may still come; in "drop" mode nothing is held once the start is over.
    if (held && (state != 'pending' || (drop && !inputs._starting))) held = [];
  }

  /** A page view of the current URL: `fields` are its name, category and properties (the page's own come first). */
  function recordPage(fields: Draft['_fields'] = {}, callOptions: Options = {}, restored?: boolean): void {
    refreshPage(true);
    const draft = record('page', { ...fields, properties: { ...page, ...fields.properties } }, callOptions);
    // Web vitals refer to the document's page view by its messageId, fixed here.
    if (draft && (restored || !documentPageViewId)) documentPageViewId = (draft._options = { messageId: uuid(), ...callOptions }).messageId as string;
    rescan?.(true);
  }

  /** Settles once the page chunk has started (the site's settings known, a data layer's first entries read): set by start(). */
  let settled: Promise<unknown>;

  const core: Core = {
    record,
    page: recordPage,
    moved: () => (moved = true),
    device: '{}',
    identity: () => identity,
    save(key, value) {
      if (mayStore()) key ? writeStorage(key, JSON.stringify(value)) : saveIdentity(identity, cookieDomain);
    },
    reset() {
      // The old id is retired: an answer still in flight that sets it again (first-party cookie) is ignored.
      if (mayStore()) forgetIdentity(cookieDomain, identity.anonymousId);
      identity = { anonymousId: uuid() };
      session(0);
      core.save();
    },
    consent(status, isDefault) {
      // (Anything else is refused, and said, by the API chunk; here it is ignored.)
      if (status != 'granted' && status != 'denied') return;
      // (A grant remembered from an earlier page, repeated here, takes nothing back.)
      if (status == 'granted' && inputs._decision != status) grantedAt = held?.length;
      if (isDefault) inputs._modeDefault = status;
      // (Where Global Privacy Control is honoured, nothing is stored, a decision included.)
      else if (!(inputs._gpc && inputs._honorGpc)) rememberConsent((inputs._decision = status), !!inputs._required);
      update();
    },
    settings(settings) {
      // Refused (unknown key, foreign origin): nothing more is recorded or sent.
      if (settings === null) held = undefined;
      // Settings that cannot be had (offline, the request cut by a navigation) on a page that names a consent mode:
      // the site requires consent, so nothing is stored until it comes (failing open would store without it).
      inputs._required = settings ? settings.requireConsent : !!options.requireConsent;
      inputs._honorGpc = settings?.honorGpc;
    },
    // Waits for the start first: until then nothing may be sent.
    flush: () => settled.then(() => (mayStore() ? transport.flush() : undefined)),
    load,
    debug(logger) {
      delivered = logger;
    },
    start(tracker) {
      const host: Host = (core.host = {
        tracker,
        pageViewId: () => documentPageViewId,
        mayStore,
        startUrl: page.url!,
        options: options as Host['options'],
        clicks: [],
      });
      // A click on a data-trailmark-* element may come before the page chunk listens (the tag came late, the shopper
      // is quick): it is kept until then. (A page left meanwhile loses it: the code that knows what it means is not here.)
      addEventListener('click', (event) => host.clicks?.push(event), true);
      // The page view a page is opened with (a prerendered one is counted when shown: the page chunk does), through
      // the tracker: behind the calls an earlier page kept (an identify() just before it left), when there are.
      const auto = options.autoPageviews !== false;
      if (auto && !(document as Document & { prerendering?: boolean }).prerendering) tracker.page();
      // Everything else a page may hold (navigations, the device, a data layer, attributes, slots, web vitals) and
      // the site's settings are the page chunk's, loaded at once; nothing is sent before it has started (a consent
      // default in a data layer decides whether the first page view may go). Should it fail to load, nothing is
      // (and flush() settles at once). Slot requests wait for it too (slots.ts).
      host.started = settled = load('page')
        .then((chunk) => chunk.startPage(host, core, options, load))
        .then((scan) => {
          rescan = scan;
          inputs._starting--;
          update();
        }, warn);
    },
  };

  return core;
}
