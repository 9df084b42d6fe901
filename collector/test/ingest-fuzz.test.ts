/** Property-based: random bodies never cause a 5xx, and nothing invalid is ever stored. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMessage } from '@trailmark/schema/message-schema';
import { createSite, drainAll, exportEvents, post } from './support/collector';

const id = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.constant(null), fc.constant(''));
const anyJson = fc.jsonValue({ maxDepth: 4 });

/** Messages near the valid shape, with random fields broken or missing. */
const nearMessage = fc.record(
  {
    type: fc.oneof(fc.constantFrom('track', 'page', 'screen', 'identify', 'group', 'alias'), fc.string({ maxLength: 8 }), anyJson),
    event: fc.oneof(fc.string({ maxLength: 20 }), anyJson),
    messageId: id,
    anonymousId: id,
    userId: id,
    previousId: id,
    groupId: id,
    timestamp: fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.string({ maxLength: 10 }),
      anyJson,
    ),
    properties: fc.oneof(fc.dictionary(fc.string({ maxLength: 6 }), anyJson, { maxKeys: 4 }), anyJson),
    context: fc.oneof(fc.dictionary(fc.string({ maxLength: 6 }), anyJson, { maxKeys: 3 }), anyJson),
    traits: anyJson,
  },
  { requiredKeys: [] },
);

const body = fc.oneof(
  { weight: 5, arbitrary: fc.record({ batch: fc.array(fc.oneof(nearMessage, anyJson), { maxLength: 8 }) }) },
  { weight: 1, arbitrary: anyJson },
  { weight: 1, arbitrary: fc.string({ maxLength: 50 }) },
);

describe('ingest under random input', () => {
  it('never answers 5xx, accounts for every message, and stores only valid ones', async () => {
    const writeKey = await createSite();
    let acceptedTotal = 0;
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        const text = typeof value === 'string' ? value : JSON.stringify(value);
        const res = await post('/v1/batch', text, { headers: { 'x-write-key': writeKey } });
        expect(res.status).toBeLessThan(500);
        if (res.status === 200) {
          const result = (await res.json()) as { accepted: number; rejected: unknown[] };
          const sent = (value as { batch: unknown[] }).batch.length;
          expect(result.accepted + result.rejected.length).toBe(sent);
          acceptedTotal += result.accepted;
        } else {
          expect(res.status).toBe(400);
        }
      }),
      { numRuns: 150, seed: 20261122 },
    );
    await drainAll(writeKey);
    const stored = await exportEvents(writeKey);
    // Duplicated messageIds in random input collapse to one stored event; never more than accepted.
    expect(stored.length).toBeLessThanOrEqual(acceptedTotal);
    expect(stored.length).toBeGreaterThan(0);
    for (const event of stored) {
      const { receivedAt, profileId, writeKey: _key, originalTimestamp: _o, ...message } = event;
      expect(parseMessage(message).ok, JSON.stringify(event)).toBe(true);
      expect(typeof profileId).toBe('string');
      expect(Number.isNaN(Date.parse(receivedAt))).toBe(false);
    }
  }, 60_000);
});
