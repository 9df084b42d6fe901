import { Analytics } from '@segment/analytics-node';
import type { WebhookPayload } from '@trailmark/schema';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { buildRequest, PermanentFailure } from './delivery-request';
import { newSecret } from './signing';

const payload = (type: WebhookPayload['type'], profile: Partial<WebhookPayload['data']['profile']> = {}): WebhookPayload => ({
  type,
  timestamp: '2026-03-01T10:00:00.000Z',
  data: {
    audience: { id: 'idle_carts', name: 'Idle carts' },
    profile: {
      profileId: 'p1',
      userId: 'u1',
      anonymousIds: ['a1', 'a0'],
      traits: { email: 'x@example.com' },
      region: { country: 'DE' },
      lifecycle: 'active',
      ...profile,
    },
  },
});

/** What @segment/analytics-node sends for an identify: its request, and the one message in its batch. */
async function analyticsNodeIdentify(): Promise<{
  headers: Record<string, string>;
  url: string;
  message: Record<string, unknown>;
  body: Record<string, unknown>;
}> {
  let captured: { url: string; headers: Record<string, string>; body: string } | undefined;
  const analytics = new Analytics({
    writeKey: 'target-key',
    host: 'https://collector.example',
    flushAt: 1,
    httpClient: {
      async makeRequest(request) {
        captured = { url: request.url, headers: request.headers as Record<string, string>, body: request.body };
        return { status: 200, statusText: 'OK' };
      },
    },
  });
  analytics.identify({ userId: 'u1', anonymousId: 'a1', traits: { idle_carts: true } });
  await analytics.closeAndFlush();
  const body = JSON.parse(captured!.body) as { batch: Record<string, unknown>[] } & Record<string, unknown>;
  return { headers: captured!.headers, url: captured!.url, message: body.batch[0]!, body };
}

describe('segment destination requests', () => {
  it('look like what @segment/analytics-node sends: same headers, same message fields', async () => {
    const reference = await analyticsNodeIdentify();
    const ours = await buildRequest(
      { kind: 'segment', url: 'https://collector.example/', segmentWriteKey: 'target-key', secrets: [] },
      'msg_abc',
      payload('audience.entered'),
      Date.parse('2026-03-01T10:00:01Z'),
    );

    expect(ours.url).toBe('https://collector.example/v1/identify');
    const lower = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
    expect(Object.keys(lower(ours.headers)).sort()).toEqual(Object.keys(lower(reference.headers)).sort());
    expect(lower(ours.headers).authorization).toBe(lower(reference.headers).authorization);
    expect(lower(ours.headers)['content-type']).toBe(lower(reference.headers)['content-type']);

    const body = JSON.parse(ours.body) as Record<string, any>;
    // Every field analytics-node puts in an identify message (less its Node-specific _metadata) is in ours, with the same type.
    for (const [field, value] of Object.entries(reference.message)) {
      if (field === '_metadata') continue;
      expect(body, field).toHaveProperty(field);
      expect(typeof body[field], field).toBe(typeof value);
    }
    expect(Object.keys((body.context as object) ?? {})).toEqual(expect.arrayContaining(['library']));
    // And the request-level fields it sends next to the batch.
    expect(body.writeKey).toBe(reference.body.writeKey);
    expect(typeof body.sentAt).toBe('string');
    expect(body).toMatchObject({
      type: 'identify',
      userId: 'u1',
      anonymousId: 'a1',
      traits: { idle_carts: true },
      messageId: 'msg_abc',
      timestamp: '2026-03-01T10:00:00.000Z',
    });
    expect(body.traits).toEqual({ idle_carts: true });
  });

  it('sends false on leaving, and an anonymous person by anonymousId alone', async () => {
    const target = { kind: 'segment' as const, url: 'https://collector.example', segmentWriteKey: 'k', secrets: [] };
    const exited = JSON.parse((await buildRequest(target, 'msg_1', payload('audience.exited', { userId: null }), 0)).body);
    expect(exited).toMatchObject({ type: 'identify', anonymousId: 'a1', traits: { idle_carts: false } });
    expect(exited).not.toHaveProperty('userId');
    await expect(buildRequest(target, 'msg_2', payload('audience.entered', { userId: null, anonymousIds: [] }), 0)).rejects.toBeInstanceOf(PermanentFailure);
  });

  it('sends a campaign entry as a track of Campaign Entered', async () => {
    const entered = {
      ...payload('campaign.entered'),
      data: { ...payload('campaign.entered').data, campaign: { id: 'spring', name: 'Spring', offer: { coupon: 'SPRING10' } } },
    };
    const request = await buildRequest({ kind: 'segment', url: 'https://collector.example', segmentWriteKey: 'k', secrets: [] }, 'msg_3', entered, 0);
    expect(request.url).toBe('https://collector.example/v1/track');
    expect(JSON.parse(request.body)).toMatchObject({
      type: 'track',
      event: 'Campaign Entered',
      properties: { campaign_id: 'spring', audience_id: 'idle_carts', offer: { coupon: 'SPRING10' } },
    });
  });
});

describe('webhook destination requests', () => {
  it('post the payload to the URL, signed so standardwebhooks verifies it', async () => {
    const secret = newSecret();
    const request = await buildRequest(
      { kind: 'webhook', url: 'https://hooks.example.com/in?x=1', secrets: [secret] },
      'msg_7',
      payload('audience.entered'),
      Date.now(),
    );
    expect(request.url).toBe('https://hooks.example.com/in?x=1');
    expect(request.headers['content-type']).toBe('application/json');
    expect(new Webhook(secret).verify(request.body, request.headers)).toEqual(payload('audience.entered'));
  });
});
