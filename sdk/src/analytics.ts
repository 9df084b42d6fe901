/**
 * The analytics.js call surface, at the edge of the SDK: the argument forms
 * of Segment's analytics.js (`page(category, name, properties, options,
 * callback)`, `identify(traits)`, `alias(to, from)`, a callback anywhere…)
 * are resolved here, once, into the one form per verb of the core
 * (tracker.ts). Here too: callbacks, `on`/`off` listeners, `debug`,
 * identify's and group's traits, `trackLink`/`trackForm`.
 *
 * A lazy chunk, loaded the first time a page calls one of its methods
 * (surface.ts holds the few that must answer at once). A page view needs
 * none of it.
 */
import type { Core } from './tracker';
import { GROUP_KEY, GROUP_TRAITS_KEY, readJson, TRAITS_KEY, USER_HASH_KEY, WAITING_KEY } from './identity';
import type { ConsentStatus, Elements, Emitted, Options, Properties, Tracker } from './types';
import { writeStorage } from './lib/storage';
import { log, warn } from './lib/warn';

type Args = unknown[];
type AnyFunction = (...args: unknown[]) => unknown;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each method types its own arguments
export type Methods = Record<string, (...args: any[]) => unknown>;

const isFunction = (value: unknown): value is AnyFunction => typeof value == 'function';
const isObject = (value: unknown): value is Record<string, unknown> => !!value && typeof value == 'object' && !Array.isArray(value);
const isId = (value: unknown): value is string | number => typeof value == 'string' || typeof value == 'number';
const objectOr = (value: unknown) => (isObject(value) ? value : {});

/** analytics.js waits this long before a callback, giving the browser time to send first. */
export const CALLBACK_DELAY_MS = 300;

/** analytics.js methods without an equivalent here: they say so instead of throwing. */
const UNSUPPORTED = 'screen pageview addSourceMiddleware addIntegrationMiddleware addDestinationMiddleware register';

/** track(): `(event, properties?, options?, callback?)`, or analytics-next's `({ event, properties }, options?, callback?)`. */
export function trackArguments(args: Args): [event: string, properties: Properties, options: Options, callback?: AnyFunction] {
  let [event, properties, options, callback] = args;
  if (isObject(event)) [event, properties, options, callback] = [event.event, event.properties, properties, options];
  return [typeof event == 'string' ? event : '', objectOr(properties), objectOr(options), [properties, options, callback].find(isFunction)];
}

/**
 * identify() and group(): `(id?, traits?, options?, callback?)`, where a
 * leading object is the traits (the id is then the current one), null or
 * undefined skip a place, and a function anywhere is the callback.
 */
export function userArguments(args: Args): [id: string | undefined, traits: Properties, options: Options, callback?: AnyFunction] {
  const places: unknown[] = [];
  let callback: AnyFunction | undefined;
  let place = 0;
  for (const arg of args) {
    if (isFunction(arg)) {
      callback = arg;
      break;
    }
    if (place == 0 && arg != null && !isId(arg)) place = 1;
    places[place++] = arg;
  }
  return [isId(places[0]) ? String(places[0]) : undefined, objectOr(places[1]), objectOr(places[2]), callback];
}

/**
 * page(): one string is the name (the second, if the second is a string),
 * two are the category and the name; one object is the properties (or the
 * options, when it comes fourth), two are the properties and the options.
 */
export function pageArguments(args: Args): [category: string | undefined, name: string | undefined, properties: Properties, options: Options] {
  const strings = args.filter((arg): arg is string => typeof arg == 'string');
  const objects = args.filter(isObject);
  const at = (i: number) => (typeof args[i] == 'string' ? (args[i] as string) : undefined);
  const [category, name] = strings.length > 1 ? [at(0), at(1)] : [undefined, at(1) ?? strings[0]];
  const [properties = {}, options = {}] = objects.length > 1 ? objects : isObject(args[2]) ? [args[2]] : isObject(args[3]) ? [{}, args[3]] : objects;
  return [category, name, properties, options];
}

