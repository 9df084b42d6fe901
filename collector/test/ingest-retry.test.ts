/**
 * The ingest route survives a transient failure of its IngestShard call (lib/object-call.ts): the
 * batch is acknowledged once and stored once, even when the first attempt wrote it and only its
 * answer was lost. An overloaded object, or failures past the bound, still answer 503.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { OBJECT_CALL_ATTEMPTS } from '../src/lib/object-call';
import { browserShard } from '../src/storage/ingest-shard-choice';
import { BASE, createSite, drainAll, exportEvents, track, uniqueId } from './support/collector';

const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;

/** An error as the runtime throws it from a stub call. */
const runtimeError = (message: string, flags: { retryable?: boolean; overloaded?: boolean }) => Object.assign(new Error(message), flags);

type Accept = DurableObjectStub<import('../src/storage/ingest-shard').IngestShard>['accept'];
/** What an attempt does in place of the real call: fail before it, or after it wrote (its answer lost). */
type Failure = { before: Error } | { after: Error };

/**
 * The real INGEST_SHARD namespace, but the stubs it makes fail with `failures` in turn (one a
 * stub), then call through. Records which stub each accept went to.
 */
function flakyShards(failures: Failure[]) {
  const attempts: { stub: number; failed: boolean }[] = [];
  let made = 0;
  const namespace = {
    getByName(name: string) {
      const real = env.INGEST_SHARD.getByName(name);
      const stub = ++made;
      const failure = failures.shift();
      const accept = async (...args: Parameters<Accept>) => {
        attempts.push({ stub, failed: failure !== undefined });
        if (failure && 'before' in failure) throw failure.before;
        const seq = await real.accept(...args);
        if (failure && 'after' in failure) throw failure.after;
        return seq;
      };
      return { accept };
    },
  };
  return { attempts, namespace: namespace as unknown as Env['INGEST_SHARD'] };
}

function postBatch(namespace: Env['INGEST_SHARD'], writeKey: string, batch: Record<string, unknown>[]) {
  return createApp('').fetch(
    new Request(`${BASE}/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ writeKey, batch }) }),
    { ...env, INGEST_SHARD: namespace },
    ctx,
  );
}

describe('ingest: a transient IngestShard failure', () => {
  it('acknowledges a batch whose first accept wrote it but lost its answer, and stores it once', async () => {
    const writeKey = await createSite();
    const anonymousId = uniqueId('anon');
    const batch = [track({ anonymousId }), track({ anonymousId }), track({ anonymousId })];
    const flaky = flakyShards([{ after: runtimeError('Network connection lost.', { retryable: true }) }]);

    const res = await postBatch(flaky.namespace, writeKey, batch);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, accepted: 3 });
    expect(res.headers.get('trailmark-ack')).toBeTruthy();
    // The retry went to a new stub.
    expect(flaky.attempts).toEqual([
      { stub: 1, failed: true },
      { stub: 2, failed: false },
    ]);

    // Written twice, seen once: read-your-writes before the drain, the event log after it.
    const ids = batch.map((m) => m.messageId);
    const pending = (await browserShard(env, writeKey, anonymousId).pendingEvents({ anonymousId })) as unknown as { messageId: string }[];
    expect(pending.map((m) => m.messageId)).toEqual(ids);
    await drainAll(writeKey);
    expect((await exportEvents(writeKey)).map((e) => e.messageId).sort()).toEqual([...ids].sort());
  });

  it('acknowledges a batch whose first attempt never reached the object', async () => {
    const writeKey = await createSite();
    const batch = [track({ anonymousId: uniqueId('anon') })];
    const flaky = flakyShards([{ before: runtimeError('Durable Object reset because its code was updated.', { retryable: true }) }]);
    expect((await postBatch(flaky.namespace, writeKey, batch)).status).toBe(200);
    await drainAll(writeKey);
    expect((await exportEvents(writeKey)).map((e) => e.messageId)).toEqual([batch[0]!.messageId]);
  });

  it('answers 503 at once when the object is overloaded', async () => {
    const writeKey = await createSite();
    const flaky = flakyShards([{ before: runtimeError('Durable Object is overloaded.', { retryable: true, overloaded: true }) }]);
    const res = await postBatch(flaky.namespace, writeKey, [track()]);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(flaky.attempts).toHaveLength(1);
  });

  it('answers 503 when every attempt fails, after the bound', async () => {
    const writeKey = await createSite();
    const lost = () => ({ before: runtimeError('Network connection lost.', { retryable: true }) });
    const flaky = flakyShards(Array.from({ length: OBJECT_CALL_ATTEMPTS + 1 }, lost));
    const res = await postBatch(flaky.namespace, writeKey, [track()]);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: 'unavailable' });
    expect(flaky.attempts).toHaveLength(OBJECT_CALL_ATTEMPTS);
  });
});
