/**
 * The dashboard's figures are the stored events, counted: every number
 * GET /v1/admin/stats gives for a period is recounted here from
 * GET /v1/admin/export (non-bot events whose timestamp falls in the period;
 * the funnel in people, by its definition) and must match exactly. Periods
 * are whole UTC days, so the hourly and daily buckets the stats are kept in
 * fall exactly inside them.
 */
import { expect, test } from '@playwright/test';
import { funnelOf } from '../../../collector/test/support/recount';
import { adminJson, exportAll, openDashboard, shopperBrowser, type StoredEvent, waitForDemoSeed, waitUntilStored, watchConsole } from './support';

test.use({ launchOptions: shopperBrowser });

interface Money {
  currency: string;
  amount: number;
}
interface Stats {
  currency: string;
  events: { total: number; byType: Record<string, number>; byEvent: Record<string, number> };
  funnel: { step: string; count: number }[];
  regions: { country: string; region: string; views: number; units: number; sales: Money[] }[];
  slots: { slot: string; treatment: SlotFigures; control: SlotFigures }[];
  lifecycle: { counts: Record<string, number> };
}
interface SlotFigures {
  impressions: number;
  clicks: number;
  creditedAdds: number;
  creditedOrders: number;
  creditedSales: Money[];
}
interface SlotCounts {
  impressions: number;
  clicks: number;
  adds: number;
  orders: number;
  revenue: number;
}

const DAY = 86_400_000;
const FUNNEL = ['Product Viewed', 'Product Added', 'Checkout Started', 'Order Completed'];

test.beforeAll(async () => {
  await waitForDemoSeed();
});

test('the stats equal counts computed from the exported events', async ({ baseURL }) => {
  const today = Math.floor(Date.now() / DAY) * DAY;
  const from = new Date(today - 120 * DAY).toISOString();
  const to = new Date(today + DAY).toISOString();
  // A consistent snapshot: the export has not changed while the stats were read.
  let events: StoredEvent[] = [];
  let stats: Stats | undefined;
  for (let attempt = 0; attempt < 5 && !stats; attempt++) {
    await waitUntilStored(baseURL!);
    const first = await exportAll(baseURL!);
    const read = await adminJson<Stats>(baseURL!, `/v1/admin/stats?writeKey=demo-write-key&from=${from}&to=${to}`);
    events = await exportAll(baseURL!);
    if (events.length === first.length) stats = read;
  }
  if (!stats) throw new Error('The event log kept changing; no consistent snapshot.');

  const shoppers = events.filter((e) => !e.context?.bot);
  const counted = countStats(shoppers.filter((e) => e.timestamp >= from && e.timestamp < to));
  // The seed alone is thousands of events; a comparison of two empty sets would prove nothing.
  expect(counted.total).toBeGreaterThan(1000);
  expect(stats.events.total).toBe(counted.total);
  expect(stats.events.byType).toEqual(counted.byType);
  expect(stats.events.byEvent).toEqual(counted.byEvent);
  // People, not events: each shopper once per step, in order, within a day of their first product view.
  const people = funnelOf(shoppers, FUNNEL, DAY, Date.parse(from), Date.parse(to));
  expect(stats.funnel.map((s) => [s.step, s.count])).toEqual(FUNNEL.map((step, i) => [step, people[i]!.length]));

  const usd = (money: Money[]) => money.find((m) => m.currency === 'USD')?.amount ?? 0;
  const regions = Object.fromEntries(stats.regions.map((r) => [`${r.country}/${r.region}`, { views: r.views, units: r.units, revenue: usd(r.sales) }]));
  expect(Object.keys(regions).sort()).toEqual(Object.keys(counted.regions).sort());
  for (const [key, figures] of Object.entries(counted.regions)) {
    expect(regions[key]!.views, `${key} views`).toBe(figures.views);
    expect(regions[key]!.units, `${key} units`).toBe(figures.units);
    expect(regions[key]!.revenue, `${key} revenue`).toBeCloseTo(figures.revenue, 2);
  }

  const slots = Object.fromEntries(
    stats.slots.flatMap((s) =>
      (['treatment', 'control'] as const).map((v) => [
        `${s.slot}/${v}`,
        { impressions: s[v].impressions, clicks: s[v].clicks, adds: s[v].creditedAdds, orders: s[v].creditedOrders, revenue: usd(s[v].creditedSales) },
      ]),
    ),
  );
  const seen = Object.keys(slots).filter((key) => slots[key]!.impressions + slots[key]!.clicks + slots[key]!.adds + slots[key]!.orders > 0);
  expect(seen.sort()).toEqual(Object.keys(counted.slots).sort());
  for (const [key, figures] of Object.entries(counted.slots)) {
    const { impressions, clicks, adds, orders, revenue } = slots[key]!;
    expect({ impressions, clicks, adds, orders }, key).toEqual({
      impressions: figures.impressions,
      clicks: figures.clicks,
      adds: figures.adds,
      orders: figures.orders,
    });
    expect(revenue, `${key} revenue`).toBeCloseTo(figures.revenue, 2);
  }
  // The seed shows slots to visitors in both groups, so the comparison covers the holdout too.
  expect(Object.keys(counted.slots).some((key) => key.endsWith('/control'))).toBe(true);
});