/** alias(): `(userId, previousId?, options?, callback?)`; numbers are ids too. */
export function aliasArguments(args: Args): [userId: string | undefined, previousId: string | undefined, options: Options, callback?: AnyFunction] {
  const [userId, previousId] = args.filter(isId).map(String);
  return [userId, previousId, objectOr(args.find(isObject)), args.find(isFunction)];
}

/** Elements as analytics.js takes them: one, a list, or a jQuery-style object. */
export function elementsOf<E extends Element>(elements: Elements<E>): E[] {
  if (!elements) return [];
  return elements instanceof Element ? [elements] : 'toArray' in elements ? elements.toArray() : Array.from(elements);
}

/** Calls waiting for this chunk (surface.ts), in order, with what settles the promise each answered with. */
export type Waiting = [name: string, args: Args, settle: (result: unknown) => void][];

/**
 * The analytics.js methods beyond the initial tag's own, for the tracker
 * `tracker` over `core`. The calls an earlier page left waiting for this
 * chunk as it went (surface.ts) are taken, and put first in `waiting`.
 */
export function createApi(core: Core, tracker: Tracker, waiting: Waiting = []): Methods {
  const kept = readJson<Waiting>(WAITING_KEY);
  writeStorage(WAITING_KEY, null);
  if (Array.isArray(kept)) waiting.unshift(...kept.map(([name, args]): Waiting[number] => [name, Array.isArray(args) ? args : [], () => {}]));

  const listeners: { [K in keyof Emitted]?: AnyFunction[] } = {};
  let debugging = false;

  /** A call's `options.anonymousId` is the visitor's anonymousId from now on (analytics.js does so). */
  function adopt(options: Options): Options {
    if (options.anonymousId) tracker.setAnonymousId(`${options.anonymousId}`);
    return options;
  }

  /** After a call: the debug log, the listeners, the callback. */
  function done<K extends keyof Emitted>(name: K, args: Emitted[K], callback?: AnyFunction): void {
    if (debugging) log(name, ...args);
    listeners[name]?.slice().forEach((handler) => {
      try {
        handler(...args);
      } catch (error) {
        warn(`on('${name}') handler:`, error);
      }
    });
    if (callback) setTimeout(callback, CALLBACK_DELAY_MS);
  }

  /** trackLink / trackForm: the event is recorded as it happens and leaves with the page (keepalive), so nothing is held up. */
  function bind<E extends Element>(type: string, elements: Elements<E>, event: unknown, properties: unknown, options: unknown): void {
    for (const el of elementsOf(elements)) {
      el.addEventListener(type, () =>
        tracker.track(
          (isFunction(event) ? event(el) : event) as string,
          (isFunction(properties) ? properties(el) : properties) as Properties,
          options as Options,
        ),
      );
    }
  }

  const user = tracker.user();
  const group = tracker.group();
  // What earlier pages kept of the user's traits and the group.
  const identity = core.identity();
  identity.traits ||= readJson(TRAITS_KEY);
  identity.groupId ||= readJson(GROUP_KEY);
  identity.groupTraits ||= readJson(GROUP_TRAITS_KEY);

  const methods: Methods = {
    page(...args: Args) {
      const [category, name, properties, options] = pageArguments(args);
      // As analytics.js: the category and name given win over properties of those names, and page fields
      // given as properties (url, path…) are the context's page fields too.
      const { path, referrer, search, title, url } = properties;
      const pageFields = Object.fromEntries(Object.entries({ path, referrer, search, title, url }).filter(([, value]) => value !== undefined));
      const context = { ...(options.context as object), page: { ...pageFields, ...(options.context as { page?: object })?.page } };
      core.page({ name, category, properties: { ...properties, ...(category && { category }), ...(name && { name }) } }, adopt({ ...options, context }));
      done('page', [category ?? null, name ?? null, properties, options], args.find(isFunction));
    },
    track(...args: Args) {
      const [event, properties, options, callback] = trackArguments(args);
      if (!event) return warn('track() needs an event name: track("Signed Up", { plan: "pro" })');
      core.record('track', { event, properties }, adopt(options));
      done('track', [event, properties, options], callback);
    },
    identify(...args: Args) {
      const [userId, traits, options, callback] = userArguments(args);
      // A new user on this browser (no reset in between) is a new visitor, with new traits, as analytics.js has it.
      // (This chunk's own reset(): through the tracker, while earlier calls wait for the chunk, it would join the end of them.)
      if (userId && user.id() && userId != user.id()) methods.reset!();
      const identity = core.identity();
      if (userId) identity.userId = userId;
      core.save();
      // Kept with the user, as the traits are, for the recommendation requests of the next pages too.
      if (options.userHash) core.save(USER_HASH_KEY, [identity.userId, (identity.userHash = `${options.userHash}`)]);
      // Traits are merged, and kept for the next pages.
      core.save(TRAITS_KEY, (identity.traits = { ...user.traits(), ...traits }));
      core.record('identify', { traits: identity.traits }, adopt(options));
      done('identify', [user.id(), identity.traits, options], callback);
    },
    group(...args: Args) {
      if (!args.length) return group;
      const [groupId, traits, options, callback] = userArguments(args);
      const identity = core.identity();
      // Traits are merged for the same group, replaced for another.
      const merged = { ...(groupId && groupId != group.id() ? {} : group.traits()), ...traits };
      core.save(GROUP_KEY, (identity.groupId = groupId || group.id() || undefined));
      core.save(GROUP_TRAITS_KEY, (identity.groupTraits = merged));
      core.record('group', { groupId: identity.groupId, traits: merged }, adopt(options));
      done('group', [group.id(), merged, options], callback);
    },
    alias(...args: Args) {
      const [userId, previousId = user.id() || user.anonymousId(), options, callback] = aliasArguments(args);
      if (!userId) return warn('alias() needs the new id: alias("user-42")');
      // The new id is the user's from now on (a userHash proved the one before).
      Object.assign(core.identity(), { userId, userHash: undefined });
      core.save();
      core.record('alias', { previousId }, adopt(options));
      done('alias', [userId, previousId, options], callback);
    },
    reset() {
      core.reset();
      done('reset', []);
    },
    consent: (status: ConsentStatus) => (status == 'granted' || status == 'denied' ? core.consent(status) : warn('consent() takes "granted" or "denied"')),
    // The snippet's load() put the tag on the page; once it is there, loading again does nothing (as analytics.js).
    load() {},
    ready(callback: unknown) {
      if (isFunction(callback)) callback(tracker);
    },
    flush: () => core.flush(),
    recommend: (slot: unknown, options: unknown) => core.load('slots').then((chunk) => chunk.recommend(core.host!, slot as string, objectOr(options))),
    on(name: keyof Emitted, handler: unknown) {
      if (isFunction(handler)) (listeners[name] ||= []).push(handler);
    },
    once(name: keyof Emitted, handler: unknown) {
      if (!isFunction(handler)) return;
      const once = (...args: unknown[]) => {
        tracker.off(name, once);
        handler(...args);
      };
      tracker.on(name, once);
    },
    off(name: keyof Emitted, handler?: unknown) {
      listeners[name] = handler ? listeners[name]?.filter((h) => h != handler) : [];
    },
    debug(on?: unknown) {
      debugging = on !== false;
      core.debug(debugging ? log : undefined);
    },
    trackLink: (elements: Elements<Element>, event: unknown, properties?: unknown, options?: unknown) => bind('click', elements, event, properties, options),
    trackForm: (forms: Elements<HTMLFormElement>, event: unknown, properties?: unknown, options?: unknown) => bind('submit', forms, event, properties, options),
  };
  // The older analytics.js names of trackLink and trackForm.
  methods.trackClick = methods.trackLink!;
  methods.trackSubmit = methods.trackForm!;
  for (const name of UNSUPPORTED.split(' ')) methods[name] = () => warn(`${name}() is not supported: see "From analytics.js" in the README`);
  return methods;
}
