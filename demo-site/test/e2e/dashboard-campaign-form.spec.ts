/**
 * The dashboard's campaign form: a marketer creates a campaign on one of the
 * demo's audiences; a refused one (a holdout above 90%) shows the problem
 * beside its field, and a saved one appears in the list. At 1280 px and on
 * a 390 px phone, without sideways scrolling.
 */
import { expect, test } from '@playwright/test';
import { ADMIN_TOKEN, WRITE_KEY, screenshot, shopperBrowser, waitForDemoSeed, watchConsole } from './support';

test.use({ launchOptions: shopperBrowser });

test.beforeAll(async () => {
  await waitForDemoSeed();
});

const AUDIENCE = 'bavaria-shoppers';

for (const width of [1280, 390] as const) {
  test(`a campaign is refused beside its field, then created and listed at ${width} px`, async ({ page, baseURL }) => {
    // The refused campaign is a 400 the browser logs as a failed load.
    const problems = watchConsole(page, ['/v1/admin/campaigns/']);
    await page.setViewportSize({ width, height: 900 });
    await page.addInitScript((token) => localStorage.setItem('trailmark-dashboard:admin-token', token), ADMIN_TOKEN);
    const id = `dash-campaign-${width}`;

    await page.goto('/dashboard#/campaigns');
    const body = page.locator('[data-view-body="campaigns"]');
    const form = body.locator('[data-campaign-form]');
    await expect(form).toBeVisible({ timeout: 30_000 });
    await expect(body.locator('[data-campaign]')).not.toHaveCount(0);

    // The defaults the form starts with.
    await expect(form.getByLabel('Holdout (% kept as control)')).toHaveValue('50');
    await expect(form.getByLabel('Goal event')).toHaveValue('Order Completed');
    await expect(form.getByLabel('Window (days)')).toHaveValue('3');

    await form.getByLabel('Campaign id').fill(id);
    await form.getByLabel('Name').fill(`Bavaria: boots at ${width} px`);
    await form.getByLabel('Audience').selectOption(AUDIENCE);
    // Starts later: a scheduled campaign assigns nobody, so the demo's own campaigns are left as they are.
    await form.getByLabel('Starts').fill('2099-01-01T00:00');
    await form.getByLabel('Offer title').fill('15% off winter boots');
    await form.getByLabel('Coupon code').fill('BOOTS15');

    // 95% held out: the collector refuses it, and the form says so beside the holdout.
    const holdout = form.getByLabel('Holdout (% kept as control)');
    await holdout.fill('95');
    await form.getByRole('button', { name: 'Save campaign' }).click();
    await expect(holdout).toHaveAttribute('aria-invalid', 'true');
    await expect(form.locator('#campaign-holdoutPercent-error')).toContainText('from 0 to 90');
    await expect(holdout).toBeFocused();
    await expect(body.locator(`[data-campaign="${id}"]`)).toHaveCount(0);

    await holdout.fill('30');
    await form.getByRole('button', { name: 'Save campaign' }).click();
    const listed = body.locator(`[data-campaign="${id}"]`);
    await expect(listed).toBeVisible();
    await expect(listed).toContainText(`Audience ${AUDIENCE}`);
    await expect(listed).toContainText('30% held out as control');
    await expect(listed).toContainText('scheduled');
    await expect(holdout).not.toHaveAttribute('aria-invalid', 'true');
    await expect(form.locator('#campaign-holdoutPercent-error')).toBeEmpty();
    await expect(form).toContainText(`Saved campaign ${id}`);

    const headers = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const saved = (await (await fetch(`${baseURL}/v1/admin/campaigns/${id}?writeKey=${WRITE_KEY}`, { headers })).json()) as {
      campaign: Record<string, unknown>;
    };
    expect(saved.campaign).toMatchObject({
      audienceId: AUDIENCE,
      holdoutPercent: 30,
      windowDays: 3,
      goal: { event: 'Order Completed' },
      offer: { title: '15% off winter boots', coupon: 'BOOTS15' },
      destinations: [],
    });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    await form.scrollIntoViewIfNeeded();
    await screenshot(page, `dashboard-campaign-form-${width}`);

    // Removed again, so other tests see the demo's campaigns only.
    expect((await fetch(`${baseURL}/v1/admin/campaigns/${id}?writeKey=${WRITE_KEY}`, { method: 'DELETE', headers })).status).toBe(200);
    expect(problems()).toEqual([]);
  });
}
