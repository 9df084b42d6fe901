/**
 * Destinations end to end, against `npm start`: a real HTTP receiver (a Node
 * server) that fails the first attempts and verifies every signature with
 * `standardwebhooks`; a segment destination delivering into a second site
 * of this same collector over HTTP; the demo receiver page that the seed
 * fills, screenshot at desktop and phone widths.
 */
import { expect, test } from '@playwright/test';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ADMIN_TOKEN, createSite, eventually, flakyReceiver } from './support';

const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };

test('a webhook that fails its first attempts is retried under one webhook-id until it is delivered, signed every time', async ({ baseURL }) => {
  let secret = '';
  const receiver = await flakyReceiver(() => secret, [503, 500, 200]);
  try {
    const writeKey = await createSite(baseURL!);
    const id = `e2e-hook-${Date.now().toString(36)}`;
    const put = await fetch(`${baseURL}/v1/admin/destinations/${id}?writeKey=${writeKey}`, {
      method: 'PUT',
      headers: admin,
      body: JSON.stringify({ url: receiver.url, audiences: ['e2e-audience'] }),
    });
    expect(put.status).toBe(200);
    ({ secret } = (await put.json()) as { secret: string });
    expect(secret).toMatch(/^whsec_/);

    const started = Date.now();
    expect((await fetch(`${baseURL}/v1/admin/destinations/${id}/test`, { method: 'POST', headers: admin })).status).toBe(200);
    await eventually(
      async () => receiver.arrivals.length,
      (n) => n >= 3,
      45_000,
    );

    const arrivals = receiver.arrivals;
    expect(arrivals.map((a) => a.answered)).toEqual([503, 500, 200]);
    expect(arrivals.every((a) => a.verified)).toBe(true);
    expect(new Set(arrivals.map((a) => a.webhookId)).size).toBe(1);
    // Retry-After: 1 was honoured: the second attempt came at least a second after the first.
    expect(arrivals[1]!.at - arrivals[0]!.at).toBeGreaterThanOrEqual(1000);
    expect(JSON.parse(arrivals[2]!.body)).toMatchObject({
      type: 'audience.entered',
      data: { audience: { id: 'test-audience' }, profile: { profileId: 'test-profile' } },
      test: true,
    });
    console.log(`delivered on the third attempt ${((arrivals[2]!.at - started) / 1000).toFixed(1)} s after the change`);

    const log = await eventually(
      async () =>
        ((await (await fetch(`${baseURL}/v1/admin/destinations/${id}/deliveries`, { headers: admin })).json()) as { deliveries: Record<string, any>[] })
          .deliveries,
      (entries) => entries.length >= 3,
    );
    expect(log.map((d) => [d.attempt, d.status, d.outcome])).toEqual([
      [3, 200, 'delivered'],
      [2, 500, 'failed'],
      [1, 503, 'failed'],
    ]);
    expect(new Set(log.map((d) => d.webhookId))).toEqual(new Set([arrivals[0]!.webhookId]));
    const shown = await (await fetch(`${baseURL}/v1/admin/destinations/${id}`, { headers: admin })).text();
    expect(shown).not.toContain(secret);
  } finally {
    await receiver.close();
  }
});

test('a segment destination delivers the audience as a trait to a second site of this collector', async ({ baseURL }) => {
  const source = await createSite(baseURL!);
  const target = await createSite(baseURL!);
  const id = `e2e-seg-${Date.now().toString(36)}`;
  const put = await fetch(`${baseURL}/v1/admin/destinations/${id}?writeKey=${source}`, {
    method: 'PUT',
    headers: admin,
    body: JSON.stringify({ url: baseURL, audiences: ['test-audience'], kind: 'segment', writeKey: target }),
  });
  expect(put.status).toBe(200);
  expect((await fetch(`${baseURL}/v1/admin/destinations/${id}/test`, { method: 'POST', headers: admin })).status).toBe(200);
  // Read the target site's export directly: the demo seed may still be filling other sites' backlog.
  const exported = async () =>
    (await (await fetch(`${baseURL}/v1/admin/export?writeKey=${target}`, { headers: admin })).text())
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  const events = await eventually(exported, (list) => list.length > 0, 60_000);
  expect(events).toEqual([
    expect.objectContaining({ type: 'identify', userId: 'test-user', anonymousId: 'test-anonymous-id', traits: { 'test-audience': true } }),
  ]);
  const profile = await fetch(`${baseURL}/v1/admin/profiles/test-user?writeKey=${target}`, { headers: admin });
  expect(profile.status).toBe(200);
  expect(await profile.json()).toMatchObject({ userId: 'test-user', anonymousIds: ['test-anonymous-id'] });
});

test('the demo receiver page shows the seeded test delivery, verified', async ({ page, baseURL }) => {
  test.setTimeout(240_000);
  // The seed registers the destination and sends its test first thing; its audience entries come as the
  // seeded shoppers are stored, which on a slow machine is minutes later: wait for one of those.
  await eventually(
    async () =>
      (
        (await (await fetch(`${baseURL}/dev/webhooks.json?destination=demo-webhooks&type=audience.entered`)).json()) as {
          receipts: { destinationId: string; type: string | null }[];
        }
      ).receipts,
    (receipts) => receipts.some((r) => r.destinationId === 'demo-webhooks' && r.type === 'audience.entered'),
    150_000,
  );
  const dir = path.resolve('test-results', 'screenshots');
  await mkdir(dir, { recursive: true });
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    // The seed's audiences deliver exits and campaign messages too, enough to push an entry out of the
    // last 50 between two looks: ask the page for entries only.
    await page.goto('/dev/webhooks?destination=demo-webhooks&type=audience.entered');
    const seeded = page.locator('li', { hasText: 'demo-webhooks' }).filter({ hasText: 'audience.entered' }).first();
    await expect(seeded).toContainText('signature verified');
    await expect(seeded).toContainText('audience.entered');
    await seeded.locator('details').evaluate((details) => ((details as HTMLDetailsElement).open = true));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(dir, `dev-webhooks-${width}.png`), fullPage: true });
  }
});
