/**
 * The analytics.js call surface (surface.ts and the api chunk, analytics.ts)
 * over a core that only records what it is asked to do: each case is a
 * behaviour Segment documents for analytics.js
 * (https://segment.com/docs/connections/sources/catalog/libraries/website/javascript/),
 * resolved into the one form per verb of the core.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Core } from '../../src/tracker';
import type { Identity } from '../../src/identity';
import type { Tracker } from '../../src/types';
import { aliasArguments, pageArguments, trackArguments, userArguments } from '../../src/analytics';
import { publicTracker } from '../../src/surface';

type Recorded = [type: string, fields: Record<string, unknown>, options: Record<string, unknown>];

let recorded: Recorded[];
let identity: Identity;
let tracker: Tracker;
let resets: number;
let anonymousIds: number;

/** A tracker over a core that records each call it gets; the api chunk is loaded (ready) before the test. */
async function start(): Promise<void> {
  recorded = [];
  resets = 0;
  anonymousIds = 0;
  identity = { anonymousId: 'anon-0' };
  const nothing = () => {};
  const core: Core = {
    record: (type, fields, options) => void recorded.push([type, fields as Record<string, unknown>, options]),
    page: (fields = {}, options = {}) => void recorded.push(['page', fields as Record<string, unknown>, options]),
    moved: nothing,
    settings: nothing,
    device: '{}',
    identity: () => identity,
    save: nothing,
    reset: () => {
      resets++;
      identity = { anonymousId: `anon-${++anonymousIds}` };
    },
    consent: nothing,
    flush: () => Promise.resolve(),
    load: () => Promise.reject(new Error('none here')),
    debug: nothing,
    start: nothing,
  };
  tracker = publicTracker(core, () => import('../../src/analytics'));
  await new Promise((resolve) => tracker.ready(resolve));
}

beforeEach(start);
afterEach(() => vi.restoreAllMocks());

const last = () => recorded.at(-1)!;

describe('page([category], [name], [properties], [options], [callback])', () => {
  it('one string is the name; two are the category and the name', () => {
    tracker.page('Pricing');
    expect(last()[1]).toMatchObject({ name: 'Pricing', category: undefined, properties: { name: 'Pricing' } });
    tracker.page('Docs', 'Signup');
    expect(last()[1]).toMatchObject({ name: 'Signup', category: 'Docs', properties: { name: 'Signup', category: 'Docs' } });
  });

  it('properties and options in their places; page fields given as properties are the context page too', () => {
    tracker.page('Docs', 'Signup', { title: 'Sign up', path: '/signup', plan: 'pro' }, { integrations: { All: false } });
    const [, fields, options] = last();
    expect(fields).toMatchObject({ category: 'Docs', name: 'Signup', properties: { title: 'Sign up', path: '/signup', plan: 'pro' } });
    expect(options).toMatchObject({ integrations: { All: false }, context: { page: { title: 'Sign up', path: '/signup' } } });
    tracker.page({ url: 'https://shop.example/x' });
    expect(last()[1]).toMatchObject({ name: undefined, properties: { url: 'https://shop.example/x' } });
    tracker.page('Home', { section: 'top' }, { context: { ip: '0.0.0.0' } });
    expect(last()[1]).toMatchObject({ name: 'Home', properties: { section: 'top' } });
    expect(last()[2]).toMatchObject({ context: { ip: '0.0.0.0' } });
  });

  it('null skips the category; a callback may come anywhere after the arguments', async () => {
    tracker.page(null as unknown as string, 'Signup');
    expect(last()[1]).toMatchObject({ name: 'Signup', category: undefined });
    await new Promise<void>((resolve) => tracker.page('Docs', 'Callback', resolve));
    expect(last()[1]).toMatchObject({ name: 'Callback', category: 'Docs' });
  });

  it('the argument resolver alone, for the forms analytics.js documents', () => {
    expect(pageArguments([])).toEqual([undefined, undefined, {}, {}]);
    expect(pageArguments(['A', 'B', { p: 1 }, { o: 1 }])).toEqual(['A', 'B', { p: 1 }, { o: 1 }]);
    expect(pageArguments(['B', { p: 1 }, { o: 1 }])).toEqual([undefined, 'B', { p: 1 }, { o: 1 }]);
    expect(pageArguments([{ p: 1 }, { o: 1 }])).toEqual([undefined, undefined, { p: 1 }, { o: 1 }]);
    expect(pageArguments([undefined, undefined, undefined, { o: 1 }])).toEqual([undefined, undefined, {}, { o: 1 }]);
  });
});

