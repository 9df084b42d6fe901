import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { newSecret, sign, signatureHeader, webhookIdFor } from './signing';

describe('Standard Webhooks signing', () => {
  it('produces what the standardwebhooks package verifies', async () => {
    const secret = newSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const body = JSON.stringify({ type: 'audience.entered', data: { note: 'é ✓' } });
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(timestamp), 'webhook-signature': await sign(secret, 'msg_1', timestamp, body) };
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    // The reference implementation computes the same signature.
    expect(headers['webhook-signature']).toBe(new Webhook(secret).sign('msg_1', new Date(timestamp * 1000), body));
  });

  it('fails verification for another body, id, time or secret', async () => {
    const secret = newSecret();
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = await sign(secret, 'msg_1', timestamp, '{"a":1}');
    const verify =
      (s: string, body: string, id = 'msg_1', ts = timestamp) =>
      () =>
        new Webhook(s).verify(body, { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signature });
    expect(verify(secret, '{"a":2}')).toThrow();
    expect(verify(secret, '{"a":1}', 'msg_2')).toThrow();
    expect(verify(secret, '{"a":1}', 'msg_1', timestamp + 1)).toThrow();
    expect(verify(newSecret(), '{"a":1}')).toThrow();
  });

  it('signs with both secrets during a rotation, so either verifies', async () => {
    const [current, previous] = [newSecret(), newSecret()];
    const timestamp = Math.floor(Date.now() / 1000);
    const header = await signatureHeader([current, previous], 'msg_9', timestamp, 'x');
    expect(header.split(' ')).toHaveLength(2);
    for (const secret of [current, previous]) {
      expect(() =>
        new Webhook(secret).verify('x', { 'webhook-id': 'msg_9', 'webhook-timestamp': String(timestamp), 'webhook-signature': header }, { jsonParse: false }),
      ).not.toThrow();
    }
  });

  it('gives a change one webhook-id per destination', async () => {
    const id = await webhookIdFor('crm', 'aud:1:p:entered');
    expect(id).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(await webhookIdFor('crm', 'aud:1:p:entered')).toBe(id);
    expect(await webhookIdFor('sms', 'aud:1:p:entered')).not.toBe(id);
  });
});
