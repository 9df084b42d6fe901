/**
 * GET /v1/admin/stats/slots: each recommendation slot's treatment group next
 * to its holdout. Two tables, one definition of money each: what was clicked
 * in the slot and then bought (item sales credited to the slot), and what
 * the shoppers who saw the slot spent afterwards (order values, in the site
 * currency; other currencies are listed apart and left out of the lift).
 */
import type { SlotGroupFigures, SlotsStats } from '@trailmark/schema';
import { frameOf, num, rowsOf, statement, text, type Row, type StatsContext } from './context';
import { moneyList, roundMoney } from './money';
import { daysOf } from './query';
import { rateLift, revenuePerShopperLift } from './slot-lift';
import { Params } from './sql-text';

/** A click-through rate's difference in words. */
const CLICKED = { verb: 'is clicked', more: 'more often', less: 'less often' };

type Variant = 'treatment' | 'control';

export async function slotsStats(ctx: StatsContext, holdoutPercent: number): Promise<SlotsStats> {
  const days = daysOf(ctx.range);
  const isoDay = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);
  const from = new Date(ctx.range.fromMs).toISOString();
  const to = new Date(ctx.range.toMs).toISOString();
  const q = (build: (p: Params) => string) => {
    const p = new Params();
    return statement(ctx.db, build(p), p);
  };
  const [engagement, credited, shoppers, other] = await rowsOf(ctx, [
    q(
      (p) => `SELECT slot, variant, SUM(impressions) AS impressions, SUM(clicks) AS clicks, SUM(adds) AS adds, SUM(orders) AS orders
              FROM stats_slots WHERE write_key = ${p.add(ctx.writeKey)} AND day >= ${p.add(isoDay(days.from))} AND day < ${p.add(isoDay(days.to))}
              GROUP BY slot, variant`,
    ),
    q(
      (p) => `SELECT slot, variant, currency, SUM(sales) AS amount FROM stats_slot_sales
              WHERE write_key = ${p.add(ctx.writeKey)} AND day >= ${p.add(days.from)} AND day < ${p.add(days.to)} GROUP BY slot, variant, currency`,
    ),
    q(
      (p) => `SELECT x.slot, x.variant, COUNT(*) AS shoppers, SUM(x.orders > 0) AS converted,
                     SUM(COALESCE(r.revenue, 0)) AS revenue, SUM(COALESCE(r.revenue, 0) * COALESCE(r.revenue, 0)) AS squares,
                     SUM(COALESCE(r.revenue, 0) > 0) AS buyers
              FROM stats_exposures x
              LEFT JOIN stats_exposure_revenue r ON r.write_key = x.write_key AND r.slot = x.slot AND r.variant = x.variant
                AND r.profile_id = x.profile_id AND r.currency = ${p.add(ctx.currency)}
              WHERE x.write_key = ${p.add(ctx.writeKey)} AND x.first_exposed >= ${p.add(from)} AND x.first_exposed < ${p.add(to)}
              GROUP BY x.slot, x.variant`,
    ),
    q(
      (p) => `SELECT x.slot, x.variant, r.currency, SUM(r.revenue) AS amount
              FROM stats_exposures x JOIN stats_exposure_revenue r ON r.write_key = x.write_key AND r.slot = x.slot AND r.variant = x.variant AND r.profile_id = x.profile_id
              WHERE x.write_key = ${p.add(ctx.writeKey)} AND x.first_exposed >= ${p.add(from)} AND x.first_exposed < ${p.add(to)} AND r.currency <> ${p.add(ctx.currency)}
              GROUP BY x.slot, x.variant, r.currency`,
    ),
  ]);
  const find = (rows: Row[], slot: string, variant: Variant) => rows.find((r) => r.slot === slot && r.variant === variant) ?? {};
  const money = (rows: Row[], slot: string, variant: Variant) =>
    moneyList(
      rows.filter((r) => r.slot === slot && r.variant === variant).map((r) => ({ currency: text(r.currency), amount: num(r.amount) })),
      ctx.currency,
    );
  const slotNames = [...new Set([...engagement!, ...shoppers!].map((r) => text(r.slot)))].sort();
  const slots = slotNames
    .map((slot) => {
      const group = (variant: Variant): SlotGroupFigures & { squares: number; buyers: number } => {
        const e = find(engagement!, slot, variant);
        const s = find(shoppers!, slot, variant);
        const n = num(s.shoppers);
        const revenue = num(s.revenue);
        return {
          impressions: num(e.impressions),
          clicks: num(e.clicks),
          ctr: num(e.impressions) > 0 ? num(e.clicks) / num(e.impressions) : null,
          creditedAdds: num(e.adds),
          creditedOrders: num(e.orders),
          creditedSales: money(credited!, slot, variant),
          shoppers: n,
          converted: num(s.converted),
          conversionRate: n > 0 ? num(s.converted) / n : null,
          revenue: roundMoney(revenue),
          revenuePerShopper: n > 0 ? roundMoney(revenue / n) : null,
          otherRevenue: money(other!, slot, variant).filter((m) => m.currency !== ctx.currency),
          squares: num(s.squares),
          buyers: num(s.buyers),
        };
      };
      const { squares: ts, buyers: tb, ...treatment } = group('treatment');
      const { squares: cs, buyers: cb, ...control } = group('control');
      return {
        slot,
        treatment,
        control,
        lift: {
          ctr: rateLift(
            { members: treatment.impressions, converted: treatment.clicks },
            { members: control.impressions, converted: control.clicks },
            'impressions',
            CLICKED,
          ),
          conversionRate: rateLift(
            { members: treatment.shoppers, converted: treatment.converted },
            { members: control.shoppers, converted: control.converted },
            'shoppers',
          ),
          revenuePerShopper: revenuePerShopperLift(
            { members: treatment.shoppers, revenue: treatment.revenue, revenueSquares: ts, buyers: tb },
            { members: control.shoppers, revenue: control.revenue, revenueSquares: cs, buyers: cb },
            ctx.currency,
          ),
        },
      };
    })
    .filter((s) => s.treatment.impressions + s.control.impressions + s.treatment.shoppers + s.control.shoppers > 0);
  return { ...frameOf(ctx), holdoutPercent, slots };
}
