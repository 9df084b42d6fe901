import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { StoredMessage } from '@trailmark/schema';
import { newIdentitySecret, userHashFor, userHashValid, verifiedMessage } from './user-hash';

const secret = newIdentitySecret();
const message = (fields: Record<string, unknown>, context: Record<string, unknown> = {}) =>
  ({ type: 'identify', messageId: 'm', anonymousId: 'a', ...fields, context: { geo: {}, device: {}, bot: false, ...context } }) as unknown as StoredMessage;

describe('userHash', () => {
  it('is hex(HMAC-SHA256(identitySecret, userId)), as a shop’s server computes it', async () => {
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(newIdentitySecret()).not.toBe(secret);
    const serverSide = createHmac('sha256', secret).update('customer-42').digest('hex');
    expect(await userHashFor(secret, 'customer-42')).toBe(serverSide);
    expect(await userHashValid(secret, 'customer-42', serverSide)).toBe(true);
    expect(await userHashValid(secret, 'customer-42', serverSide.toUpperCase())).toBe(true);
  });

  it('is not valid for another customer, another secret, or in another shape', async () => {
    const hash = await userHashFor(secret, 'customer-42');
    expect(await userHashValid(secret, 'customer-43', hash)).toBe(false);
    expect(await userHashValid(newIdentitySecret(), 'customer-42', hash)).toBe(false);
    expect(await userHashValid(undefined, 'customer-42', hash)).toBe(false);
    for (const bad of [undefined, null, '', 42, hash.slice(1), `${hash}00`, 'z'.repeat(64), { hash }]) {
      expect(await userHashValid(secret, 'customer-42', bad), String(bad)).toBe(false);
    }
  });

  it('is checked and taken off the message: only context.userVerified is stored', async () => {
    const hash = await userHashFor(secret, 'u1');
    const good = await verifiedMessage(message({ userId: 'u1' }, { userHash: hash, locale: 'de' }), secret);
    expect(good.context).toEqual({ geo: {}, device: {}, bot: false, locale: 'de', userVerified: true });
    const forged = await verifiedMessage(message({ userId: 'victim' }, { userHash: hash }), secret);
    expect(forged.context).toEqual({ geo: {}, device: {}, bot: false, userVerified: false });
    const noUser = await verifiedMessage(message({}, { userHash: hash }), secret);
    expect(noUser.context).toEqual({ geo: {}, device: {}, bot: false, userVerified: false });
    const none = message({ userId: 'u1' });
    expect(await verifiedMessage(none, secret)).toBe(none);
    expect((await verifiedMessage(message({ userId: 'u1' }, { userHash: null }), secret)).context).toEqual({ geo: {}, device: {}, bot: false });
  });
});
