/**
 * GET /v1/admin/stats/breakdown?by=…: visits of the period by one dimension
 * (traffic source, campaign, country, device, new or returning…), with what
 * those visits did: conversion, orders and the revenue of those orders.
 */
import type { BreakdownRow, BreakdownStats, StatsDimension } from '@trailmark/schema';
import { frameOf, num, rowsOf, statement, text, type Row, type StatsContext } from './context';
import { moneyList } from './money';
import type { Range } from './query';
import { dimensionSql, filterSql, IS_FIRST_VISIT, Params } from './sql-text';

const ROWS = 50;

/** A second column that goes with the value: the medium of a source, the source / medium of a campaign. */
function detailSql(by: StatsDimension): string {
  if (by === 'source') return 's.medium';
  if (by === 'campaign') return "s.source || ' / ' || s.medium";
  return "''";
}

export async function breakdownStats(ctx: StatsContext, by: StatsDimension): Promise<BreakdownStats> {
  const [rows, revenue, total, previous] = await rowsOf(ctx, [
    groupStatement(ctx, ctx.range, by, 'full'),
    revenueStatement(ctx, by),
    totalStatement(ctx),
    groupStatement(ctx, ctx.previous, by, 'brief'),
  ]);
  const key = (r: Row) => `${text(r.value)}\n${text(r.detail)}`;
  const money = new Map<string, { currency: string; amount: number }[]>();
  for (const r of revenue!) {
    const list = money.get(key(r)) ?? [];
    list.push({ currency: text(r.currency), amount: num(r.amount) });
    money.set(key(r), list);
  }
  const listed: BreakdownRow[] = rows!.map((r) => ({
    value: text(r.value),
    ...(by === 'source' || by === 'campaign' ? { detail: text(r.detail) } : {}),
    visitors: num(r.visitors),
    sessions: num(r.sessions),
    newVisitors: num(r.new_visitors),
    convertedSessions: num(r.converted),
    orders: num(r.orders),
    revenue: moneyList(money.get(key(r)) ?? [], ctx.currency),
  }));
  return {
    ...frameOf(ctx),
    by,
    rows: listed,
    otherSessions: num(total![0]?.sessions) - listed.reduce((sum, r) => sum + r.sessions, 0),
    previous: previous!.map((r) => ({
      value: text(r.value),
      ...(by === 'source' || by === 'campaign' ? { detail: text(r.detail) } : {}),
      sessions: num(r.sessions),
      convertedSessions: num(r.converted),
    })),
  };
}

function groupStatement(ctx: StatsContext, range: Range, by: StatsDimension, what: 'full' | 'brief'): D1PreparedStatement {
  const p = new Params();
  const people =
    what === 'full'
      ? `, COUNT(DISTINCT s.profile_id) AS visitors, COUNT(DISTINCT CASE WHEN ${IS_FIRST_VISIT} THEN s.profile_id END) AS new_visitors, SUM(s.orders) AS orders`
      : '';
  return statement(
    ctx.db,
    `SELECT ${dimensionSql(by)} AS value, ${detailSql(by)} AS detail, COUNT(*) AS sessions, SUM(s.orders > 0) AS converted${people}
     FROM stats_sessions s
     WHERE s.write_key = ${p.add(ctx.writeKey)} AND s.started_ms >= ${p.add(range.fromMs)} AND s.started_ms < ${p.add(range.toMs)}${filterSql(ctx.filters, p)}
     GROUP BY value, detail ORDER BY sessions DESC, value LIMIT ${ROWS}`,
    p,
  );
}

/** Order values of the period's visits, by value and currency. */
function revenueStatement(ctx: StatsContext, by: StatsDimension): D1PreparedStatement {
  const p = new Params();
  return statement(
    ctx.db,
    `SELECT ${dimensionSql(by)} AS value, ${detailSql(by)} AS detail, o.currency, SUM(o.value) AS amount
     FROM stats_sessions s JOIN stats_orders o ON o.write_key = s.write_key AND o.session_key = s.session_key
     WHERE s.write_key = ${p.add(ctx.writeKey)} AND s.started_ms >= ${p.add(ctx.range.fromMs)} AND s.started_ms < ${p.add(ctx.range.toMs)}${filterSql(ctx.filters, p)}
     GROUP BY value, detail, o.currency`,
    p,
  );
}

function totalStatement(ctx: StatsContext): D1PreparedStatement {
  const p = new Params();
  return statement(
    ctx.db,
    `SELECT COUNT(*) AS sessions FROM stats_sessions s
     WHERE s.write_key = ${p.add(ctx.writeKey)} AND s.started_ms >= ${p.add(ctx.range.fromMs)} AND s.started_ms < ${p.add(ctx.range.toMs)}${filterSql(ctx.filters, p)}`,
    p,
  );
}
