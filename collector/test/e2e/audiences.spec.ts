/**
 * Audiences end to end, against `npm start`: how long an event takes to
 * change a membership through the public API (accept → drain → profile
 * host), an audience change delivered to a real HTTP receiver that fails its
 * first attempt and verifies every signature with `standardwebhooks`, a
 * segment destination carrying the audience into a second site of this same
 * collector (where it is a trait another audience can use), and the demo
 * seed's audiences with their deliveries on the receiver page.
 */
import { expect, test } from '@playwright/test';
import { ADMIN_TOKEN, createSite, eventually, flakyReceiver } from './support';

const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
const tent = { product_id: 'tent-1', category: 'Outdoor > Tents', price: 120 };
const VIEWED_TENTS = { fact: 'viewedCategory', category: 'Outdoor > Tents', withinMinutes: 30, op: 'gte', value: 1 };

async function putAudience(baseURL: string, writeKey: string, id: string, definition: unknown): Promise<void> {
  const res = await fetch(`${baseURL}/v1/admin/audiences/${id}?writeKey=${writeKey}`, {
    method: 'PUT',
    headers: admin,
    body: JSON.stringify({ name: id, definition }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  await eventually(
    async () =>
      ((await (await fetch(`${baseURL}/v1/admin/audiences/${id}?writeKey=${writeKey}`, { headers: admin })).json()) as { audience: { status: string } })
        .audience.status,
    (status) => status === 'ready',
  );
}

async function memberIds(baseURL: string, writeKey: string, id: string): Promise<string[]> {
  const res = await fetch(`${baseURL}/v1/admin/audiences/${id}/members?writeKey=${writeKey}`, { headers: admin });
  return (await res.text())
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { anonymousIds: string[] }).anonymousIds[0]!);
}

/** A shopper's browser: Node's own user agent is a bot's, and bots change no profile. */
const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/147.0.0.0 Safari/537.36';

async function send(baseURL: string, writeKey: string, batch: Record<string, unknown>[]): Promise<void> {
  const res = await fetch(`${baseURL}/v1/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': BROWSER },
    body: JSON.stringify({ writeKey, batch }),
  });
  expect(res.status).toBe(200);
}

const view = (anonymousId: string) => ({
  type: 'track',
  event: 'Product Viewed',
  anonymousId,
  messageId: `m-${Math.random().toString(36).slice(2)}`,
  properties: tent,
});

test('an event changes a membership within moments, through the public API', async ({ baseURL }) => {
  const writeKey = await createSite(baseURL!);
  await putAudience(baseURL!, writeKey, 'tents', VIEWED_TENTS);
  const latencies: number[] = [];
  for (let i = 0; i < 5; i++) {
    const shopper = `live-${i}-${Date.now().toString(36)}`;
    const sent = Date.now();
    await send(baseURL!, writeKey, [view(shopper)]);
    // Polled every 50 ms: the figure is accept → drain → membership, as an admin reading it sees it.
    for (;;) {
      if ((await memberIds(baseURL!, writeKey, 'tents')).includes(shopper)) break;
      expect(Date.now() - sent, 'the shopper never entered the audience').toBeLessThan(20_000);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    latencies.push(Date.now() - sent);
  }
  latencies.sort((a, b) => a - b);
  console.log(`event → membership: median ${latencies[2]} ms, max ${latencies[4]} ms (5 shoppers, polled every 50 ms)`);
  expect(await memberIds(baseURL!, writeKey, 'tents')).toHaveLength(5);
});

test('an audience change reaches a real receiver, retried under one webhook-id and signed every time', async ({ baseURL }) => {
  let secret = '';
  const receiver = await flakyReceiver(() => secret, [503, 200]);
  try {
    const writeKey = await createSite(baseURL!);
    const id = `e2e-aud-hook-${Date.now().toString(36)}`;
    const put = await fetch(`${baseURL}/v1/admin/destinations/${id}?writeKey=${writeKey}`, {
      method: 'PUT',
      headers: admin,
      body: JSON.stringify({ url: receiver.url, audiences: ['tents'] }),
    });
    ({ secret } = (await put.json()) as { secret: string });
    await putAudience(baseURL!, writeKey, 'tents', VIEWED_TENTS);
    const shopper = `hooked-${Date.now().toString(36)}`;
    await send(baseURL!, writeKey, [
      { type: 'identify', anonymousId: shopper, userId: `c-${shopper}`, traits: { email: 'e2e@example.com' }, messageId: `m-${shopper}` },
      view(shopper),
    ]);
    await eventually(
      async () => receiver.arrivals.length,
      (n) => n >= 2,
      45_000,
    );
    const arrivals = receiver.arrivals;
    expect(arrivals.map((a) => [a.verified, a.answered])).toEqual([
      [true, 503],
      [true, 200],
    ]);
    expect(new Set(arrivals.map((a) => a.webhookId)).size).toBe(1);
    expect(JSON.parse(arrivals[1]!.body)).toMatchObject({
      type: 'audience.entered',
      data: {
        audience: { id: 'tents', name: 'tents' },
        profile: { userId: `c-${shopper}`, anonymousIds: [shopper], traits: { email: 'e2e@example.com' }, lifecycle: 'new' },
      },
    });
  } finally {
    await receiver.close();
  }
});

test('a segment destination carries the audience into a second site, where it is a trait audiences can use', async ({ baseURL }) => {
  const source = await createSite(baseURL!);
  const target = await createSite(baseURL!);
  const id = `e2e-aud-seg-${Date.now().toString(36)}`;
  const put = await fetch(`${baseURL}/v1/admin/destinations/${id}?writeKey=${source}`, {
    method: 'PUT',
    headers: admin,
    body: JSON.stringify({ url: baseURL, audiences: ['tents'], kind: 'segment', writeKey: target }),
  });
  expect(put.status).toBe(200);
  await putAudience(baseURL!, source, 'tents', VIEWED_TENTS);
  // In the second site, the first site's audience is the trait "tents".
  await putAudience(baseURL!, target, 'from-source', { fact: 'trait.tents', op: 'eq', value: true });
  const shopper = `seg-${Date.now().toString(36)}`;
  await send(baseURL!, source, [view(shopper)]);
  const members = await eventually(
    () => memberIds(baseURL!, target, 'from-source'),
    (ids) => ids.length > 0,
    45_000,
  );
  expect(members).toEqual([shopper]);
});

test('the demo seed saves example audiences and subscribes the demo webhook to them', async ({ baseURL }) => {
  const list = (await (await fetch(`${baseURL}/v1/admin/audiences?writeKey=demo-write-key`, { headers: admin })).json()) as { audiences: { id: string }[] };
  // The campaigns' seed saves audiences of its own on the same site.
  expect(list.audiences.map((a) => a.id)).toEqual(
    expect.arrayContaining(['bavaria-shoppers', 'browsing-electronics', 'due-to-reorder', 'idle-carts', 'sleeping-high-spenders']),
  );
  const destination = (await (await fetch(`${baseURL}/v1/admin/destinations/demo-webhooks`, { headers: admin })).json()) as {
    destination: { audiences: string[] };
  };
  expect(destination.destination.audiences).toEqual(expect.arrayContaining(['browsing-electronics', 'idle-carts', 'due-to-reorder', 'sleeping-high-spenders']));
  // The seeded shoppers' entries (and, for old carts and views, exits) arrive at the receiver page, verified.
  const delivered = ['browsing-electronics', 'idle-carts', 'due-to-reorder', 'sleeping-high-spenders'];
  const ofDemoAudiences = <R extends { destinationId: string; body: string }>(receipts: R[]) =>
    receipts.filter((r) => r.destinationId === 'demo-webhooks' && delivered.some((id) => r.body.includes(`"audience":{"id":"${id}"`)));
  const receipts = await eventually(
    async () =>
      ((await (await fetch(`${baseURL}/dev/webhooks.json`)).json()) as { receipts: { destinationId: string; verified: boolean; body: string }[] }).receipts,
    (list) => ofDemoAudiences(list).length > 0,
    120_000,
  );
  expect(ofDemoAudiences(receipts).length).toBeGreaterThan(0);
  expect(ofDemoAudiences(receipts).every((r) => r.verified)).toBe(true);
});
