/**
 * The dashboard's rules view: a merchandiser lists, adds, previews, edits
 * and removes merchandising rules; a refused rule shows each problem beside
 * its field. At 1280 px and on a 390 px phone, without sideways scrolling.
 */
import { expect, test } from '@playwright/test';
import { ADMIN_TOKEN, WRITE_KEY, screenshot, shopperBrowser, waitForDemoSeed, watchConsole } from './support';

test.use({ launchOptions: shopperBrowser });

test.beforeAll(async () => {
  await waitForDemoSeed();
});

for (const width of [1280, 390] as const) {
  test(`rules are listed, added, previewed, edited and removed at ${width} px`, async ({ page, baseURL }) => {
    // The refused rule is a 400 the browser logs as a failed load.
    const problems = watchConsole(page, ['/v1/admin/rules/']);
    await page.setViewportSize({ width, height: 900 });
    await page.addInitScript((token) => localStorage.setItem('trailmark-dashboard:admin-token', token), ADMIN_TOKEN);
    const trending = (await (await fetch(`${baseURL}/v1/recommendations?writeKey=${WRITE_KEY}&slot=trending&limit=6`)).json()) as {
      items: { productId: string }[];
    };
    const product = trending.items.at(-1)!.productId;
    const id = `dash-pin-${width}`;

    await page.goto('/dashboard#/rules');
    const body = page.locator('[data-view-body="rules"]');
    await expect(body.locator('[data-rule-form]')).toBeVisible({ timeout: 30_000 });

    // A pin at position 0: the collector refuses it, and says so beside the position.
    await body.getByLabel('Rule id').fill(id);
    await body.getByLabel('Action').selectOption('pin');
    await body.getByLabel('Products').fill(product);
    await body.getByLabel('Position (pin)').fill('0');
    await body.getByRole('button', { name: 'Save rule' }).click();
    const position = body.getByLabel('Position (pin)');
    await expect(position).toHaveAttribute('aria-invalid', 'true');
    await expect(body.locator('#rule-position-error')).toContainText('1-based');
    await expect(position).toBeFocused();

    // Previewed before it is saved: the product first, pinned by this rule.
    await position.fill('1');
    await body.getByRole('button', { name: 'Preview' }).click();
    const firstRow = body.locator('[data-rule-preview] tbody tr').first();
    await expect(firstRow).toContainText(product);
    await expect(firstRow).toContainText(`pinned (${id})`);
    await expect(position).not.toHaveAttribute('aria-invalid', 'true');

    await body.getByRole('button', { name: 'Save rule' }).click();
    await expect(body.locator(`[data-rule="${id}"]`)).toBeVisible();
    await expect(body.locator(`[data-rule="${id}"]`)).toContainText('active');
    const saved = (await (
      await fetch(`${baseURL}/v1/admin/rules/${id}?writeKey=${WRITE_KEY}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
    ).json()) as { rule: Record<string, unknown> };
    expect(saved.rule).toMatchObject({ slots: ['home'], action: 'pin', products: [product], position: 1 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    await screenshot(page, `dashboard-rules-${width}`);

    // Edited: the form takes the rule; saving replaces it.
    await body.getByRole('button', { name: `Edit ${id}` }).click();
    await expect(body.getByLabel('Rule id')).toHaveValue(id);
    await body.getByLabel('Position (pin)').fill('2');
    await body.getByRole('button', { name: 'Save rule' }).click();
    await expect(body.locator('tr', { has: page.locator(`[data-rule="${id}"]`) })).toContainText('at position 2');

    await body.getByRole('button', { name: `Remove ${id}` }).click();
    await expect(body.locator(`[data-rule="${id}"]`)).toHaveCount(0);
    await expect(body).toContainText(`Removed rule ${id}.`);
    expect(problems()).toEqual([]);
  });
}
