/**
 * The dashboard's door: a wrong admin token gets a clear message and no
 * data, whether typed in or left in the browser from before; the right one,
 * entered with the keyboard alone, opens it.
 */
import { expect, test } from '@playwright/test';
import { ADMIN_TOKEN, shopperBrowser, waitForDemoSeed, watchConsole } from './support';

test.use({ launchOptions: shopperBrowser });

// The dashboard's slot table needs the seeded slot visitors.
test.beforeAll(async () => {
  await waitForDemoSeed();
});

const REFUSED = /refused this admin token/;

test('a wrong admin token gets a clear message and no data', async ({ page }) => {
  // The refused requests are the point of this test; the browser logs each one.
  const problems = watchConsole(page, ['/v1/admin/']);
  await page.goto('/dashboard');
  await page.getByLabel('Admin token').fill('not-the-token');
  await page.getByRole('button', { name: 'Open' }).click();
  await expect(page.getByRole('alert')).toHaveText(REFUSED);
  await expect(page.locator('[data-dashboard]')).toBeHidden();
  await expect(page.locator('.kpi, .stream-row, .slot, table.data')).toHaveCount(0);
  expect(await page.evaluate(() => localStorage.getItem('trailmark-dashboard:admin-token'))).toBeNull();
  expect(problems()).toEqual([]);
});

test('a token stored earlier and no longer valid is refused the same way', async ({ page }) => {
  watchConsole(page, ['/v1/admin/']);
  await page.addInitScript(() => localStorage.setItem('trailmark-dashboard:admin-token', 'an-old-token'));
  await page.goto('/dashboard');
  await expect(page.getByRole('alert')).toHaveText(REFUSED);
  await expect(page.locator('[data-dashboard]')).toBeHidden();
  await expect(page.locator('.kpi')).toHaveCount(0);
});

test('the right token, typed with the keyboard, opens the dashboard and is remembered', async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto('/dashboard');
  for (let tab = 0; tab < 10 && !(await page.getByLabel('Admin token').evaluate((el) => el === document.activeElement)); tab++) {
    await page.keyboard.press('Tab');
  }
  await page.keyboard.type(ADMIN_TOKEN);
  await page.keyboard.press('Enter');
  await expect(page.locator('[data-kpi="Visitors"] .kpi-value')).not.toHaveText('');
  await expect(page.locator('.u-wrap canvas').first()).toBeVisible();
  await page.reload();
  await expect(page.locator('[data-kpi="Visitors"] .kpi-value')).toBeVisible();
  await expect(page.locator('[data-token-gate]')).toBeHidden();
  expect(problems()).toEqual([]);
});