describe('track(event, [properties], [options], [callback])', () => {
  it('records the event with its properties and options (context, timestamp, integrations)', () => {
    const timestamp = new Date('2026-01-02T03:04:05Z');
    tracker.track('Signed Up', { plan: 'pro' }, { context: { campaign: { name: 'x' } }, timestamp, integrations: { Mixpanel: false } });
    expect(last()).toEqual([
      'track',
      { event: 'Signed Up', properties: { plan: 'pro' } },
      { context: { campaign: { name: 'x' } }, timestamp, integrations: { Mixpanel: false } },
    ]);
  });

  it('a callback in place of the properties or the options is called back, after the call is recorded', async () => {
    await new Promise<void>((resolve) => tracker.track('With Callback', resolve));
    expect(last()[1]).toEqual({ event: 'With Callback', properties: {} });
    await new Promise<void>((resolve) => tracker.track('Props Then Callback', { a: 1 }, resolve));
    expect(last()[1]).toEqual({ event: 'Props Then Callback', properties: { a: 1 } });
  });

  it("options.anonymousId is the visitor's anonymousId from then on", () => {
    tracker.track('Adopted', {}, { anonymousId: 'from-options' });
    expect(tracker.user().anonymousId()).toBe('from-options');
  });

  it('without an event name nothing is recorded, and nothing is thrown', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    (tracker.track as (...args: unknown[]) => void)();
    expect(recorded.filter(([type]) => type == 'track')).toEqual([]);
    expect(warn).toHaveBeenCalledWith('[trailmark]', expect.stringContaining('track() needs an event name'));
  });

  it("analytics-next's object form", () => {
    expect(trackArguments([{ event: 'E', properties: { a: 1 } }, { o: 1 }])).toEqual(['E', { a: 1 }, { o: 1 }, undefined]);
  });
});

describe('identify([userId], [traits], [options], [callback]) and user()', () => {
  it('sets the user, merges the traits, and user() reads them back', () => {
    tracker.identify('u-1', { email: 'a@shop.example' });
    tracker.identify({ plan: 'pro' });
    expect(last()).toEqual(['identify', { traits: { email: 'a@shop.example', plan: 'pro' } }, {}]);
    expect(tracker.user().id()).toBe('u-1');
    expect(tracker.user().traits()).toEqual({ email: 'a@shop.example', plan: 'pro' });
  });

  it('numbers are ids; null skips the id; userHash is an option', () => {
    tracker.identify(42, { a: 1 }, { userHash: 'ab12' });
    expect(tracker.user().id()).toBe('42');
    expect(last()[2]).toEqual({ userHash: 'ab12' });
    tracker.identify(null, { b: 2 });
    expect(tracker.user().id()).toBe('42');
    expect(last()[1]).toEqual({ traits: { a: 1, b: 2 } });
  });

  it('another user on the same browser starts a new visitor: new anonymousId, no traits of the first', () => {
    tracker.identify('u-1', { email: 'a@shop.example' });
    const first = tracker.user().anonymousId();
    tracker.identify('u-2', { name: 'B' });
    expect(resets).toBe(1);
    expect(tracker.user().anonymousId()).not.toBe(first);
    expect(tracker.user().traits()).toEqual({ name: 'B' });
  });

  it('the argument resolver alone', () => {
    const callback = () => {};
    expect(userArguments(['u', { t: 1 }, { o: 1 }, callback])).toEqual(['u', { t: 1 }, { o: 1 }, callback]);
    expect(userArguments([{ t: 1 }, { o: 1 }])).toEqual([undefined, { t: 1 }, { o: 1 }, undefined]);
    expect(userArguments(['u', callback])).toEqual(['u', {}, {}, callback]);
  });
});

describe('group(groupId, [traits], [options], [callback]) and group()', () => {
  it('records the group; group() reads it back; traits merge for the same group, not across groups', () => {
    tracker.group('g-1', { name: 'Acme' });
    expect(last()).toEqual(['group', { groupId: 'g-1', traits: { name: 'Acme' } }, {}]);
    tracker.group('g-1', { plan: 'enterprise' });
    expect(tracker.group().id()).toBe('g-1');
    expect(tracker.group().traits()).toEqual({ name: 'Acme', plan: 'enterprise' });
    tracker.group('g-2', { name: 'Other' });
    expect(tracker.group().traits()).toEqual({ name: 'Other' });
  });
});

