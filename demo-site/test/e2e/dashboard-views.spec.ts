/**
 * Every view of the dashboard on the seeded demo, at 1280 px and on a
 * 390 px phone: each fills with figures (the seed is meant to leave no
 * panel empty), nothing makes the page scroll sideways, nothing is cut off,
 * the console stays clean; the people behind a funnel step and a lifecycle
 * stage open as a list and download as CSV; filters and the funnel's steps
 * work from the keyboard. Screenshots of every view at both widths land in
 * test-results/screenshots/dashboard-<view>-<width>.png.
 */
import { type Page, expect, test } from '@playwright/test';
import { ADMIN_TOKEN, screenshot, shopperBrowser, waitForDemoSeed, watchConsole } from './support';

test.use({ launchOptions: shopperBrowser });

const WIDTHS = [1280, 390] as const;
const VIEWS = [
  'overview',
  'acquisition',
  'funnel',
  'search',
  'retention',
  'lifecycle',
  'slots',
  'campaigns',
  'audiences',
  'regions',
  'live',
  'shopper',
] as const;

test.beforeAll(async () => {
  await waitForDemoSeed();
});

/** Opens a view with the token already in the browser, and waits until it has drawn. */
async function openView(page: Page, view: string, query = ''): Promise<void> {
  await page.goto(`/dashboard#/${view}${query}`);
  const section = page.locator(`[data-view="${view}"]`);
  await expect(section).toBeVisible();
  await expect(section.locator('[data-view-body] > *').first()).toBeVisible({ timeout: 30_000 });
  await expect(section).not.toHaveAttribute('aria-busy', 'true', { timeout: 30_000 });
}

/**
 * Elements whose content is wider than their box (cut off, or scrolling
 * sideways). Left out on purpose: single-line ellipses, and what is hidden
 * for screen readers only (a 1 px box).
 */
function clipped(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>('[data-dashboard] *, .toolbar *')) {
      if (el.closest('.u-wrap') || el.offsetParent === null || el.clientWidth <= 1) continue;
      const style = getComputedStyle(el);
      if (style.textOverflow === 'ellipsis') continue;
      if (['hidden', 'clip', 'auto', 'scroll'].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1) {
        found.push(`${el.tagName.toLowerCase()}.${el.className} (${el.scrollWidth} > ${el.clientWidth})`);
      }
    }
    return found;
  });
}

for (const width of WIDTHS) {
  test.describe(`at ${width} px`, () => {
    test.use({ viewport: { width, height: 900 }, timezoneId: 'UTC', locale: 'en-US' });

    test('every view fills with figures, fits the screen and cuts nothing off', async ({ page }) => {
      test.setTimeout(180_000);
      const problems = watchConsole(page);
      await page.addInitScript((token) => localStorage.setItem('trailmark-dashboard:admin-token', token), ADMIN_TOKEN);
      for (const view of VIEWS) {
        await openView(page, view, view === 'shopper' ? '?id=demo-anna-schmidt' : '');
        const body = page.locator(`[data-view-body="${view}"]`);
        switch (view) {
          case 'overview':
            await expect(body.locator('[data-kpi="Visitors"] .kpi-value')).not.toHaveText('0');
            await expect(body.locator('[data-kpi="Revenue"] .money-main')).toHaveText(/^\$[\d,]+\.\d\d$/);
            await expect(body.locator('.u-wrap canvas').first()).toBeVisible();
            break;
          case 'acquisition':
            await expect(body.locator('tbody tr')).not.toHaveCount(0);
            await expect(body).toContainText('google');
            break;
          case 'funnel':
            await expect(body.locator('[data-funnel-count="Order Completed"]')).not.toHaveText('0');
            break;
          case 'search':
            await expect(body.getByRole('heading', { name: 'Searches that found nothing' })).toBeVisible();
            await expect(
              body.locator('section', { has: page.getByRole('heading', { name: 'Searches that found nothing' }) }).locator('tbody tr'),
            ).not.toHaveCount(0);
            break;
          case 'retention':
            await expect(body.locator('.cohort-cell').first()).toBeVisible();
            break;
          case 'lifecycle':
            await expect(body.locator('[data-lifecycle="active"]')).not.toHaveText('0');
            break;
          case 'slots':
            // Enough holdout shoppers for an interval on the home slot's conversion lift, said in words.
            await expect(body.locator('[data-slot="home"] .lift-ci').first()).toBeVisible();
            await expect(body.locator('[data-slot="home"] .lift-verdict').nth(1)).toContainText('95% interval');
            break;
          case 'campaigns':
            // The demo's campaigns, each with its groups and a verdict in words.
            await expect(body.locator('[data-campaign]')).not.toHaveCount(0);
            await expect(body.locator('[data-campaign] .lift-verdict').first()).not.toBeEmpty();
            break;
          case 'audiences':
            await expect(body.locator('[data-audience-csv]')).not.toHaveCount(0);
            break;
          case 'regions':
            await expect(body.locator('tbody tr')).not.toHaveCount(0);
            break;
          case 'live':
            await expect(body.locator('.stream-row').first()).toBeVisible();
            break;
          case 'shopper':
            await expect(body.locator('.profile-form')).toBeVisible();
            break;
        }
        expect(await page.evaluate(() => document.documentElement.scrollWidth), `${view}: no sideways scroll`).toBeLessThanOrEqual(width);
        expect(await clipped(page), `${view}: nothing cut off`).toEqual([]);
        await screenshot(page, `dashboard-${view}-${width}`);
      }
      // The shopper look-up of an id nobody has answers 404, which the page reports in words.
      expect(problems().filter((p) => !p.includes('404'))).toEqual([]);
    });
  });
}

