/**
 * The default funnel read from the walks kept per person and day
 * (stats_funnel_days, migration 0051) is the funnel walked step by step:
 * the same people at each step, medians, previous period, breakdowns,
 * filters and people lists, on shoppers whose events arrive out of order,
 * whose profiles merge and one of whom is erased, for periods that start
 * and end within a day. And the kept rows are what the migration's own
 * backfill makes of the same step rows, whatever order they came in.
 */
import { SELF, env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { StatsDimension, StatsFilters } from '@trailmark/schema';
import { statsContext } from '../src/stats/context';
import { funnelStats, funnelSteps, type FunnelSpec } from '../src/stats/funnel';
import { funnelStepPeople } from '../src/stats/people';
import { DEFAULT_FUNNEL } from '../src/stats/query';
import { ADMIN, BASE, createSite, drainAll } from './support/collector';
import { product, send } from './support/shop';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** A fixed midnight (UTC), so periods fall where the test says within their days. */
const DAY0 = Date.UTC(2026, 2, 10);
const MOBILE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
const DESKTOP = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/147.0.0.0 Safari/537.36';
const COUNTRIES = [
  { country: 'DE', region: 'Bavaria' },
  { country: 'JP', region: 'Tokyo' },
  { country: 'US', region: 'Texas' },
];

/** A small deterministic generator (mulberry32), so a failure can be run again as it was. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Message {
  body: Record<string, unknown>;
  geo: { country: string; region: string };
}

const STEPS = [...DEFAULT_FUNNEL];

/**
 * Shoppers over five days: visits of views, adds, checkouts and orders at
 * minute times (several in an hour, some past the window, some steps before
 * the one they follow), a few people on two devices who sign in as one
 * customer (two profiles merged), and people placed on the edges of the
 * periods compared below.
 */
function shoppers(seed: number): { messages: Message[]; erased: string } {
  const rnd = random(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)]!;
  const messages: Message[] = [];
  let n = 0;
  const visit = (anonymousId: string, at: number, events: [number, string][], options: { userId?: string; mobile?: boolean; geo?: Message['geo'] } = {}) => {
    const sessionId = `s-${seed}-${n++}`;
    const geo = options.geo ?? pick(COUNTRIES);
    for (const [minutes, name] of events) {
      const message: Record<string, unknown> =
        name === '$identify'
          ? { type: 'identify', traits: {} }
          : {
              type: 'track',
              event: name,
              properties: name === 'Order Completed' ? { order_id: `o-${seed}-${n++}`, total: 10, products: [product('p1')] } : product('p1'),
            };
      messages.push({
        geo,
        body: {
          ...message,
          messageId: `m-${seed}-${n++}`,
          anonymousId,
          ...(options.userId ? { userId: options.userId } : {}),
          timestamp: new Date(at + minutes * MINUTE).toISOString(),
          context: { sessionId, userAgent: options.mobile ? MOBILE : DESKTOP, page: { url: 'https://shop.example/p', path: '/p', referrer: '' } },
        },
      });
    }
  };

  for (let i = 0; i < 36; i++) {
    const anonymousId = `shopper-${seed}-${i}`;
    const mobile = rnd() < 0.4;
    const geo = pick(COUNTRIES);
    const visits = 1 + Math.floor(rnd() * 3);
    for (let v = 0; v < visits; v++) {
      const at = DAY0 + Math.floor(rnd() * 5 * 24 * 60) * MINUTE;
      const events: [number, string][] = [];
      let minutes = 0;
      for (const step of STEPS) {
        if (rnd() < 0.25) break;
        const repeats = rnd() < 0.3 ? 2 : 1;
        for (let r = 0; r < repeats; r++) {
          // Mostly minutes apart, sometimes hours: past a short window, or into the next day.
          minutes += rnd() < 0.8 ? Math.floor(rnd() * 40) : Math.floor(rnd() * 30 * 60);
          events.push([minutes, step]);
        }
      }
      // A later step before the first one now and then.
      if (rnd() < 0.2) events.push([-Math.floor(rnd() * 90), pick(STEPS.slice(1))]);
      visit(anonymousId, at, events, { mobile, geo });
    }
  }

  // The same customer on a laptop and on a phone: two profiles that become one when both sign in.
  for (let i = 0; i < 4; i++) {
    const userId = `customer-${seed}-${i}`;
    const at = DAY0 + (1 + i) * DAY - 3 * HOUR + i * 37 * MINUTE;
    visit(
      `laptop-${seed}-${i}`,
      at,
      [
        [0, 'Product Viewed'],
        [5, 'Product Added'],
        [8, '$identify'],
      ],
      { userId },
    );
    visit(
      `phone-${seed}-${i}`,
      at + 2 * HOUR,
      [
        [0, 'Product Viewed'],
        [3, 'Checkout Started'],
        [4, 'Order Completed'],
      ],
      { mobile: true },
    );
    visit(
      `phone-${seed}-${i}`,
      at + 5 * HOUR,
      [
        [0, '$identify'],
        [2, 'Product Viewed'],
        [3, 'Product Added'],
      ],
      { userId, mobile: true },
    );
  }

  // On the edges of the period that starts at DAY0 + 1d 7:13: a first view before the start that day and
  // another after it; one before it and the next only a day later; one just after it.
  const start = DAY0 + DAY + 7 * HOUR + 13 * MINUTE;
  visit(`edge-${seed}-a`, start - 3 * HOUR, [
    [0, 'Product Viewed'],
    [200, 'Product Viewed'],
    [230, 'Product Added'],
    [240, 'Checkout Started'],
  ]);
  visit(`edge-${seed}-b`, start - 6 * HOUR, [
    [0, 'Product Viewed'],
    [60 * 26, 'Product Viewed'],
    [60 * 27, 'Product Added'],
  ]);
  visit(`edge-${seed}-c`, start + 2 * MINUTE, [
    [0, 'Product Viewed'],
    [1, 'Product Added'],
    [59, 'Checkout Started'],
    [61, 'Order Completed'],
  ]);
  visit(`edge-${seed}-c`, start - 50 * MINUTE, [[0, 'Product Added']]);
  // Views in the same hour as a later add that already happened: the hour's last time counts.
  visit(`hour-${seed}`, DAY0 + 2 * DAY + 10 * HOUR, [
    [5, 'Product Added'],
    [20, 'Product Viewed'],
    [50, 'Product Added'],
    [55, 'Checkout Started'],
  ]);
  // Someone to erase, who went through the whole funnel.
  const erased = `erased-${seed}`;
  visit(
    `gone-${seed}`,
    DAY0 + 2 * DAY + 11 * HOUR,
    [
      [0, 'Product Viewed'],
      [1, 'Product Added'],
      [2, 'Checkout Started'],
      [3, 'Order Completed'],
    ],
    { userId: erased },
  );
  return { messages, erased };
}

