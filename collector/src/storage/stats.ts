/**
 * GET /v1/admin/stats: the summary of a period — events by type over time,
 * the funnel product viewed → added → checkout → order in people (one day
 * window), what sells in each region, and the recommendation slots against
 * the holdout. Read from the statistics tables the event log's triggers keep
 * (migrations 0005 and 0016): rows per hour, day, person or region of the
 * range, never per event.
 */
import type { EventStats, Money, RegionFigures } from '@trailmark/schema';
import { rowsOf, num, text, type Row, type StatsContext } from '../stats/context';
import { funnelSteps } from '../stats/funnel';
import { moneyList } from '../stats/money';
import { daysOf, DEFAULT_FUNNEL, DAY_MS } from '../stats/query';
import { slotsStats } from '../stats/slots';

export async function readStats(ctx: StatsContext, holdoutPercent: number): Promise<EventStats> {
  const spanHours = (ctx.range.toMs - ctx.range.fromMs) / 3600_000;
  const granularity = spanHours <= 72 ? 'hour' : 'day';
  const from = new Date(ctx.range.fromMs).toISOString();
  const days = daysOf(ctx.range);
  const isoDay = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
  const [[hourly, views, sales], funnel, slots] = await Promise.all([
    rowsOf(ctx, [
      ctx.db
        .prepare(
          `SELECT ${granularity === 'hour' ? 'hour' : 'substr(hour, 1, 10)'} AS bucket, type, event, SUM(count) AS count
           FROM stats_hourly WHERE write_key = ?1 AND hour >= ?2 AND hour < ?3 GROUP BY bucket, type, event ORDER BY bucket`,
        )
        .bind(ctx.writeKey, from.slice(0, 13), upperBound(new Date(ctx.range.toMs).toISOString(), 13)),
      ctx.db
        .prepare(
          `SELECT country, region, product_id, MAX(category) AS category, SUM(views) AS views FROM stats_region_products
           WHERE write_key = ?1 AND day >= ?2 AND day < ?3 AND views <> 0 GROUP BY country, region, product_id`,
        )
        .bind(ctx.writeKey, isoDay(days.from), isoDay(days.to)),
      ctx.db
        .prepare(
          `SELECT country, region, product_id, currency, MAX(category) AS category, SUM(units) AS units, SUM(sales) AS sales FROM stats_region_sales
           WHERE write_key = ?1 AND day >= ?2 AND day < ?3 GROUP BY country, region, product_id, currency HAVING SUM(units) <> 0`,
        )
        .bind(ctx.writeKey, days.from, days.to),
    ]),
    funnelSteps({ ...ctx, filters: {} }, { steps: [...DEFAULT_FUNNEL], windowMs: DAY_MS }),
    slotsStats({ ...ctx, filters: {} }, holdoutPercent),
  ]);
  return {
    from,
    to: new Date(ctx.range.toMs).toISOString(),
    currency: ctx.currency,
    events: eventFigures(hourly!, granularity),
    funnel: funnel.map((s) => ({ step: s.step, count: s.people, fromPrevious: s.fromPrevious, fromFirst: s.fromFirst })),
    regions: regionFigures(views!, sales!, ctx.currency),
    slots: slots.slots,
  };
}

/**
 * Buckets (hours) are whole: a range covers every bucket it overlaps. The
 * exclusive upper key of `to`: its own bucket is included unless `to` falls
 * exactly on its start.
 */
function upperBound(iso: string, length: 13): string {
  const bucket = iso.slice(0, length);
  return iso === `${bucket}:00:00.000Z` ? bucket : `${bucket}~`;
}

function eventFigures(rows: Row[], granularity: 'hour' | 'day'): EventStats['events'] {
  const byType: Record<string, number> = {};
  const byEvent: Record<string, number> = {};
  const buckets = new Map<string, { bucket: string; total: number; byType: Record<string, number> }>();
  let total = 0;
  for (const row of rows) {
    const count = num(row.count);
    const type = text(row.type);
    total += count;
    byType[type] = (byType[type] ?? 0) + count;
    if (row.event) byEvent[text(row.event)] = (byEvent[text(row.event)] ?? 0) + count;
    const bucket = buckets.get(text(row.bucket)) ?? { bucket: text(row.bucket), total: 0, byType: {} };
    bucket.total += count;
    bucket.byType[type] = (bucket.byType[type] ?? 0) + count;
    buckets.set(bucket.bucket, bucket);
  }
  return { total, byType, byEvent, overTime: [...buckets.values()], granularity };
}

interface Tally {
  views: number;
  units: number;
  sales: { currency: string; amount: number }[];
}

/** What sells where: units first, then views; money per currency. */
function regionFigures(views: Row[], sales: Row[], currency: string): RegionFigures[] {
  const regions = new Map<
    string,
    { country: string; region: string; total: Tally; products: Map<string, Tally & { category: string | null }>; categories: Map<string, Tally> }
  >();
  const regionOf = (r: Row) => {
    const key = `${text(r.country)}/${text(r.region)}`;
    let region = regions.get(key);
    if (!region) {
      region = { country: text(r.country), region: text(r.region), total: tally(), products: new Map(), categories: new Map() };
      regions.set(key, region);
    }
    return region;
  };
  const add = (target: Tally, r: Row) => {
    target.views += num(r.views);
    target.units += num(r.units);
    if (r.currency) target.sales.push({ currency: text(r.currency), amount: num(r.sales) });
  };
  for (const r of [...views, ...sales]) {
    const region = regionOf(r);
    const category = typeof r.category === 'string' ? r.category : null;
    add(region.total, r);
    const product = region.products.get(text(r.product_id)) ?? { ...tally(), category };
    product.category ??= category;
    add(product, r);
    region.products.set(text(r.product_id), product);
    if (category) {
      const c = region.categories.get(category) ?? tally();
      add(c, r);
      region.categories.set(category, c);
    }
  }
  const bySales = (a: Tally, b: Tally) => b.units - a.units || b.views - a.views;
  const money = (t: Tally): Money[] => moneyList(t.sales, currency);
  return [...regions.values()]
    .map((r) => ({
      country: r.country,
      region: r.region,
      views: r.total.views,
      units: r.total.units,
      sales: money(r.total),
      topProducts: [...r.products]
        .sort((a, b) => bySales(a[1], b[1]))
        .slice(0, 5)
        .map(([productId, p]) => ({ productId, category: p.category, views: p.views, units: p.units, sales: money(p) })),
      topCategories: [...r.categories]
        .sort((a, b) => bySales(a[1], b[1]))
        .slice(0, 5)
        .map(([category, c]) => ({ category, views: c.views, units: c.units, sales: money(c) })),
    }))
    .sort(bySales);
}

const tally = (): Tally => ({ views: 0, units: 0, sales: [] });
