/**
 * GET /v1/admin/stats: figures for the dashboard, read from the statistics
 * tables the event log's triggers keep (migrations/0005). Every figure equals
 * a count over the stored, non-bot events whose timestamp falls in the hours
 * (events, funnel) or days (regions, slots) the range overlaps; reading them
 * costs rows per hour/day of the range, not per event.
 */
import { EVENTS, type EventStats, type RegionFigures, type SlotFigures, type VariantFigures } from '@trailmark/schema';
import { relativeLift, type Lift } from '../lib/lift';

export const FUNNEL = [EVENTS.productViewed, EVENTS.productAdded, EVENTS.checkoutStarted, EVENTS.orderCompleted] as const;

export interface StatsRange {
  writeKey: string;
  /** ISO timestamps; `to` exclusive. */
  from: string;
  to: string;
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
const round = (x: number) => Math.round(x * 100) / 100;

export async function readStats(db: D1Database, range: StatsRange): Promise<EventStats> {
  const spanHours = (Date.parse(range.to) - Date.parse(range.from)) / 3600_000;
  const granularity = spanHours <= 72 ? 'hour' : 'day';
  const fromHour = range.from.slice(0, 13);
  const fromDay = range.from.slice(0, 10);
  const toHour = upperBound(range.to, 13);
  const toDay = upperBound(range.to, 10);
  const [hourly, regional, slots, exposures] = await db.batch<Record<string, unknown>>([
    db
      .prepare(
        `SELECT ${granularity === 'hour' ? 'hour' : 'substr(hour, 1, 10)'} AS bucket, type, event, SUM(count) AS count
         FROM stats_hourly WHERE write_key = ?1 AND hour >= ?2 AND hour < ?3 GROUP BY bucket, type, event ORDER BY bucket`,
      )
      .bind(range.writeKey, fromHour, toHour),
    db
      .prepare(
        `SELECT country, region, product_id, MAX(category) AS category, SUM(views) AS views, SUM(units) AS units, SUM(revenue) AS revenue
         FROM stats_region_products WHERE write_key = ?1 AND day >= ?2 AND day < ?3
         GROUP BY country, region, product_id`,
      )
      .bind(range.writeKey, fromDay, toDay),
    db
      .prepare(
        `SELECT slot, variant, SUM(impressions) AS impressions, SUM(clicks) AS clicks, SUM(adds) AS adds, SUM(orders) AS orders, SUM(revenue) AS revenue
         FROM stats_slots WHERE write_key = ?1 AND day >= ?2 AND day < ?3 GROUP BY slot, variant`,
      )
      .bind(range.writeKey, fromDay, toDay),
    db
      .prepare(
        `SELECT slot, variant, COUNT(*) AS visitors, SUM(orders > 0) AS converted, SUM(revenue) AS revenue, SUM(revenue * revenue) AS revenue_squares
         FROM stats_exposures WHERE write_key = ?1 AND first_exposed >= ?2 AND first_exposed < ?3 GROUP BY slot, variant`,
      )
      .bind(range.writeKey, range.from, range.to),
  ]);
  return {
    from: range.from,
    to: range.to,
    events: eventFigures(hourly!.results as unknown as HourlyRow[], granularity),
    funnel: funnelFigures(hourly!.results as unknown as HourlyRow[]),
    regions: regionFigures(regional!.results as unknown as RegionRow[]),
    slots: slotFigures(slots!.results as unknown as SlotRow[], exposures!.results as unknown as ExposureRow[]),
  };
}

/**
 * Buckets (hours, days) are whole: a range covers every bucket it overlaps.
 * The exclusive upper key of `to` at a bucket length: `to`'s own bucket is
 * included unless `to` falls exactly on its start.
 */
function upperBound(iso: string, length: 10 | 13): string {
  const bucket = iso.slice(0, length);
  const startOfBucket = length === 13 ? `${bucket}:00:00.000Z` : `${bucket}T00:00:00.000Z`;
  return iso === startOfBucket ? bucket : `${bucket}~`;
}

interface HourlyRow {
  bucket: string;
  type: string;
  event: string;
  count: number;
}

function eventFigures(rows: HourlyRow[], granularity: 'hour' | 'day'): EventStats['events'] {
  const byType: Record<string, number> = {};
  const byEvent: Record<string, number> = {};
  const buckets = new Map<string, { bucket: string; total: number; byType: Record<string, number> }>();
  let total = 0;
  for (const row of rows) {
    total += row.count;
    byType[row.type] = (byType[row.type] ?? 0) + row.count;
    if (row.event) byEvent[row.event] = (byEvent[row.event] ?? 0) + row.count;
    const bucket = buckets.get(row.bucket) ?? { bucket: row.bucket, total: 0, byType: {} };
    bucket.total += row.count;
    bucket.byType[row.type] = (bucket.byType[row.type] ?? 0) + row.count;
    buckets.set(row.bucket, bucket);
  }
  return { total, byType, byEvent, overTime: [...buckets.values()], granularity };
}

function funnelFigures(rows: HourlyRow[]): EventStats['funnel'] {
  const counts = FUNNEL.map((step) => rows.filter((r) => r.type === 'track' && r.event === step).reduce((sum, r) => sum + r.count, 0));
  return FUNNEL.map((step, i) => ({
    step,
    count: counts[i]!,
    fromPrevious: i === 0 ? null : ratio(counts[i]!, counts[i - 1]!),
    fromFirst: i === 0 ? null : ratio(counts[i]!, counts[0]!),
  }));
}

interface RegionRow {
  country: string;
  region: string;
  product_id: string;
  category: string | null;
  views: number;
  units: number;
  revenue: number;
}

function regionFigures(rows: RegionRow[]): RegionFigures[] {
  const regions = new Map<string, RegionFigures & { categories: Map<string, { views: number; units: number; revenue: number }> }>();
  for (const row of rows) {
    const key = `${row.country}/${row.region}`;
    let region = regions.get(key);
    if (!region) {
      region = { country: row.country, region: row.region, views: 0, units: 0, revenue: 0, topProducts: [], topCategories: [], categories: new Map() };
      regions.set(key, region);
    }
    region.views += row.views;
    region.units += row.units;
    region.revenue += row.revenue;
    region.topProducts.push({ productId: row.product_id, category: row.category, views: row.views, units: row.units, revenue: round(row.revenue) });
    if (row.category) {
      const c = region.categories.get(row.category) ?? { views: 0, units: 0, revenue: 0 };
      c.views += row.views;
      c.units += row.units;
      c.revenue += row.revenue;
      region.categories.set(row.category, c);
    }
  }
  // What sells where: units first, then views.
  const bySales = (a: { units: number; views: number }, b: { units: number; views: number }) => b.units - a.units || b.views - a.views;
  return [...regions.values()]
    .map(({ categories, ...region }) => ({
      ...region,
      revenue: round(region.revenue),
      topProducts: region.topProducts.sort(bySales).slice(0, 5),
      topCategories: [...categories.entries()]
        .map(([category, c]) => ({ category, ...c, revenue: round(c.revenue) }))
        .sort(bySales)
        .slice(0, 5),
    }))
    .sort((a, b) => b.units - a.units || b.views - a.views);
}

interface SlotRow {
  slot: string;
  variant: string;
  impressions: number;
  clicks: number;
  adds: number;
  orders: number;
  revenue: number;
}

interface ExposureRow {
  slot: string;
  variant: string;
  visitors: number;
  converted: number;
  revenue: number;
  revenue_squares: number;
}

function slotFigures(rows: SlotRow[], exposures: ExposureRow[]): SlotFigures[] {
  const slots = [...new Set([...rows.map((r) => r.slot), ...exposures.map((e) => e.slot)])].sort();
  return slots.map((slot) => {
    const figures = (variant: string): VariantFigures => {
      const r = rows.find((x) => x.slot === slot && x.variant === variant);
      const e = exposures.find((x) => x.slot === slot && x.variant === variant);
      const visitors = e?.visitors ?? 0;
      const converted = e?.converted ?? 0;
      const exposedRevenue = e?.revenue ?? 0;
      return {
        impressions: r?.impressions ?? 0,
        clicks: r?.clicks ?? 0,
        ctr: ratio(r?.clicks ?? 0, r?.impressions ?? 0),
        adds: r?.adds ?? 0,
        orders: r?.orders ?? 0,
        revenue: round(r?.revenue ?? 0),
        visitors,
        converted,
        conversionRate: ratio(converted, visitors),
        revenuePerVisitor: visitors > 0 ? round(exposedRevenue / visitors) : null,
      };
    };
    const treatment = figures('treatment');
    const control = figures('control');
    const t = exposures.find((x) => x.slot === slot && x.variant === 'treatment');
    const c = exposures.find((x) => x.slot === slot && x.variant === 'control');
    return {
      slot,
      treatment,
      control,
      lift: {
        ctr: relativeLift(
          { n: treatment.impressions, sum: treatment.clicks, sumSquares: treatment.clicks },
          { n: control.impressions, sum: control.clicks, sumSquares: control.clicks },
        ),
        conversionRate: relativeLift(
          { n: treatment.visitors, sum: treatment.converted, sumSquares: treatment.converted },
          { n: control.visitors, sum: control.converted, sumSquares: control.converted },
        ),
        revenuePerVisitor: relativeLift(
          { n: treatment.visitors, sum: t?.revenue ?? 0, sumSquares: t?.revenue_squares ?? 0 },
          { n: control.visitors, sum: c?.revenue ?? 0, sumSquares: c?.revenue_squares ?? 0 },
        ),
      },
    };
  });
}