test('stats for a period without events are zeros, on the API and on the dashboard', async ({ baseURL, page }) => {
  const stats = await adminJson<Stats>(baseURL!, '/v1/admin/stats?writeKey=demo-write-key&from=2001-01-01T00:00:00Z&to=2001-01-08T00:00:00Z');
  expect(stats.events).toMatchObject({ total: 0, byType: {}, byEvent: {} });
  expect(stats.funnel.map((s) => s.count)).toEqual([0, 0, 0, 0]);
  expect(stats.regions).toEqual([]);
  expect(stats.slots).toEqual([]);

  const problems = watchConsole(page);
  await openDashboard(page);
  await page.getByLabel('Period', { exact: true }).selectOption('custom');
  await page.getByLabel('From', { exact: true }).fill('2001-01-01');
  await page.getByLabel('to', { exact: true }).fill('2001-01-07');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page.locator('[data-updated]')).toContainText('2001-01-01 to 2001-01-07');
  for (const kpi of ['Visitors', 'Sessions', 'Shoppers', 'Orders']) await expect(page.locator(`[data-kpi="${kpi}"] .kpi-value`)).toHaveText('0');
  await expect(page.locator('[data-kpi="Revenue"] .money-main')).toHaveText('$0.00');
  const sections = page.getByRole('navigation', { name: 'Dashboard sections' });
  await sections.getByRole('link', { name: 'Funnel' }).click();
  for (const step of FUNNEL) await expect(page.locator(`[data-funnel-count="${step}"]`)).toHaveText('0');
  await sections.getByRole('link', { name: 'Recommendations' }).click();
  await expect(page.getByText('No slot was seen in this period.')).toBeVisible();
  await sections.getByRole('link', { name: 'Regions' }).click();
  await expect(page.getByText('No product views or orders in this period.')).toBeVisible();
  expect(problems()).toEqual([]);
});

/** What the stats triggers count, counted again from the events themselves. */
function countStats(events: StoredEvent[]) {
  const byType: Record<string, number> = {};
  const byEvent: Record<string, number> = {};
  const regions: Record<string, { views: number; units: number; revenue: number }> = {};
  const slots: Record<string, SlotCounts> = {};
  const add = <K extends string>(counts: Record<K, number>, key: K, n = 1) => (counts[key] = (counts[key] ?? 0) + n);
  const region = (e: StoredEvent) => (regions[`${e.context?.geo?.country ?? ''}/${e.context?.geo?.region ?? ''}`] ??= { views: 0, units: 0, revenue: 0 });
  const slot = (name: string, variant: string) => (slots[`${name}/${variant}`] ??= { impressions: 0, clicks: 0, adds: 0, orders: 0, revenue: 0 });
  const lineRevenue = (p: Record<string, any>) => (typeof p.price === 'number' ? p.price : 0) * (typeof p.quantity === 'number' ? p.quantity : 1);

  for (const e of events) {
    add(byType, e.type);
    if (e.type === 'track' && e.event) add(byEvent, e.event);
    const props = e.properties ?? {};
    const products: Record<string, any>[] = Array.isArray(props.products) ? props.products.filter((p: any) => p?.product_id != null) : [];
    if (e.event === 'Product Viewed' && props.product_id != null) region(e).views++;
    if (e.event === 'Order Completed') {
      for (const p of products) {
        region(e).units += typeof p.quantity === 'number' ? p.quantity : 1;
        region(e).revenue += lineRevenue(p);
      }
    }
    if ((e.event === 'Recommendation Viewed' || e.event === 'Recommendation Clicked') && props.slot != null) {
      const s = slot(props.slot, props.variant ?? 'treatment');
      if (e.event === 'Recommendation Viewed') s.impressions++;
      else s.clicks++;
    }
    const credits: { slot: string; variant: string; productId: string }[] = Array.isArray(e.context?.attribution) ? e.context.attribution : [];
    if (e.event === 'Product Added' || e.event === 'Order Completed') {
      for (const credit of credits) {
        const s = slot(credit.slot, credit.variant);
        if (e.event === 'Product Added') s.adds++;
        else {
          s.orders++;
          s.revenue += products.filter((p) => String(p.product_id) === credit.productId).reduce((sum, p) => sum + lineRevenue(p), 0);
        }
      }
    }
  }
  return { total: events.length, byType, byEvent, regions, slots };
}
