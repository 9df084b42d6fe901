/**
 * The outbox's replay over sql.js: only the latest change of each person and
 * audience is sent again, so a replay never leaves a receiver with an older
 * state than the one it was last sent.
 */
import type { ChangeType } from '@trailmark/schema';
import { describe, expect, it } from 'vitest';
import { migrate } from '../lib/migrate';
import { openSqlJs } from '../lib/sqljs-sql';
import { DEDUPE_WINDOW_MS, Outbox, OUTBOX_MIGRATIONS, type AttemptResult, type OutboxItem } from './outbox';

const HOUR = 3600_000;
const LEASE = 70_000;
const ok: AttemptResult = { status: 200, durationMs: 1, error: null, response: null, retryAfterMs: null };
const down: AttemptResult = { status: 502, durationMs: 1, error: 'HTTP 502', response: null, retryAfterMs: null };

async function openOutbox() {
  const { sql } = await openSqlJs();
  migrate(sql, OUTBOX_MIGRATIONS);
  return { sql, outbox: new Outbox(sql) };
}

function item(key: string, type: ChangeType, profileId = 'p1', audience = 'aud-1'): OutboxItem {
  return {
    key,
    webhookId: `msg_${key}`,
    type,
    profileId,
    orderingKey: `${profileId}\n${audience}`,
    payload: { type, timestamp: '2026-12-01T00:00:00.000Z', data: { audience: { id: audience, name: audience }, profile: { profileId } } } as never,
  };
}

/** Runs what is due at `now` against a receiver, as the alarm would; what it took, in order. */
function deliverDue(outbox: Outbox, now: number, answer: (type: ChangeType) => AttemptResult): string[] {
  const sent: string[] = [];
  for (let delivery = outbox.claimNext(now, LEASE); delivery; delivery = outbox.claimNext(now, LEASE)) {
    const result = answer(delivery.type);
    outbox.settle(delivery, result, now, () => 1);
    if (result.status === 200) sent.push(delivery.webhookId);
  }
  return sent;
}

/** The receiver takes every "exited" and refuses every "entered" for 30 hours: the entry dies, the exit behind it is delivered. */
function enteredDeadAfterExitedDelivered(outbox: Outbox, start: number): { now: number; sent: string[] } {
  const sent: string[] = [];
  let now = start;
  for (; now <= start + 30 * HOUR; now += HOUR) sent.push(...deliverDue(outbox, now, (type) => (type === 'audience.exited' ? ok : down)));
  return { now, sent };
}

const stateOf = (sql: Awaited<ReturnType<typeof openOutbox>>['sql'], key: string) =>
  sql.exec<{ state: string; payload: string | null }>('SELECT state, payload FROM outbox WHERE change_key = ?', key).one();

describe('Outbox.replay', () => {
  it('skips a dead "entered" whose later "exited" was delivered, marking it superseded', async () => {
    const { sql, outbox } = await openOutbox();
    const start = Date.UTC(2026, 11, 1);
    outbox.enqueue([item('in', 'audience.entered'), item('out', 'audience.exited')], start);
    const { now, sent } = enteredDeadAfterExitedDelivered(outbox, start);
    expect(sent).toEqual(['msg_out']);
    expect(outbox.counts()).toMatchObject({ pending: 0, dead: 1, delivered: 1 });

    expect(outbox.replay(undefined, now)).toEqual({ replayed: 0, superseded: 1 });
    expect(deliverDue(outbox, now + HOUR, () => ok)).toEqual([]);
    expect(stateOf(sql, 'in')).toEqual({ state: 'superseded', payload: null });
    expect(outbox.counts()).toMatchObject({ pending: 0, dead: 0, delivered: 1 });
    // Named again: still skipped, and still counted.
    expect(outbox.replay(['msg_in'], now)).toEqual({ replayed: 0, superseded: 1 });
    // The producer sending the same change again adds nothing.
    expect(outbox.enqueue([item('in', 'audience.entered')], now)).toEqual({ added: 0, duplicates: 1 });
  });

  it('replays only the latest dead change per person and audience, and the other dead ones as they are', async () => {
    const { sql, outbox } = await openOutbox();
    const start = Date.UTC(2026, 11, 1);
    outbox.enqueue([item('in', 'audience.entered'), item('out', 'audience.exited'), item('other', 'audience.entered', 'p2')], start);
    let now = start;
    for (; now <= start + 60 * HOUR; now += HOUR) deliverDue(outbox, now, () => down);
    expect(outbox.counts()).toMatchObject({ pending: 0, dead: 3 });

    expect(outbox.replay(undefined, now)).toEqual({ replayed: 2, superseded: 1 });
    expect(deliverDue(outbox, now, () => ok).sort()).toEqual(['msg_other', 'msg_out']);
    expect(stateOf(sql, 'in').state).toBe('superseded');
  });

  it('skips a dead change whose later change is still pending', async () => {
    const { outbox } = await openOutbox();
    const start = Date.UTC(2026, 11, 1);
    outbox.enqueue([item('in', 'audience.entered')], start);
    let now = start;
    for (; now <= start + 30 * HOUR; now += HOUR) deliverDue(outbox, now, () => down);
    outbox.enqueue([item('out', 'audience.exited')], now);
    expect(outbox.replay(['msg_in'], now)).toEqual({ replayed: 0, superseded: 1 });
    expect(deliverDue(outbox, now, () => ok)).toEqual(['msg_out']);
  });

  it('still skips it after the delivered later change has left the dedupe window', async () => {
    const { sql, outbox } = await openOutbox();
    const start = Date.UTC(2026, 11, 1);
    outbox.enqueue([item('in', 'audience.entered'), item('out', 'audience.exited')], start);
    const { now } = enteredDeadAfterExitedDelivered(outbox, start);
    const later = now + DEDUPE_WINDOW_MS + HOUR;
    outbox.prune(later);
    expect(outbox.counts()).toMatchObject({ pending: 0, dead: 0, delivered: 0 });
    expect(stateOf(sql, 'in')).toEqual({ state: 'superseded', payload: null });
    expect(outbox.replay(undefined, later)).toEqual({ replayed: 0, superseded: 0 });
    expect(deliverDue(outbox, later, () => ok)).toEqual([]);
    // Its key goes a window later, like a delivered one's.
    outbox.prune(later + DEDUPE_WINDOW_MS + HOUR);
    expect(sql.exec('SELECT change_key FROM outbox').toArray()).toEqual([]);
  });

  it('replays a dead change that is the latest of its person and audience, under its webhook-id', async () => {
    const { outbox } = await openOutbox();
    const start = Date.UTC(2026, 11, 1);
    outbox.enqueue([item('in', 'audience.entered')], start);
    let now = start;
    for (; now <= start + 30 * HOUR; now += HOUR) deliverDue(outbox, now, () => down);
    expect(outbox.replay(['msg_in'], now)).toEqual({ replayed: 1, superseded: 0 });
    expect(deliverDue(outbox, now, () => ok)).toEqual(['msg_in']);
  });
});