test('the people behind a funnel step open as a list, go to their profile, and download as CSV', async ({ page }) => {
  await page.addInitScript((token) => localStorage.setItem('trailmark-dashboard:admin-token', token), ADMIN_TOKEN);
  await page.setViewportSize({ width: 1280, height: 900 });
  await openView(page, 'funnel', '?period=30d');
  const dialog = page.getByRole('dialog');
  await page
    .getByRole('button', { name: /^Dropped after/ })
    .nth(1)
    .click();
  await expect(dialog.getByRole('heading', { name: /went no further/ })).toBeVisible();
  await expect(dialog.getByRole('status')).toContainText(/\d+ (person|people); showing \d+/);
  const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Download CSV' }).click()]);
  expect(download.suggestedFilename()).toBe('funnel-step-2-dropped.csv');
  const csv = await (await download.createReadStream()).toArray();
  expect(Buffer.concat(csv).toString('utf8').split('\r\n')[0]).toBe(
    'profileId,userId,anonymousIds,userIds,country,region,device,firstSeen,lastSeen,orders,enteredAt',
  );
  await dialog.locator('tbody .id-button').first().click();
  await expect(dialog).toBeHidden();
  await expect(page.locator('[data-view="shopper"] .profile')).toBeVisible();
  await expect(page).toHaveURL(/#\/shopper\?(.*&)?id=/);
});

for (const width of WIDTHS) {
  test(`a funnel step's people kept as a static audience are listed with the audiences, at ${width} px`, async ({ page }) => {
    await page.addInitScript((token) => localStorage.setItem('trailmark-dashboard:admin-token', token), ADMIN_TOKEN);
    await page.setViewportSize({ width, height: 900 });
    await openView(page, 'funnel', '?period=30d');
    const dialog = page.getByRole('dialog');
    await page
      .getByRole('button', { name: /^Dropped after/ })
      .nth(width === 1280 ? 1 : 0)
      .click();
    const status = dialog.locator('p.note[role="status"]').first();
    await expect(status).toContainText(/\d+ (person|people); showing \d+/);
    const total = Number((await status.textContent())!.match(/^([\d,]+) (person|people)/)![1]!.replace(/,/g, ''));
    await dialog.locator('[data-keep-list]').click();
    const kept = dialog.locator('[data-keep-status]');
    await expect(kept).toContainText(`: ${total.toLocaleString('en-US')} ${total === 1 ? 'person' : 'people'}`, { timeout: 30_000 });
    await expect(kept).toContainText(
      /Kept as the audience “People who reached “.+” and went no further \(\d{4}-\d{2}-\d{2}\)” \(kept-funnel-step-\d-dropped-\d{12}\)/,
    );
    expect(await clipped(page)).toEqual([]);
    await screenshot(page, `dashboard-people-kept-${width}`);
    const id = (await kept.textContent())!.match(/\((kept-funnel-step-\d-dropped-\d{12})\)/)![1]!;
    await kept.getByRole('link', { name: 'Audiences' }).click();
    await expect(dialog).toBeHidden();
    const row = page.locator('[data-view-body="audiences"] tr', { has: page.locator(`[data-audience-csv="${id}"]`) });
    await expect(row).toHaveCount(1);
    await expect(row.locator('[data-audience-kind="static"]')).toContainText(/A kept list\. Funnel .+ step \d and no further, within \d+ h/);
    await expect(row.locator(`[data-audience-csv="${id}"]`)).toHaveText(`CSV (${total.toLocaleString('en-US')})`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    await screenshot(page, `dashboard-audiences-kept-${width}`);
    const [download] = await Promise.all([page.waitForEvent('download'), row.locator(`[data-audience-csv="${id}"]`).click()]);
    const csv = Buffer.concat(await (await download.createReadStream()).toArray()).toString('utf8');
    expect(
      csv
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n'),
    ).toHaveLength(total + 1);
  });
}

test('a lifecycle stage lists its members', async ({ page }) => {
  await page.addInitScript((token) => localStorage.setItem('trailmark-dashboard:admin-token', token), ADMIN_TOKEN);
  await openView(page, 'lifecycle');
  const count = Number((await page.locator('[data-lifecycle="at-risk"]').textContent())!.replace(/,/g, ''));
  await page
    .getByRole('button', { name: /^List \(/ })
    .nth(2)
    .click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByRole('status')).toContainText(`${count.toLocaleString('en-US')} ${count === 1 ? 'person' : 'people'}`);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  // The focus goes back to the button that opened the list.
  await expect(page.getByRole('button', { name: /^List \(/ }).nth(2)).toBeFocused();
});

test('a lifecycle stage kept as an audience is listed with the audiences and downloads its members', async ({ page }) => {
  await page.addInitScript((token) => localStorage.setItem('trailmark-dashboard:admin-token', token), ADMIN_TOKEN);
  await openView(page, 'lifecycle');
  await page.locator('[data-keep-audience="at-risk"]').click();
  await expect(page.locator('[data-audience-status]')).toContainText('Kept as the audience “At-risk shoppers” (lifecycle-at-risk');
  await page.locator('[data-audience-status]').getByRole('link', { name: 'Audiences' }).click();
  const row = page.locator('[data-view-body="audiences"] tr', { hasText: 'At-risk shoppers' });
  await expect(row).toHaveCount(1);
  const [download] = await Promise.all([page.waitForEvent('download'), row.locator('[data-audience-csv="lifecycle-at-risk"]').click()]);
  expect(download.suggestedFilename()).toBe('audience-lifecycle-at-risk.csv');
  const csv = Buffer.concat(await (await download.createReadStream()).toArray()).toString('utf8');
  expect(csv.replace(/^\uFEFF/, '').split('\r\n')[0]).toMatch(/^profileId,/);
});

test('filters and funnel steps work from the keyboard, and the address keeps them', async ({ page }) => {
  await page.addInitScript((token) => localStorage.setItem('trailmark-dashboard:admin-token', token), ADMIN_TOKEN);
  await openView(page, 'overview');
  const visitors = async () => Number((await page.locator('[data-kpi="Visitors"] .kpi-value').textContent())!.replace(/,/g, ''));
  const all = await visitors();
  // A filter: visits from mobile devices only.
  await page.getByText('Add a filter').focus();
  await page.keyboard.press('Enter');
  await page.getByLabel('Visits where').selectOption('device');
  await expect(page.getByLabel('is', { exact: true }).locator('option', { hasText: 'mobile' })).toHaveCount(1);
  await page
    .getByLabel('is', { exact: true })
    .selectOption({ label: (await page.getByLabel('is', { exact: true }).locator('option', { hasText: 'mobile' }).textContent()) ?? '' });
  await page.getByRole('button', { name: 'Filter', exact: true }).press('Enter');
  await expect(page).toHaveURL(/device=mobile/);
  await expect(page.getByRole('list', { name: 'Filters in use' })).toContainText('Device: mobile');
  await expect.poll(visitors).toBeLessThan(all);
  // The filter follows to another view, by keyboard.
  await page.getByRole('navigation', { name: 'Dashboard sections' }).getByRole('link', { name: 'Funnel' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 2, name: 'Funnel' })).toBeFocused();
  await expect(page).toHaveURL(/#\/funnel\?device=mobile/);
  // A step removed and one added back: the address names the steps.
  await page.getByRole('button', { name: 'Remove step 3' }).press('Enter');
  await expect(page.locator('[data-funnel-count]')).toHaveCount(3);
  await expect(page).toHaveURL(/step=Product\+Viewed&step=Product\+Added&step=Order\+Completed/);
  await page.getByRole('button', { name: 'Remove the filter Device: mobile' }).press('Enter');
  await expect(page).not.toHaveURL(/device=mobile/);
});
