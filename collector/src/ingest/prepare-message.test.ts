import { describe, expect, it } from 'vitest';
import { prepareMessage, type RequestFacts } from './prepare-message';

const facts = (extra: Partial<RequestFacts> = {}): RequestFacts => ({
  receivedAtMs: Date.UTC(2026, 3, 1),
  receivedAt: new Date(Date.UTC(2026, 3, 1)).toISOString(),
  geo: {},
  browserUserAgent: undefined,
  sentAt: undefined,
  context: undefined,
  requireConsent: false,
  pathType: undefined,
  requestBytes: 100,
  writeKey: 'site-a',
  bodyWriteKey: undefined,
  ...extra,
});
const track = (extra: Record<string, unknown> = {}) => ({ type: 'track', event: 'Product Viewed', anonymousId: 'x', messageId: 'm1', properties: { product_id: 'p' }, ...extra });

describe('a message naming another site', () => {
  it('is rejected with a reason when it carries another write key', () => {
    const prepared = prepareMessage(track({ writeKey: 'site-b' }), facts());
    expect(prepared).toEqual({
      outcome: 'rejected',
      messageId: 'm1',
      reason: 'writeKey "site-b" names another site than the one this request is sent to ("site-a"): send each site\'s messages with its own write key',
    });
  });

  it('is rejected when the body names another site than the request’s key', () => {
    expect(prepareMessage(track(), facts({ bodyWriteKey: 'site-b' })).outcome).toBe('rejected');
    // A message's own key wins over the body's.
    expect(prepareMessage(track({ writeKey: 'site-a' }), facts({ bodyWriteKey: 'site-b' })).outcome).toBe('accepted');
  });

  it('is accepted when it names the same site, or none', () => {
    for (const writeKey of ['site-a', ' site-a ', undefined, null, '']) {
      const prepared = prepareMessage(track({ writeKey }), facts());
      expect(prepared.outcome, String(writeKey)).toBe('accepted');
      if (prepared.outcome === 'accepted') expect(prepared.message).not.toHaveProperty('writeKey');
    }
  });
});
