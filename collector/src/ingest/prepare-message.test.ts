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
const track = (extra: Record<string, unknown> = {}) => ({
  type: 'track',
  event: 'Product Viewed',
  anonymousId: 'x',
  messageId: 'm1',
  properties: { product_id: 'p' },
  ...extra,
});

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

describe('the stored message', () => {
  it('leaves the message it was given unchanged', () => {
    const raw = track({ context: { ip: '192.0.2.1', page: { url: 'https://shop.example/?utm_source=news' }, userAgent: 'Mozilla/5.0' } });
    const before = JSON.stringify(raw);
    prepareMessage(raw, facts());
    expect(JSON.stringify(raw)).toBe(before);
  });

  it('keeps the message’s context over the batch’s, without the IP address of either', () => {
    const prepared = prepareMessage(
      track({ context: { locale: 'fr-FR', ip: '192.0.2.1' } }),
      facts({ context: { locale: 'en-US', ip: '198.51.100.7', library: { name: 'analytics-node' } }, geo: { country: 'FR' } }),
    );
    expect(prepared.outcome).toBe('accepted');
    if (prepared.outcome !== 'accepted') return;
    expect(prepared.message.context).toEqual({
      locale: 'fr-FR',
      library: { name: 'analytics-node' },
      geo: { country: 'FR' },
      device: { type: 'server' },
      bot: false,
    });
    expect(Object.keys(JSON.parse(JSON.stringify(prepared.message.context)))).toEqual(['locale', 'library', 'geo', 'device', 'bot']);
  });

  it('fills in the times, the receipt and the enrichment in the order they are stored', () => {
    const prepared = prepareMessage(
      track({ writeKey: 'site-a', originalTimestamp: '2026-03-31T23:59:00.000Z', context: { page: { search: '?utm_campaign=spring' } } }),
      facts(),
    );
    if (prepared.outcome !== 'accepted') throw new Error(prepared.outcome);
    expect(JSON.stringify(prepared.message)).toBe(
      JSON.stringify({
        messageId: 'm1',
        anonymousId: 'x',
        context: { page: { search: '?utm_campaign=spring' }, campaign: { name: 'spring' }, geo: {}, device: { type: 'server' }, bot: false },
        type: 'track',
        event: 'Product Viewed',
        properties: { product_id: 'p' },
        receivedAt: '2026-04-01T00:00:00.000Z',
        timestamp: '2026-03-31T23:59:00.000Z',
        originalTimestamp: '2026-03-31T23:59:00.000Z',
      }),
    );
  });
});

describe('a body whose text is plain (inspect-json.ts, plainJsonText)', () => {
  it('gives each message the same outcome as a full inspection', () => {
    const deep = (levels: number): unknown => (levels === 0 ? 1 : { x: deep(levels - 1) });
    const messages = [
      track(),
      track({ properties: { product_id: 'p', deep: deep(20) } }),
      track({ properties: { deep: deep(40) } }),
      { type: 'page', anonymousId: 'x' },
    ];
    for (const message of messages) {
      expect(prepareMessage(structuredClone(message), facts({ plainText: true }))).toEqual(prepareMessage(structuredClone(message), facts()));
    }
    expect(prepareMessage(messages[2], facts({ plainText: true }))).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/nested deeper than/) });
  });
});
