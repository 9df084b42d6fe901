/**
 * The dashboard's people statistics (GET /v1/admin/stats/*) equal what the
 * exported events say, recounted here with plain code: visitors, sessions,
 * shoppers, money per currency, breakdowns and filters, ordered funnels in
 * people, the people behind a step, searches, retention, lifecycle stages,
 * the slots; merges move a person's figures, erasure takes them out.
 */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ADMIN, BASE, createSite, exportEvents, uniqueId } from './support/collector';
import { product, send, sendAndStore } from './support/shop';
import { drainAll } from './support/collector';
import { funnelOf } from './support/recount';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MOBILE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
const DESKTOP = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/147.0.0.0 Safari/537.36';

async function get<T = Record<string, any>>(path: string): Promise<T> {
  const res = await SELF.fetch(`${BASE}${path}`, { headers: ADMIN });
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

interface Visit {
  anonymousId: string;
  userId?: string;
  at: number;
  userAgent?: string;
  referrer?: string;
  campaign?: { name: string; source: string; medium: string };
  geo?: { country: string; region: string };
  /** [minutes after the start, message] */
  steps: [number, Record<string, unknown>][];
}

/** One visit as the tag sends it: one session id, the page context, the landing referrer and campaign on every message. */
function visitMessages(v: Visit): Record<string, unknown>[] {
  const sessionId = uniqueId('session');
  return v.steps.map(([minutes, m], i) => ({
    messageId: uniqueId('m'),
    anonymousId: v.anonymousId,
    ...(v.userId ? { userId: v.userId } : {}),
    timestamp: new Date(v.at + minutes * 60_000).toISOString(),
    ...m,
    context: {
      sessionId,
      userAgent: v.userAgent ?? DESKTOP,
      page: { url: 'https://shop.example/p', path: '/p', referrer: i === 0 ? (v.referrer ?? '') : 'https://shop.example/' },
      ...(v.campaign ? { campaign: v.campaign } : {}),
    },
  }));
}

const page = (): Record<string, unknown> => ({ type: 'page', name: 'Page' });
const track = (event: string, properties: Record<string, unknown> = {}): Record<string, unknown> => ({ type: 'track', event, properties });
const view = (id = 'p1') => track('Product Viewed', product(id));
const add = (id = 'p1') => track('Product Added', { ...product(id), quantity: 1 });
const checkout = () => track('Checkout Started', { products: [product('p1')] });
const order = (total: number, currency?: string) =>
  track('Order Completed', { order_id: uniqueId('o'), total, ...(currency ? { currency } : {}), products: [{ ...product('p1'), price: total, quantity: 1 }] });

async function store(writeKey: string, visits: Visit[]): Promise<void> {
  for (const v of visits) await send(writeKey, visitMessages(v), v.geo);
  await drainAll(writeKey);
}

const iso = (ms: number) => new Date(ms).toISOString();
const query = (writeKey: string, from: number, to: number, extra = '') => `writeKey=${writeKey}&from=${iso(from)}&to=${iso(to)}${extra}`;

type Exported = Record<string, any>;
const sessionKey = (e: Exported) => e.context.sessionId as string;
/** Visits of one page (or none) with no search, add to cart, checkout or order: the overview's bounces, recounted from the events. */
const bounced = (events: Exported[]) => {
  const visits = new Map<string, Exported[]>();
  for (const e of events) visits.set(sessionKey(e), [...(visits.get(sessionKey(e)) ?? []), e]);
  const engaged = ['Products Searched', 'Product Added', 'Checkout Started', 'Order Completed'];
  return [...visits.values()].filter((v) => v.filter((e) => e.type === 'page').length <= 1 && !v.some((e) => engaged.includes(e.event as string))).length;
};

describe('people statistics', () => {
  it('count visitors, sessions, shoppers and money per currency as the events say, with breakdowns and filters', async () => {
    const writeKey = await createSite({ settings: { currency: 'EUR' } });
    const now = Date.now();
    const start = now - 3 * DAY;
    const visits: Visit[] = [
      {
        anonymousId: 'ana',
        at: start,
        referrer: 'https://www.google.com/search?q=tent',
        geo: { country: 'DE', region: 'Bavaria' },
        steps: [
          [0, page()],
          [1, view()],
          [2, add()],
          [3, checkout()],
          [4, order(50)],
        ],
      },
      {
        anonymousId: 'ana',
        at: start + DAY,
        geo: { country: 'DE', region: 'Bavaria' },
        steps: [
          [0, page()],
          [1, view('p2')],
        ],
      },
      {
        anonymousId: 'ben',
        at: start + 2 * HOUR,
        userAgent: MOBILE,
        campaign: { name: 'spring', source: 'newsletter', medium: 'email' },
        referrer: 'https://mail.example.com/',
        geo: { country: 'JP', region: 'Tokyo' },
        steps: [
          [0, page()],
          [2, view()],
          [3, add()],
          [5, order(3000, 'JPY')],
        ],
      },
      {
        anonymousId: 'cleo',
        at: start + 5 * HOUR,
        userAgent: MOBILE,
        referrer: 'https://www.instagram.com/',
        geo: { country: 'US', region: 'Texas' },
        steps: [
          [0, page()],
          [1, view()],
          [2, order(20, 'USD')],
          [3, order(10, 'usd')],
        ],
      },
      { anonymousId: 'dan', at: start + 6 * HOUR, referrer: 'https://blog.example.org/post', geo: { country: 'US', region: 'Texas' }, steps: [[0, page()]] },
      // Before the period: the previous period's figures.
      {
        anonymousId: 'eve',
        at: start - 2 * DAY,
        geo: { country: 'DE', region: 'Bavaria' },
        steps: [
          [0, page()],
          [1, view()],
          [2, order(40)],
        ],
      },
    ];
    await store(writeKey, visits);
    const from = start - HOUR;
    const to = now;
    const overview = await get(`/v1/admin/stats/overview?${query(writeKey, from, to)}`);
    const events = (await exportEvents(writeKey)).filter((e) => Date.parse(e.timestamp) >= from && Date.parse(e.timestamp) < to);
    const orders = events.filter((e) => e.event === 'Order Completed');

    // The site's currency (settings.currency, USD when the site has none) takes the orders that name none.
    const site: string = overview.currency;
    const perCurrency = (amounts: Record<string, number>) => {
      const total: Record<string, number> = {};
      for (const [currency, amount] of Object.entries(amounts))
        total[currency === 'SITE' ? site : currency] = (total[currency === 'SITE' ? site : currency] ?? 0) + amount;
      return Object.entries(total)
        .map(([currency, amount]) => ({ currency, amount }))
        .sort((a, b) => Number(b.currency === site) - Number(a.currency === site) || b.amount - a.amount);
    };
    expect(overview.current).toMatchObject({
      visitors: new Set(events.map((e) => e.profileId)).size,
      newVisitors: 4,
      sessions: new Set(events.map(sessionKey)).size,
      bouncedSessions: bounced(events),
      convertedSessions: new Set(orders.map(sessionKey)).size,
      shoppers: new Set(orders.map((e) => e.profileId)).size,
      orders: orders.length,
    });
    // Never summed across currencies; "usd" is USD.
    expect(overview.current.revenue).toEqual(perCurrency({ SITE: 50, JPY: 3000, USD: 30 }));
    expect(overview.previous).toMatchObject({ visitors: 1, sessions: 1, shoppers: 1, orders: 1, revenue: perCurrency({ SITE: 40 }) });
    expect(overview.overTime.reduce((sum: number, b: { sessions: number }) => sum + b.sessions, 0)).toBe(overview.current.sessions);

    const sources = await get(`/v1/admin/stats/breakdown?by=source&${query(writeKey, from, to)}`);
    const bySource = Object.fromEntries(sources.rows.map((r: any) => [`${r.value} / ${r.detail}`, r.sessions]));
    expect(bySource).toEqual({
      'google / organic': 1,
      '(direct) / (none)': 1,
      'newsletter / email': 1,
      'instagram / social': 1,
      'blog.example.org / referral': 1,
    });
    const google = sources.rows.find((r: any) => r.value === 'google');
    expect(google).toMatchObject({ visitors: 1, convertedSessions: 1, orders: 1, revenue: perCurrency({ SITE: 50 }) });

    const devices = await get(`/v1/admin/stats/breakdown?by=device&${query(writeKey, from, to)}`);
    expect(Object.fromEntries(devices.rows.map((r: any) => [r.value, r.sessions]))).toEqual({ desktop: 3, mobile: 2 });
    const returning = await get(`/v1/admin/stats/breakdown?by=visitor&${query(writeKey, from, to)}`);
    expect(Object.fromEntries(returning.rows.map((r: any) => [r.value, r.sessions]))).toEqual({ new: 4, returning: 1 });

    // Filters apply to every figure: mobile visits only.
    const mobile = await get(`/v1/admin/stats/overview?${query(writeKey, from, to, '&device=mobile')}`);
    expect(mobile.current).toMatchObject({ visitors: 2, sessions: 2, shoppers: 2, orders: 3 });
    expect(mobile.current.revenue).toEqual(perCurrency({ SITE: 0, JPY: 3000, USD: 30 }));
    const tokyo = await get(`/v1/admin/stats/overview?${query(writeKey, from, to, '&country=JP&visitor=new')}`);
    expect(tokyo.current).toMatchObject({ visitors: 1, sessions: 1, orders: 1 });

    for (const bad of ['by=planet', 'by=source&device=' + 'x'.repeat(201), 'by=source&visitor=maybe', 'by=source&from=yesterday']) {
      const res = await SELF.fetch(`${BASE}/v1/admin/stats/breakdown?writeKey=${writeKey}&${bad}`, { headers: ADMIN });
      expect(res.status, bad).toBe(400);
      expect(((await res.json()) as { message: string }).message).toMatch(/must|at most/);
    }
  });

  it('count people through ordered steps within the window, and list who reached or dropped', async () => {
    const writeKey = await createSite();
    const t0 = Math.floor((Date.now() - 2 * DAY) / HOUR) * HOUR;
    await store(writeKey, [
      // In order, within the day: reaches the order.
      {
        anonymousId: 'in-order',
        at: t0,
        steps: [
          [0, view()],
          [10, add()],
          [20, checkout()],
          [30, order(10)],
        ],
      },
      // An add before the first view does not count; a later one does; the order comes two days later: outside the window.
      {
        anonymousId: 'late-order',
        at: t0,
        steps: [
          [0, add()],
          [65, view()],
          [130, add()],
          [200, checkout()],
        ],
      },
      { anonymousId: 'late-order', at: t0 + 2 * DAY, steps: [[0, order(10)]] },
      // Order without an add: stops at the first step.
      {
        anonymousId: 'skips',
        at: t0 + HOUR,
        steps: [
          [0, view()],
          [5, checkout()],
          [10, order(10)],
        ],
      },
      // Only adds: never enters.
      { anonymousId: 'no-view', at: t0 + HOUR, steps: [[0, add()]] },
    ]);
    const from = t0 - HOUR;
    const to = t0 + 3 * DAY;
    const steps = ['Product Viewed', 'Product Added', 'Checkout Started', 'Order Completed'];
    const stepQuery = steps.map((s) => `&step=${encodeURIComponent(s)}`).join('');
    const events = await exportEvents(writeKey);
    for (const [window, ms] of [
      ['1d', DAY],
      ['3d', 3 * DAY],
      ['30m', 30 * 60_000],
    ] as const) {
      const funnel = await get(`/v1/admin/stats/funnel?${query(writeKey, from, to, `${stepQuery}&window=${window}`)}`);
      const expected = funnelOf(events, steps, ms, from, to);
      expect(
        funnel.steps.map((s: any) => s.people),
        window,
      ).toEqual(expected.map((p) => p.length));
      expect(funnel.windowHours).toBe(ms / HOUR);
      expect(funnel.steps[1].dropped).toBe(expected[0]!.length - expected[1]!.length);
    }
    const funnel = await get(`/v1/admin/stats/funnel?${query(writeKey, from, to, `${stepQuery}&window=1d&breakdown=device`)}`);
    expect(funnel.steps.map((s: any) => s.people)).toEqual([3, 2, 2, 1]);
    expect(funnel.steps[3].medianSecondsFromFirst).toBe(30 * 60);
    expect(funnel.breakdown).toEqual({ by: 'device', rows: [{ value: 'desktop', people: [3, 2, 2, 1] }] });
    expect(funnel.available).toEqual(expect.arrayContaining(['$page', '$identify', 'Product Viewed', 'Order Completed']));

    // The people behind a step: who reached checkout but did not order, with their ids.
    const dropped = await get(`/v1/admin/stats/funnel/people?${query(writeKey, from, to, `${stepQuery}&window=1d&stepNumber=3&outcome=dropped`)}`);
    expect(dropped.total).toBe(1);
    expect(dropped.people.map((p: any) => p.anonymousIds)).toEqual([['late-order']]);
    expect(dropped.definition).toMatchObject({ kind: 'funnel-step', step: 3, outcome: 'dropped', windowHours: 24 });
    const reached = await get(`/v1/admin/stats/funnel/people?${query(writeKey, from, to, `${stepQuery}&window=1d&stepNumber=1&limit=2`)}`);
    expect(reached.total).toBe(3);
    expect(reached.people).toHaveLength(2);
    const rest = await get(
      `/v1/admin/stats/funnel/people?${query(writeKey, from, to, `${stepQuery}&window=1d&stepNumber=1&limit=2&cursor=${reached.nextCursor}`)}`,
    );
    expect([...reached.people, ...rest.people].flatMap((p: any) => p.anonymousIds).sort()).toEqual(['in-order', 'late-order', 'skips']);
    expect(rest.nextCursor).toBeNull();
    const csv = await SELF.fetch(`${BASE}/v1/admin/stats/funnel/people?${query(writeKey, from, to, `${stepQuery}&stepNumber=1&format=csv`)}`, {
      headers: ADMIN,
    });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe('profileId,userId,anonymousIds,userIds,country,region,device,firstSeen,lastSeen,orders,enteredAt');
    expect(lines).toHaveLength(4);

    const bad = await SELF.fetch(`${BASE}/v1/admin/stats/funnel?writeKey=${writeKey}&step=Product%20Viewed`, { headers: ADMIN });
    expect(bad.status).toBe(400);
  });

  it('follow a person across a merge, and take an erased person out of everything', async () => {
    const writeKey = await createSite();
    const t0 = Math.floor((Date.now() - DAY) / HOUR) * HOUR;
    const userId = uniqueId('user');
    await store(writeKey, [
      // The customer on their laptop, then the same customer on a phone: two profiles that become one.
      {
        anonymousId: 'laptop',
        userId,
        at: t0,
        steps: [
          [0, { type: 'identify', traits: {} }],
          [1, view()],
        ],
      },
      {
        anonymousId: 'phone',
        at: t0 + HOUR,
        userAgent: MOBILE,
        steps: [
          [0, view()],
          [1, add()],
        ],
      },
      {
        anonymousId: 'phone',
        userId,
        at: t0 + 2 * HOUR,
        userAgent: MOBILE,
        steps: [
          [0, { type: 'identify', traits: {} }],
          [1, checkout()],
          [2, order(25)],
        ],
      },
      { anonymousId: 'other', at: t0, steps: [[0, view()]] },
    ]);
    const range = query(writeKey, t0 - HOUR, t0 + DAY);
    const overview = await get(`/v1/admin/stats/overview?${range}`);
    expect(overview.current).toMatchObject({ visitors: 2, sessions: 4, shoppers: 1 });
    const funnel = await get(`/v1/admin/stats/funnel?${range}`);
    expect(funnel.steps.map((s: any) => s.people)).toEqual([2, 1, 1, 1]);
    const buyers = await get(`/v1/admin/stats/funnel/people?${range}&stepNumber=4`);
    expect(buyers.people).toEqual([expect.objectContaining({ userId, userIds: [userId], anonymousIds: ['laptop', 'phone'], orders: 1, device: 'mobile' })]);

    const erased = await SELF.fetch(`${BASE}/v1/admin/users/${userId}?writeKey=${writeKey}`, { method: 'DELETE', headers: ADMIN });
    expect(erased.status).toBe(200);
    const after = await get(`/v1/admin/stats/overview?${range}`);
    expect(after.current).toMatchObject({ visitors: 1, sessions: 1, shoppers: 0, orders: 0, revenue: [{ currency: after.currency, amount: 0 }] });
    expect((await get(`/v1/admin/stats/funnel?${range}`)).steps.map((s: any) => s.people)).toEqual([1, 0, 0, 0]);
    const lifecycle = await get(`/v1/admin/stats/lifecycle?${range}`);
    expect(Object.values(lifecycle.now).reduce((a: number, b: any) => a + b, 0)).toBe(1);
  });

  it('count searches, their click-through and the ones that found nothing', async () => {
    const writeKey = await createSite();
    const t0 = Date.now() - 2 * HOUR;
    const search = (query: string, resultCount?: number) =>
      track('Products Searched', { query, ...(resultCount !== undefined ? { result_count: resultCount } : {}) });
    await store(writeKey, [
      {
        anonymousId: 's1',
        at: t0,
        steps: [
          [0, search('Tent ', 12)],
          [1, view()],
          [2, search('tnet', 0)],
          [3, search('tent', 12)],
          [4, view()],
          [5, view()],
        ],
      },
      {
        anonymousId: 's2',
        at: t0,
        steps: [
          [0, search('tnet', 0)],
          [1, search('stove')],
          [3, order(10)],
        ],
      },
    ]);
    const stats = await get(`/v1/admin/stats/search?${query(writeKey, t0 - HOUR, Date.now())}`);
    expect(stats.totals).toEqual({ searches: 5, people: 2, clickedThrough: 2, withResultCount: 4, noResults: 2, inConvertingSessions: 2 });
    expect(stats.terms[0]).toEqual({ query: 'tent', searches: 2, people: 1, clickedThrough: 2, noResults: 0, withResultCount: 2, averageResults: 12 });
    expect(stats.noResultTerms).toEqual([{ query: 'tnet', searches: 2, people: 2, clickedThrough: 0, noResults: 2, withResultCount: 2, averageResults: 0 }]);
  });

  it('build weekly cohorts, repeat purchase, and lifecycle stages over time that match the people listed', async () => {
    const writeKey = await createSite({ settings: { lifecycle: { activeDays: 7, atRiskDays: 20, lapsedDays: 40 } } });
    const today = Math.floor(Date.now() / DAY) * DAY;
    const person = (id: string, daysAgo: number[], buys: number[] = []): Visit[] =>
      daysAgo.map((d) => ({
        anonymousId: id,
        at: today - d * DAY + 10 * HOUR,
        steps: [[0, page()], ...(buys.includes(d) ? [[1, order(10)] as [number, Record<string, unknown>]] : [])],
      }));
    await store(writeKey, [
      ...person('new-one', [1]),
      ...person('regular', [30, 15, 3], [15, 3]),
      ...person('at-risk', [12], [12]),
      ...person('sleeping', [35, 25]),
      ...person('lapsed', [50]),
    ]);
    const range = query(writeKey, today - 60 * DAY, today + DAY);
    const lifecycle = await get(`/v1/admin/stats/lifecycle?${range}`);
    expect(lifecycle.thresholds).toEqual({ activeDays: 7, atRiskDays: 20, lapsedDays: 40 });
    expect(lifecycle.now).toEqual({ new: 1, active: 1, 'at-risk': 1, sleeping: 1, lapsed: 1 });
    // Looking back, day by day, from each person's active days alone.
    const at = (daysAgo: number) => lifecycle.overTime.find((d: any) => d.day === iso(today - daysAgo * DAY).slice(0, 10)).counts;
    expect(at(45)).toEqual({ new: 1, active: 0, 'at-risk': 0, sleeping: 0, lapsed: 0 });
    expect(at(28)).toEqual({ new: 2, active: 0, 'at-risk': 0, sleeping: 1, lapsed: 0 });
    expect(at(20)).toEqual({ new: 0, active: 1, 'at-risk': 1, sleeping: 1, lapsed: 0 });
    for (const [stage, id] of [
      ['new', 'new-one'],
      ['active', 'regular'],
      ['at-risk', 'at-risk'],
      ['sleeping', 'sleeping'],
      ['lapsed', 'lapsed'],
    ]) {
      const members = await get(`/v1/admin/stats/lifecycle/people?writeKey=${writeKey}&stage=${stage}`);
      expect(
        members.people.map((p: any) => p.anonymousIds[0]),
        stage,
      ).toEqual([id]);
    }
    // New thresholds rebuild the history.
    await SELF.fetch(`${BASE}/v1/admin/sites/${writeKey}`, {
      method: 'PUT',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify({ settings: { lifecycle: { activeDays: 14, atRiskDays: 30, lapsedDays: 90 } } }),
    });
    const rebuilt = await get(`/v1/admin/stats/lifecycle?${range}`);
    expect(rebuilt.now).toEqual({ new: 2, active: 1, 'at-risk': 1, sleeping: 1, lapsed: 0 });
    expect((await get(`/v1/admin/stats/lifecycle/people?writeKey=${writeKey}&stage=new`)).total).toBe(2);

    const retention = await get(`/v1/admin/stats/retention?${range}&weeks=9`);
    const cohortSizes = retention.cohorts.reduce((sum: number, c: any) => sum + c.people, 0);
    expect(cohortSizes).toBe(5);
    for (const c of retention.cohorts) expect(c.active[0]).toBe(c.people);
    expect(retention.repeatPurchase).toMatchObject({ customers: 2, repeatCustomers: 1, rate: 0.5, medianDaysToSecondOrder: 12 });
  });

  it('stream the newest events in one request, however many arrived', async () => {
    const writeKey = await createSite();
    const first = await get(`/v1/admin/live?writeKey=${writeKey}`);
    expect(first).toEqual({ events: [], cursor: expect.any(String), skipped: 0 });
    await sendAndStore(
      writeKey,
      Array.from({ length: 1200 }, (_, i) => ({
        type: 'track',
        event: 'Product Viewed',
        messageId: `live-${i}`,
        anonymousId: 'a',
        properties: { product_id: `p${i}` },
      })),
    );
    const live = await get(`/v1/admin/live?writeKey=${writeKey}&after=${first.cursor}&limit=40`);
    expect(live.events).toHaveLength(40);
    expect(live.events[0].messageId).toBe('live-1199');
    expect(live.skipped).toBe(1160);
    const next = await get(`/v1/admin/live?writeKey=${writeKey}&after=${live.cursor}`);
    expect(next).toEqual({ events: [], cursor: live.cursor, skipped: 0 });
    for (const bad of ['after=yesterday', 'after=-1', 'limit=0', 'limit=many']) {
      const res = await SELF.fetch(`${BASE}/v1/admin/live?writeKey=${writeKey}&${bad}`, { headers: ADMIN });
      expect(res.status, bad).toBe(400);
      expect(((await res.json()) as { message: string }).message, bad).toMatch(
        bad.startsWith('after') ? /after must be the cursor of a previous/ : /limit must be/,
      );
    }
  });
});