describe('alias(userId, [previousId], [options], [callback])', () => {
  it('the previous id defaults to the current userId, else the anonymousId', () => {
    tracker.alias('new-id');
    expect(last()).toEqual(['alias', { previousId: 'anon-0' }, {}]);
    expect(tracker.user().id()).toBe('new-id');
    tracker.alias('newer-id');
    expect(last()[1]).toEqual({ previousId: 'new-id' });
    tracker.alias('to', 'from', { integrations: { All: true } });
    expect(last()).toEqual(['alias', { previousId: 'from' }, { integrations: { All: true } }]);
    expect(aliasArguments([7, 3])).toEqual(['7', '3', {}, undefined]);
  });
});

describe('setAnonymousId, reset, ready', () => {
  it('setAnonymousId sets and returns the id; reset starts a new visitor', () => {
    expect(tracker.setAnonymousId('ABC-123')).toBe('ABC-123');
    expect(tracker.user().anonymousId()).toBe('ABC-123');
    expect(tracker.anonymousId()).toBe('ABC-123');
    tracker.identify('u-1');
    tracker.reset();
    expect(tracker.user().id()).toBeNull();
    expect(tracker.user().anonymousId()).not.toBe('ABC-123');
  });

  it('ready() calls back with the tracker', async () => {
    expect(await new Promise((resolve) => tracker.ready(resolve))).toBe(tracker);
  });
});

describe('on / once / off', () => {
  it('handlers hear each call with its arguments as recorded, until removed', () => {
    const heard: unknown[][] = [];
    const handler = (...args: unknown[]) => heard.push(args);
    tracker.on('track', handler);
    tracker.on('page', handler);
    tracker.on('identify', handler);
    tracker.track('Clicked', { a: 1 });
    tracker.page('Docs', 'Intro');
    tracker.identify('u-1', { t: 1 });
    tracker.off('track', handler);
    tracker.track('Not Heard');
    expect(heard).toEqual([
      ['Clicked', { a: 1 }, {}],
      ['Docs', 'Intro', {}, {}],
      ['u-1', { t: 1 }, {}],
    ]);
  });

  it('once hears one call; a throwing handler is reported, not thrown', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const heard: string[] = [];
    tracker.once('track', (event) => heard.push(event));
    tracker.on('track', () => {
      throw new Error('page bug');
    });
    expect(() => {
      tracker.track('One');
      tracker.track('Two');
    }).not.toThrow();
    expect(heard).toEqual(['One']);
    expect(warn).toHaveBeenCalled();
  });

  it('the Ecommerce helpers are track() calls, heard as such', () => {
    const heard: string[] = [];
    tracker.on('track', (event) => heard.push(event));
    tracker.productViewed({ product_id: 'SKU-1' });
    tracker.orderCompleted({ order_id: 'o-1', products: [] });
    expect(heard).toEqual(['Product Viewed', 'Order Completed']);
  });
});

describe('debug and methods without an equivalent', () => {
  it('debug(true) logs each call; debug(false) stops', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    tracker.debug(true);
    tracker.track('Logged', { a: 1 });
    tracker.debug(false);
    tracker.track('Quiet');
    expect(log).toHaveBeenCalledTimes(1);
    expect(log).toHaveBeenCalledWith('[trailmark]', 'track', 'Logged', { a: 1 }, {});
  });

  it('screen() and the middleware methods say they are not supported instead of throwing', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(() => (tracker as unknown as { screen(): void }).screen()).not.toThrow();
    expect(warn).toHaveBeenCalledWith('[trailmark]', expect.stringContaining('screen() is not supported'));
  });
});

describe('calls made before the api chunk is there', () => {
  it('keep their order, and those that must not wait run at once', async () => {
    recorded = [];
    identity = { anonymousId: 'anon-0' };
    const order: string[] = [];
    const core = {
      record: (type: string, fields: { event?: string }) => order.push(fields.event ?? type),
      page: () => order.push('page'),
      identity: () => identity,
      save: () => {},
      reset: () => {},
      consent: () => {},
    } as unknown as Core;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const early = publicTracker(core, () => gate.then(() => import('../../src/analytics')));
    early.track('Before');
    early.identify('u-1');
    early.track('After Identify');
    expect(order).toEqual(['Before']);
    release();
    await new Promise((resolve) => early.ready(resolve));
    expect(order).toEqual(['Before', 'identify', 'After Identify']);
  });

  it('identify() of another user: its reset comes first, not after the calls still waiting', async () => {
    identity = { anonymousId: 'anon-0', userId: 'u-1', traits: { name: 'A' } };
    let resets = 0;
    const core = {
      record: () => {},
      page: () => {},
      identity: () => identity,
      save: () => {},
      reset: () => {
        resets++;
        identity = { anonymousId: 'anon-1' };
      },
      consent: () => {},
    } as unknown as Core;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const early = publicTracker(core, () => gate.then(() => import('../../src/analytics')));
    early.identify('u-2', { name: 'B' });
    release();
    await new Promise((resolve) => early.ready(resolve));
    expect(resets).toBe(1);
    expect(identity).toMatchObject({ anonymousId: 'anon-1', userId: 'u-2', traits: { name: 'B' } });
  });
});

