import type { StoredMessage } from '@trailmark/schema';
import { describe, expect, it } from 'vitest';
import { MAX_MESSAGES_RETURNED, ownerKeys, PendingView } from './pending-view';

let n = 0;
const event = (anonymousId: string | undefined, userId?: string, productId = `p${n}`) =>
  ({
    type: 'track',
    event: 'Product Viewed',
    messageId: `m${n++}`,
    ...(anonymousId ? { anonymousId } : {}),
    ...(userId ? { userId } : {}),
    properties: { product_id: productId },
  }) as unknown as StoredMessage;
/** A request as the ingest route hands it over: its items as JSON, and the ids of its events. */
const request = (messages: StoredMessage[], rejected = 0) => ({
  owners: [...new Set(messages.flatMap((m) => ownerKeys(m)))],
  json: [
    JSON.stringify([
      ...messages.map((message) => ({ kind: 'event', message })),
      ...Array.from({ length: rejected }, () => ({ kind: 'rejected', rejected: {} })),
    ]),
  ],
});
const ids = (messages: StoredMessage[]) => messages.map((m) => m.messageId);

describe('the pending view of an IngestShard', () => {
  it('answers a browser with its own accepted events, in order, and nobody else’s', () => {
    const view = new PendingView();
    const a1 = [event('a'), event('a')];
    const b1 = [event('b')];
    const a2 = [event('a'), event('b')]; // a server batch naming two browsers
    for (const [i, messages] of [a1, b1, a2].entries()) {
      const r = request(messages, 1);
      view.add(r.owners, r.json, i + 1);
    }
    expect(ids(view.eventsOf({ anonymousId: 'a' }))).toEqual(ids([...a1, a2[0]!]));
    expect(ids(view.eventsOf({ anonymousId: 'b' }))).toEqual(ids([...b1, a2[1]!]));
    expect(view.eventsOf({ anonymousId: 'c' })).toEqual([]);
  });

  it('answers each messageId once when a batch was accepted twice', () => {
    const view = new PendingView();
    const batch = [event('a'), event('a')];
    const later = [event('a')];
    view.add(request(batch).owners, request(batch).json, 1);
    // The same batch again (a resend, or a retried accept whose first answer was lost), then a new one.
    view.add(request(batch).owners, request(batch).json, 2);
    view.add(request(later).owners, request(later).json, 3);
    expect(ids(view.eventsOf({ anonymousId: 'a' }))).toEqual(ids([...batch, ...later]));
  });

  it('finds a customer’s events by userId as well as by the browser', () => {
    const view = new PendingView();
    const anonymous = [event('laptop')];
    const loggedIn = [event('laptop', 'ada')];
    const server = [event(undefined, 'ada')];
    for (const [i, messages] of [anonymous, loggedIn, server].entries()) view.add(request(messages).owners, request(messages).json, i + 1);
    expect(ids(view.eventsOf({ anonymousId: 'laptop', userId: 'ada' }))).toEqual(ids([...anonymous, ...loggedIn, ...server]));
    expect(ids(view.eventsOf({ userId: 'ada' }))).toEqual(ids([...loggedIn, ...server]));
  });

  it('forgets what the drain has settled', () => {
    const view = new PendingView();
    const first = [event('a')];
    const second = [event('a')];
    view.add(request(first).owners, request(first).json, 3);
    view.add(request(second).owners, request(second).json, 5);
    view.forgetBefore(4); // rows 1–3 are gone, row 5 is still pending
    expect(ids(view.eventsOf({ anonymousId: 'a' }))).toEqual(ids(second));
    view.forgetBefore(Number.MAX_SAFE_INTEGER);
    expect(view.eventsOf({ anonymousId: 'a' })).toEqual([]);
    expect(view.size).toEqual({ entries: 0, chars: 0 });
  });

  it('stays within its bounds: per browser, per answer, per request and in all', () => {
    const view = new PendingView({ totalChars: 20_000, entryChars: 5_000, perOwner: 4 });
    for (let i = 0; i < 10; i++) {
      const r = request([event('busy')]);
      view.add(r.owners, r.json, i);
    }
    expect(view.eventsOf({ anonymousId: 'busy' })).toHaveLength(4);
    const bulk = request(Array.from({ length: 100 }, () => event('importer')));
    view.add(bulk.owners, bulk.json, 20);
    expect(view.eventsOf({ anonymousId: 'importer' })).toEqual([]);
    for (let i = 0; i < 200; i++) {
      const r = request([event(`v${i}`)]);
      view.add(r.owners, r.json, 30 + i);
    }
    expect(view.size.chars).toBeLessThanOrEqual(20_000);
    expect(view.eventsOf({ anonymousId: 'v199' })).toHaveLength(1);
    expect(view.eventsOf({ anonymousId: 'v0' })).toEqual([]); // evicted, oldest first

    const many = new PendingView();
    const r = request(Array.from({ length: MAX_MESSAGES_RETURNED + 10 }, () => event('many')));
    many.add(r.owners, r.json, 1);
    const answer = many.eventsOf({ anonymousId: 'many' });
    expect(answer).toHaveLength(MAX_MESSAGES_RETURNED);
    expect(answer.at(-1)!.messageId).toBe(`m${n - 1}`); // the latest
  });

  it('is rebuilt from events already read', () => {
    const view = new PendingView();
    const row = [event('a'), event('b', 'bob')];
    view.addEvents(row, 7, 500);
    expect(ids(view.eventsOf({ anonymousId: 'b' }))).toEqual(ids([row[1]!]));
    expect(ids(view.eventsOf({ userId: 'bob' }))).toEqual(ids([row[1]!]));
    view.forgetBefore(8);
    expect(view.eventsOf({ anonymousId: 'a' })).toEqual([]);
  });
});
