/**
 * GET /v1/admin/stats/overview: visitors, sessions and shoppers of the
 * period next to the period before, and over time. Visits count by the time
 * they started, orders by the time they were placed; with filters, orders
 * count when the visit they were placed in matches.
 */
import type { OverviewStats, TrafficFigures } from '@trailmark/schema';
import { frameOf, num, rowsOf, statement, text, type Row, type StatsContext } from './context';
import { moneyList } from './money';
import { HOUR_MS, DAY_MS, type Range } from './query';
import { filterSql, hasFilters, IS_FIRST_VISIT, Params } from './sql-text';

/** Hours up to three days, days beyond. */
export function granularityOf(range: Range): 'hour' | 'day' {
  return range.toMs - range.fromMs <= 72 * HOUR_MS ? 'hour' : 'day';
}

export async function overviewStats(ctx: StatsContext): Promise<OverviewStats> {
  const granularity = granularityOf(ctx.range);
  const bucketMs = granularity === 'hour' ? HOUR_MS : DAY_MS;
  const statements = [ctx.range, ctx.previous].flatMap((range) => [
    visitsStatement(ctx, range),
    ordersStatement(ctx, range, 'totals'),
    ordersStatement(ctx, range, 'currencies'),
    visitsOverTimeStatement(ctx, range, bucketMs),
    ordersOverTimeStatement(ctx, range, bucketMs),
  ]);
  const rows = await rowsOf(ctx, statements);
  const period = (offset: number, range: Range) => ({
    figures: trafficFigures(rows[offset]![0] ?? {}, rows[offset + 1]![0] ?? {}, rows[offset + 2]!, ctx.currency),
    overTime: overTime(range, bucketMs, granularity, rows[offset + 3]!, rows[offset + 4]!),
  });
  const current = period(0, ctx.range);
  const previous = period(5, ctx.previous);
  return {
    ...frameOf(ctx),
    current: current.figures,
    previous: previous.figures,
    granularity,
    overTime: current.overTime,
    previousOverTime: previous.overTime,
  };
}

function visitsStatement(ctx: StatsContext, range: Range): D1PreparedStatement {
  const p = new Params();
  // Unfiltered, a new visitor is a person whose first event falls in the range (their first visit starts
  // then): one index range on stats_people instead of a look-up per visit, the overview's heaviest part.
  const newVisitors = hasFilters(ctx.filters)
    ? `COUNT(DISTINCT CASE WHEN ${IS_FIRST_VISIT} THEN s.profile_id END)`
    : `(SELECT COUNT(*) FROM stats_people np WHERE np.write_key = ${p.add(ctx.writeKey)} AND np.first_ms >= ${p.add(range.fromMs)} AND np.first_ms < ${p.add(range.toMs)})`;
  return statement(
    ctx.db,
    `SELECT COUNT(*) AS sessions, COUNT(DISTINCT s.profile_id) AS visitors,
            ${newVisitors} AS new_visitors,
            SUM(s.page_views <= 1 AND s.searches + s.adds + s.checkouts + s.orders = 0) AS bounced, SUM(s.orders > 0) AS converted
     FROM stats_sessions s
     WHERE s.write_key = ${p.add(ctx.writeKey)} AND s.started_ms >= ${p.add(range.fromMs)} AND s.started_ms < ${p.add(range.toMs)}${filterSql(ctx.filters, p)}`,
    p,
  );
}

/** Orders placed in the range: totals (orders, shoppers), or value per currency. */
function ordersStatement(ctx: StatsContext, range: Range, what: 'totals' | 'currencies'): D1PreparedStatement {
  const p = new Params();
  const select = what === 'totals' ? 'COUNT(*) AS orders, COUNT(DISTINCT o.profile_id) AS shoppers' : 'o.currency, SUM(o.value) AS amount, COUNT(*) AS orders';
  return statement(
    ctx.db,
    `SELECT ${select} FROM stats_orders o ${joinVisit(ctx)}
     WHERE o.write_key = ${p.add(ctx.writeKey)} AND o.at_ms >= ${p.add(range.fromMs)} AND o.at_ms < ${p.add(range.toMs)}${filterSql(ctx.filters, p)}
     ${what === 'currencies' ? 'GROUP BY o.currency' : ''}`,
    p,
  );
}

/** The visit an order was placed in, when filters need it. */
export function joinVisit(ctx: StatsContext): string {
  return hasFilters(ctx.filters) ? 'JOIN stats_sessions s ON s.write_key = o.write_key AND s.session_key = o.session_key' : '';
}

function visitsOverTimeStatement(ctx: StatsContext, range: Range, bucketMs: number): D1PreparedStatement {
  const p = new Params();
  return statement(
    ctx.db,
    `SELECT s.started_ms / ${bucketMs} AS bucket, COUNT(*) AS sessions, COUNT(DISTINCT s.profile_id) AS visitors
     FROM stats_sessions s
     WHERE s.write_key = ${p.add(ctx.writeKey)} AND s.started_ms >= ${p.add(range.fromMs)} AND s.started_ms < ${p.add(range.toMs)}${filterSql(ctx.filters, p)}
     GROUP BY bucket`,
    p,
  );
}

function ordersOverTimeStatement(ctx: StatsContext, range: Range, bucketMs: number): D1PreparedStatement {
  const p = new Params();
  return statement(
    ctx.db,
    `SELECT o.at_ms / ${bucketMs} AS bucket, COUNT(*) AS orders FROM stats_orders o ${joinVisit(ctx)}
     WHERE o.write_key = ${p.add(ctx.writeKey)} AND o.at_ms >= ${p.add(range.fromMs)} AND o.at_ms < ${p.add(range.toMs)}${filterSql(ctx.filters, p)}
     GROUP BY bucket`,
    p,
  );
}

function trafficFigures(visits: Row, orders: Row, currencies: Row[], siteCurrency: string): TrafficFigures {
  return {
    visitors: num(visits.visitors),
    newVisitors: num(visits.new_visitors),
    sessions: num(visits.sessions),
    bouncedSessions: num(visits.bounced),
    convertedSessions: num(visits.converted),
    shoppers: num(orders.shoppers),
    orders: num(orders.orders),
    revenue: moneyList(
      currencies.map((r) => ({ currency: text(r.currency), amount: num(r.amount) })),
      siteCurrency,
    ),
    averageOrderValue: moneyList(
      currencies.map((r) => ({ currency: text(r.currency), amount: num(r.orders) > 0 ? num(r.amount) / num(r.orders) : 0 })),
      siteCurrency,
    ),
  };
}

/** Every bucket of the range, empty ones at zero: 'YYYY-MM-DDTHH' or 'YYYY-MM-DD' (UTC). */
function overTime(range: Range, bucketMs: number, granularity: 'hour' | 'day', visits: Row[], orders: Row[]): OverviewStats['overTime'] {
  const visitsBy = new Map(visits.map((r) => [num(r.bucket), r]));
  const ordersBy = new Map(orders.map((r) => [num(r.bucket), r]));
  const out: OverviewStats['overTime'] = [];
  for (let b = Math.floor(range.fromMs / bucketMs); b * bucketMs < range.toMs; b++) {
    const iso = new Date(b * bucketMs).toISOString();
    out.push({
      bucket: granularity === 'hour' ? iso.slice(0, 13) : iso.slice(0, 10),
      visitors: num(visitsBy.get(b)?.visitors),
      sessions: num(visitsBy.get(b)?.sessions),
      orders: num(ordersBy.get(b)?.orders),
    });
  }
  return out;
}