describe('calls still waiting for the api chunk when the page goes', () => {
  const stored = new Map<string, string>();
  const g = globalThis as { localStorage?: unknown; addEventListener?: unknown };
  let pagehide: (() => void) | undefined;
  beforeEach(() => {
    stored.clear();
    g.localStorage = {
      getItem: (k: string) => stored.get(k) ?? null,
      setItem: (k: string, v: string) => stored.set(k, v),
      removeItem: (k: string) => stored.delete(k),
    };
    g.addEventListener = (type: string, listener: () => void) => type == 'pagehide' && (pagehide = listener);
  });
  afterEach(() => {
    delete g.localStorage;
    delete g.addEventListener;
    pagehide = undefined;
  });

  /** A core that notes what it records, and stores (as JSON, as the real one does) only when `allowed`. */
  function gatedTracker(allowed: boolean) {
    const order: string[] = [];
    identity = { anonymousId: 'anon-0' };
    const core = {
      record: (type: string, fields: { event?: string }) => order.push(fields.event ?? type),
      page: () => order.push('page'),
      identity: () => identity,
      save: (key?: string, value?: unknown) => allowed && key && stored.set(key, JSON.stringify(value)),
      reset: () => order.push('reset'),
      consent: () => {},
    } as unknown as Core;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    return { order, release, tracker: publicTracker(core, () => gate.then(() => import('../../src/analytics'))) };
  }

  it("the visitor's calls are handed to the next page (callbacks left out), not made by this one", async () => {
    const callback = vi.fn();
    const { order, release, tracker: early } = gatedTracker(true);
    early.identify('u-7', { email: 'a@shop.example' }, { userHash: 'ab12' });
    early.track('After Login', { plan: 'pro' }, callback);
    early.page('Docs', 'Signup');
    early.on('track', () => {});
    pagehide!();
    expect(JSON.parse(stored.get('tm_wait')!)).toEqual([
      ['identify', ['u-7', { email: 'a@shop.example' }, { userHash: 'ab12' }], null],
      ['track', ['After Login', { plan: 'pro' }, null], null],
    ]);

    // The next page fetches the chunk for them at once, and makes them before its own calls.
    const next = gatedTracker(true);
    next.tracker.page();
    next.tracker.track('On Next Page');
    expect(next.order).toEqual([]);
    next.release();
    await new Promise((resolve) => next.tracker.ready(resolve));
    expect(next.order).toEqual(['identify', 'After Login', 'page', 'On Next Page']);
    expect(identity).toMatchObject({ userId: 'u-7', userHash: 'ab12', traits: { email: 'a@shop.example' } });
    expect(stored.has('tm_wait')).toBe(false);

    // The page they were made on, back from the back/forward cache, does not make them a second time.
    release();
    await new Promise((resolve) => early.ready(resolve));
    expect(order).toEqual([]);
    expect(callback).not.toHaveBeenCalled();
  });

  it('a page back from the back/forward cache before the next page took them makes them itself, once', async () => {
    const { order, release, tracker: early } = gatedTracker(true);
    early.identify('u-7');
    early.track('After Login');
    pagehide!();
    release();
    await new Promise((resolve) => early.ready(resolve));
    expect(order).toEqual(['identify', 'After Login']);
    expect(stored.has('tm_wait')).toBe(false);
  });

  it('nothing is kept when consent does not allow storing, or when nothing waits', async () => {
    const { release, tracker: early } = gatedTracker(false);
    early.identify('u-7');
    pagehide!();
    expect(stored.size).toBe(0);
    release();
    await new Promise((resolve) => early.ready(resolve));
    const idle = gatedTracker(true);
    idle.release();
    await new Promise((resolve) => idle.tracker.ready(resolve));
    pagehide!();
    expect(stored.size).toBe(0);
  });

  it('damaged kept calls are ignored', async () => {
    stored.set('tm_wait', '{"not":"a list"');
    const next = gatedTracker(true);
    next.release();
    await new Promise((resolve) => next.tracker.ready(resolve));
    next.tracker.track('Fine');
    expect(next.order).toEqual(['Fine']);
    expect(stored.has('tm_wait')).toBe(false);
  });
});