/** Sends the messages in a shuffled order, in batches each stored before the next is sent. */
async function storeOutOfOrder(writeKey: string, messages: Message[], seed: number): Promise<void> {
  const rnd = random(seed * 7 + 1);
  const shuffled = messages
    .map((m) => ({ m, key: rnd() }))
    .sort((a, b) => a.key - b.key)
    .map((x) => x.m);
  const batches = 6;
  for (let b = 0; b < batches; b++) {
    const part = shuffled.filter((_, i) => i % batches === b);
    for (const geo of COUNTRIES) {
      const batch = part.filter((m) => m.geo.country === geo.country).map((m) => m.body);
      if (batch.length) await send(writeKey, batch, geo);
    }
    await drainAll(writeKey);
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The periods compared: both edges within a day, both at midnight, across one midnight, within one day, everything. */
const PERIODS: [number, number][] = [
  [DAY0 + DAY + 7 * HOUR + 13 * MINUTE, DAY0 + 3 * DAY + 16 * HOUR + 41 * MINUTE],
  [DAY0 + DAY, DAY0 + 3 * DAY],
  [DAY0 + 2 * DAY - 5 * HOUR - 30 * MINUTE, DAY0 + 2 * DAY + 2 * HOUR],
  [DAY0 + 2 * DAY + 9 * HOUR + 30 * MINUTE, DAY0 + 2 * DAY + 14 * HOUR],
  [DAY0 - DAY, DAY0 + 6 * DAY],
];

/** Funnels the rows answer (prefixes of the default, windows up to a day) and one they do not (two days: walked either way). */
const SPECS: FunnelSpec[] = [
  { steps: STEPS, windowMs: DAY },
  { steps: STEPS, windowMs: 3 * HOUR },
  { steps: STEPS, windowMs: 30 * MINUTE },
  { steps: STEPS.slice(0, 2), windowMs: DAY },
  { steps: STEPS.slice(0, 3), windowMs: 12 * HOUR },
  { steps: STEPS, windowMs: 2 * DAY },
];

async function funnelDays(writeKey: string) {
  const { results } = await env.DB.prepare('SELECT * FROM stats_funnel_days WHERE write_key = ? ORDER BY day, profile_id').bind(writeKey).all();
  return results;
}

describe('the default funnel from the walks kept per person and day', () => {
  it('counts what the step-by-step walk counts: steps, medians, previous period, breakdowns, filters, people', async () => {
    const seed = 16;
    const writeKey = await createSite();
    const { messages, erased } = shoppers(seed);
    await storeOutOfOrder(writeKey, messages, seed);
    const gone = await SELF.fetch(`${BASE}/v1/admin/users/${erased}?writeKey=${writeKey}`, { method: 'DELETE', headers: ADMIN });
    expect(gone.status).toBe(200);
    await drainAll(writeKey);

    const kept = await funnelDays(writeKey);
    expect(kept.length).toBeGreaterThan(40);
    expect(kept.some((r) => r.t4 !== null)).toBe(true);

    let reachedLast = 0;
    const filterSets: StatsFilters[] = [{}, { device: 'mobile' }, { country: 'JP' }];
    const breakdowns: (StatsDimension | undefined)[] = [undefined, 'device', 'country'];
    for (const [from, to] of PERIODS) {
      for (const spec of SPECS) {
        for (const filters of filterSets) {
          const ctx = statsContext(env.DB, writeKey, 'USD', { fromMs: from, toMs: to }, filters);
          for (const by of breakdowns) {
            const read = await funnelStats(ctx, spec, by);
            const walked = await funnelStats(ctx, { ...spec, walk: true }, by);
            expect(
              read,
              `${iso(from)}–${iso(to)} ${spec.steps.length} steps, window ${spec.windowMs / MINUTE} min, ${JSON.stringify(filters)}, by ${by}`,
            ).toEqual(walked);
            reachedLast += read.steps[read.steps.length - 1]!.people;
          }
          expect(await funnelSteps(ctx, spec)).toEqual(await funnelSteps(ctx, { ...spec, walk: true }));
        }
        const ctx = statsContext(env.DB, writeKey, 'USD', { fromMs: from, toMs: to }, {});
        for (let step = 1; step <= spec.steps.length; step++) {
          for (const outcome of ['reached', 'dropped'] as const) {
            const page = { limit: 1000 };
            expect(await funnelStepPeople(ctx, spec, step, outcome, page)).toEqual(await funnelStepPeople(ctx, { ...spec, walk: true }, step, outcome, page));
          }
        }
      }
    }
    // The comparisons were of funnels people went through, not of empty ones.
    expect(reachedLast).toBeGreaterThan(20);
  });

  it('keeps, through out-of-order arrival, merges and erasure, the rows the backfill makes of the same steps', async () => {
    const seed = 17;
    const writeKey = await createSite();
    const { messages, erased } = shoppers(seed);
    await storeOutOfOrder(writeKey, messages, seed);
    const erasedProfile = await env.DB.prepare("SELECT profile_id FROM stats_person_ids WHERE write_key = ? AND kind = 'user' AND id = ?")
      .bind(writeKey, erased)
      .first<string>('profile_id');
    expect((await funnelDays(writeKey)).filter((r) => r.profile_id === erasedProfile)).toHaveLength(1);
    const gone = await SELF.fetch(`${BASE}/v1/admin/users/${erased}?writeKey=${writeKey}`, { method: 'DELETE', headers: ADMIN });
    expect(gone.status).toBe(200);
    await drainAll(writeKey);

    const kept = await funnelDays(writeKey);
    // The customers on two devices: merged profiles, unless the sign-in came first (the order is shuffled).
    const { results: merged } = await env.DB.prepare('SELECT DISTINCT to_profile AS p FROM profile_merges WHERE write_key = ?')
      .bind(writeKey)
      .all<{ p: string }>();
    expect(merged.length).toBeGreaterThanOrEqual(2);
    const { results: fromProfiles } = await env.DB.prepare('SELECT from_profile AS p FROM profile_merges WHERE write_key = ? AND from_profile <> to_profile')
      .bind(writeKey)
      .all<{ p: string }>();
    expect(kept.filter((r) => fromProfiles.some((f) => f.p === r.profile_id))).toEqual([]);
    expect(kept.filter((r) => merged.some((m) => m.p === r.profile_id)).length).toBeGreaterThanOrEqual(2);
    // One row per person and day with a Product Viewed, and none for the erased customer.
    const { results: viewDays } = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM (SELECT DISTINCT profile_id, hour / 24 FROM stats_person_steps WHERE write_key = ? AND step = 'Product Viewed')",
    )
      .bind(writeKey)
      .all<{ n: number }>();
    expect(kept.length).toBe(viewDays[0]!.n);
    expect(kept.filter((r) => r.profile_id === erasedProfile)).toEqual([]);

    // Rebuilt from the step rows as the migration fills the table.
    await env.DB.batch([
      env.DB.prepare('DELETE FROM stats_funnel_days WHERE write_key = ?').bind(writeKey),
      env.DB.prepare(
        "INSERT INTO stats_funnel_redo (write_key, profile_id, hour, k) SELECT write_key, profile_id, MIN(hour), 1 FROM stats_person_steps WHERE write_key = ? AND step = 'Product Viewed' GROUP BY write_key, profile_id, hour / 24",
      ).bind(writeKey),
    ]);
    expect(await funnelDays(writeKey)).toEqual(kept);
  });
});
