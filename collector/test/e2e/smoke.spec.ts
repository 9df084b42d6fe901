import { expect, test } from '@playwright/test';

test('a browser page on another origin sends to the collector', async ({ page, baseURL }) => {
  await page.goto(`${baseURL}/healthz`);
  expect(await page.textContent('body')).toBe('ok');
});
