/**
 * Every kind of storefront page, visited in turn: it loads without console
 * errors, has one h1, a language, a name for every form control and an alt
 * for every image, and the skip link is the first thing the keyboard reaches.
 */
import { type Page, expect, test } from '@playwright/test';
import { shopperBrowser, slotsSettled, watchConsole } from './support';

test.use({ launchOptions: shopperBrowser });

const PAGES = [
  '/',
  '/category/electronics',
  '/category/electronics/headphones',
  '/product/p00002',
  '/search?q=tea',
  '/search?q=zzzz',
  '/cart',
  '/checkout',
  '/account',
  '/order?id=nope',
  '/dashboard',
];

test('every page type loads cleanly and is usable with a keyboard and a screen reader', async ({ page }) => {
  test.setTimeout(120_000);
  const problems = watchConsole(page);
  for (const path of PAGES) {
    await page.goto(path);
    await slotsSettled(page);
    await expect(page.locator('h1:visible'), `${path}: one visible h1`).toHaveCount(1);
    expect(await page.getAttribute('html', 'lang'), path).toBe('en');
    expect(await unnamedControls(page), `${path}: form controls without a name`).toEqual([]);
    expect(await page.locator('img:not([alt])').count(), `${path}: images without alt`).toBe(0);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.className), `${path}: first Tab`).toBe('skip-link');
  }
  expect(problems()).toEqual([]);
});

test('the cart can be changed with the keyboard alone', async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto('/product/p00002');
  await page.getByLabel('Quantity').focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('2');
  await page.keyboard.press('Enter');
  await expect(page.locator('[data-cart-count]')).toHaveText('2');
  await page.goto('/cart');
  const more = page.getByRole('button', { name: 'One more' });
  await more.focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('.line output')).toHaveText('3');
  await page.getByRole('button', { name: /^Remove / }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByText('Your cart is empty.')).toBeVisible();
  await expect(page.locator('[data-cart-count]')).toHaveText('0');
  expect(problems()).toEqual([]);
});

function unnamedControls(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('input:not([type=hidden]), select, textarea, button')]
      .filter((el) => el.offsetParent !== null || el.getClientRects().length > 0)
      .filter((el) => {
        const labelled = (el as HTMLInputElement).labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
        return !labelled && !(el.tagName === 'BUTTON' && el.textContent?.trim());
      })
      .map((el) => el.outerHTML.slice(0, 120)),
  );
}
