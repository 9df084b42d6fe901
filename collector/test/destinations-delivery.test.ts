/**
 * Delivering to destinations, inside the Workers runtime: signing verified
 * with `standardwebhooks`, idempotent enqueue, the 24-hour retry schedule on
 * a hand-moved clock, Retry-After, dead deliveries and replay, erasure,
 * ordering, timeouts, the concurrency bound, redirects, DNS re-checks, one
 * destination never waiting for another, and the segment kind delivering
 * into this collector itself.
 */
import { SELF, env, runInDurableObject } from 'cloudflare:test';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DestinationOutbox } from '../src/destinations/destination-outbox';
import { destinationStub } from '../src/destinations/destination-directory';
import { cancelForProfiles, enqueueChanges } from '../src/destinations/producer';
import { useResolver } from '../src/destinations/resolver';
import { backoffCeiling, RETRY_WINDOW_MS } from '../src/destinations/retry-schedule';
import { ADMIN, BASE, createSite, drainAll, exportEvents, post, track, uniqueId } from './support/collector';
import { admin, change, createWebhookDestination, deliverDue, deliveries, FakeClock, putDestination, script } from './support/destinations';

afterEach(() => {
  useResolver();
  vi.restoreAllMocks();
});

const ok = () => new Response('ok');
const status =
  (code: number, headers: Record<string, string> = {}) =>
  () =>
    new Response(`status ${code}`, { status: code, headers });
const headersOf = (request: Request) => Object.fromEntries(request.headers);

describe('webhook deliveries', () => {
  it('are signed per Standard Webhooks: standardwebhooks verifies them', async () => {
    const writeKey = await createSite();
    const { id, secret } = await createWebhookDestination(writeKey);
    const received = await script(id, ok, new FakeClock());
    const entered = change();
    expect(await enqueueChanges(env, writeKey, [entered])).toEqual({ enqueued: 1, duplicates: 0, skipped: 0, unrouted: 0 });
    expect(await deliverDue(id)).toMatchObject({ attempted: 1, delivered: 1 });

    expect(received).toHaveLength(1);
    const { request, body } = received[0]!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('http://localhost:9/hook');
    expect(request.headers.get('content-type')).toBe('application/json');
    expect(request.headers.get('webhook-id')).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(request.headers.get('webhook-signature')).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    const payload = new Webhook(secret).verify(body, headersOf(request));
    expect(payload).toEqual({ type: 'audience.entered', timestamp: entered.timestamp, data: entered.data });
    expect(() => new Webhook(secret).verify(body.replace('active', 'lapsed'), headersOf(request))).toThrow();

    const log = await deliveries(id);
    expect(log.deliveries).toEqual([
      expect.objectContaining({
        webhookId: request.headers.get('webhook-id'),
        type: 'audience.entered',
        attempt: 1,
        status: 200,
        outcome: 'delivered',
        error: null,
      }),
    ]);
    expect(log.deliveries[0]!.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('are enqueued once per change key, however often the producer retries', async () => {
    const writeKey = await createSite();
    const { id } = await createWebhookDestination(writeKey);
    const received = await script(id, ok, new FakeClock());
    const entered = change({ key: 'aud-1:p:entered:1' });
    await enqueueChanges(env, writeKey, [entered]);
    expect(await enqueueChanges(env, writeKey, [entered, entered])).toMatchObject({ enqueued: 0, duplicates: 2 });
    await deliverDue(id);
    expect(await enqueueChanges(env, writeKey, [entered])).toMatchObject({ enqueued: 0, duplicates: 1 });
    await deliverDue(id);
    expect(received).toHaveLength(1);
  });

  it('are retried with exponential backoff for 24 hours under one webhook-id, then kept as dead', async () => {
    const writeKey = await createSite();
    const { id } = await createWebhookDestination(writeKey);
    const clock = new FakeClock();
    const received = await script(id, status(500), clock, { random: () => 1 });
    await enqueueChanges(env, writeKey, [change()]);

    const start = clock.now;
    const times: number[] = [];
    for (let i = 0; i < 60; i++) {
      const run = await deliverDue(id);
      expect(run.attempted).toBe(1);
      times.push(clock.now);
      const [last] = (await deliveries(id, '?limit=1')).deliveries;
      if (last!.outcome === 'dead') break;
      expect(last!.outcome).toBe('failed');
      const next = Date.parse(last!.nextAttemptAt);
      // Not a moment before it is due.
      clock.now = next - 1;
      expect((await deliverDue(id)).attempted).toBe(0);
      clock.now = next;
    }
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // Full jitter drawn at its top: each wait is the ceiling, 5 s doubling up to 4 h.
    expect(gaps).toEqual(gaps.map((_, i) => backoffCeiling(i + 1)));
    expect(gaps.slice(0, 4)).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(Math.max(...gaps)).toBe(4 * 3600_000);
    expect(times.at(-1)! - start).toBeGreaterThanOrEqual(RETRY_WINDOW_MS);
    expect(times.at(-2)! - start).toBeLessThan(RETRY_WINDOW_MS);
    expect(new Set(received.map((r) => r.request.headers.get('webhook-id'))).size).toBe(1);
    expect(received).toHaveLength(times.length);

    const shown = (await (await admin(`/v1/admin/destinations/${id}`)).json()) as { destination: { status: Record<string, number> } };
    expect(shown.destination.status).toMatchObject({ pending: 0, dead: 1 });
    const log = await deliveries(id, '?limit=1000');
    expect(log.deliveries).toHaveLength(times.length);
    expect(log.deliveries.map((d) => d.attempt)).toEqual(times.map((_, i) => times.length - i));
    expect(log.deliveries.every((d) => d.status === 500 && d.error === 'HTTP 500' && d.response === 'status 500')).toBe(true);
  });

  it('draw each wait at random below the ceiling (full jitter)', async () => {
    const writeKey = await createSite();
    const { id } = await createWebhookDestination(writeKey);
    const clock = new FakeClock();
    await script(id, status(503), clock, { random: () => 0.25 });
    await enqueueChanges(env, writeKey, [change()]);
    for (const expected of [1_250, 2_500, 5_000]) {
      await deliverDue(id);
      const [last] = (await deliveries(id, '?limit=1')).deliveries;
      expect(Date.parse(last!.nextAttemptAt) - clock.now).toBe(expected);
      clock.now = Date.parse(last!.nextAttemptAt);
    }
  });

  it('honour Retry-After in seconds, for the whole destination', async () => {
    const writeKey = await createSite();
    const { id } = await createWebhookDestination(writeKey);
    const clock = new FakeClock();
    const received = await script(id, (call) => (call === 1 ? new Response('slow down', { status: 429, headers: { 'Retry-After': '120' } }) : ok()), clock);
    await enqueueChanges(env, writeKey, [change()]);
    await deliverDue(id);
    // Another change arrives meanwhile: it waits too, the receiver asked for two minutes.
    await enqueueChanges(env, writeKey, [change()]);
    clock.advance(119_000);
    expect((await deliverDue(id)).attempted).toBe(0);
    const shown = (await (await admin(`/v1/admin/destinations/${id}`)).json()) as { destination: { status: { pausedUntil: string } } };
    expect(Date.parse(shown.destination.status.pausedUntil)).toBe(clock.now + 1_000);
    clock.advance(1_000);
    expect(await deliverDue(id)).toMatchObject({ attempted: 2, delivered: 2 });
    expect(received).toHaveLength(3);
  });

  it('honour Retry-After as an HTTP date', async () => {
    const writeKey = await createSite();
    const { id } = await createWebhookDestination(writeKey);
    const clock = new FakeClock(Date.parse('2026-03-01T10:00:00Z'));
    await script(id, (call) => (call === 1 ? new Response(null, { status: 503, headers: { 'Retry-After': 'Sun, 01 Mar 2026 10:05:00 GMT' } }) : ok()), clock);
    await enqueueChanges(env, writeKey, [change()]);
    await deliverDue(id);
    const [failed] = (await deliveries(id)).deliveries;
    expect(failed!.nextAttemptAt).toBe('2026-03-01T10:05:00.000Z');
  });

  it('keep what failed for 24 hours as dead; a replay delivers it under the same webhook-id', async () => {
    const writeKey = await createSite();
    const { id } = await createWebhookDestination(writeKey);
    const clock = new FakeClock();
    let up = false;
    const received = await script(id, () => (up ? ok() : new Response('down', { status: 502 })), clock);
    await enqueueChanges(env, writeKey, [change(), change()]);
    for (let i = 0; i < 100; i++) {
      await deliverDue(id);
      clock.advance(4 * 3600_000);
      if ((await destinationStub(env, id).status()).pending === 0) break;
    }
    expect(await destinationStub(env, id).status()).toMatchObject({ pending: 0, dead: 2 });
    const dead = (await deliveries(id, '?outcome=dead')).deliveries;
    expect(dead).toHaveLength(2);

    up = true;
    const replayOne = await admin(`/v1/admin/destinations/${id}/replay`, { method: 'POST', body: JSON.stringify({ webhookIds: [dead[0]!.webhookId] }) });
    expect(await replayOne.json()).toEqual({ ok: true, replayed: 1, superseded: 0 });
    await deliverDue(id);
    expect(received.at(-1)!.request.headers.get('webhook-id')).toBe(dead[0]!.webhookId);
    expect(await destinationStub(env, id).status()).toMatchObject({ pending: 0, dead: 1, delivered: 1 });

    const replayAll = await admin(`/v1/admin/destinations/${id}/replay`, { method: 'POST' });
    expect(await replayAll.json()).toEqual({ ok: true, replayed: 1, superseded: 0 });
    await deliverDue(id);
    expect(received.at(-1)!.request.headers.get('webhook-id')).toBe(dead[1]!.webhookId);
    expect(await destinationStub(env, id).status()).toMatchObject({ pending: 0, dead: 0, delivered: 2 });
  });

  it('on replay, skip a dead "entered" whose later "exited" was delivered (superseded), so the receiver keeps the person out', async () => {
    const writeKey = await createSite();
    const { id } = await createWebhookDestination(writeKey);
    const clock = new FakeClock();
    let refuseEntered = true;
    const received = await script(
      id,
      async (_call, request) =>
        refuseEntered && JSON.parse(await request.clone().text()).type === 'audience.entered' ? new Response('down', { status: 502 }) : ok(),
      clock,
    );
    const lastType = () => JSON.parse(received.at(-1)!.body).type as string;
    await enqueueChanges(env, writeKey, [change({ profileId: 'p-replay' }), change({ profileId: 'p-replay', type: 'audience.exited' })]);
    for (let i = 0; i < 100 && (await destinationStub(env, id).status()).pending > 0; i++) {
      await deliverDue(id);
      clock.advance(4 * 3600_000);
    }
    expect(await destinationStub(env, id).status()).toMatchObject({ pending: 0, dead: 1, delivered: 1 });
    expect(lastType()).toBe('audience.exited');

    refuseEntered = false;
    const replay = await admin(`/v1/admin/destinations/${id}/replay`, { method: 'POST' });
    expect(await replay.json()).toEqual({ ok: true, replayed: 0, superseded: 1 });
    const before = received.length;
    await deliverDue(id);
    expect(received).toHaveLength(before);
    expect(lastType()).toBe('audience.exited');
    expect(await destinationStub(env, id).status()).toMatchObject({ pending: 0, dead: 0, delivered: 1 });
  });

  it('about one person in one audience arrive in order, even when the first must be retried', async () => {
    const writeKey = await createSite();
    const { id } = await createWebhookDestination(writeKey);
    const clock = new FakeClock();
    const received = await script(id, (call) => (call === 1 ? new Response(null, { status: 500 }) : ok()), clock);
    const entered = change({ profileId: 'p-order' });
    const exited = { ...change({ profileId: 'p-order', type: 'audience.exited' }) };
    const other = change({ profileId: 'p-other' });
    await enqueueChanges(env, writeKey, [entered, exited, other]);
    await deliverDue(id);
    // The exit waits behind the failed entry; the other person is not held up.
    expect(received.map((r) => JSON.parse(r.body).data.profile.profileId + ':' + JSON.parse(r.body).type)).toEqual([
      'p-order:audience.entered',
      'p-other:audience.entered',
    ]);
    clock.advance(5_000);
    await deliverDue(id);
    expect(received.slice(2).map((r) => JSON.parse(r.body).type)).toEqual(['audience.entered', 'audience.exited']);
  });

  it('time out after the per-attempt limit and are retried', async () => {
    const writeKey = await createSite();
    const { id } = await createWebhookDestination(writeKey);
    const clock = new FakeClock();
    await script(id, () => new Promise<Response>(() => {}), clock, { timeoutMs: 50 });
    await enqueueChanges(env, writeKey, [change()]);
    expect(await deliverDue(id)).toMatchObject({ attempted: 1, failed: 1 });
    const [attempt] = (await deliveries(id)).deliveries;
    expect(attempt).toMatchObject({ status: null, outcome: 'failed', error: 'timed out after 0.05 s' });
  });

  it('keep at most four requests in flight to one destination', async () => {
    const writeKey = await createSite();
    const { id } = await createWebhookDestination(writeKey);
    let inFlight = 0;
    let most = 0;
    await script(
      id,
      async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 20));
        inFlight--;
        return ok();
      },
      new FakeClock(),
    );
    await enqueueChanges(
      env,
      writeKey,
      Array.from({ length: 12 }, () => change()),
    );
    expect(await deliverDue(id)).toMatchObject({ attempted: 12, delivered: 12 });
    expect(most).toBe(4);
  });

  it('do not follow redirects', async () => {
    const writeKey = await createSite();
    const { id } = await createWebhookDestination(writeKey);
    const received = await script(
      id,
      () => new Response(null, { status: 307, headers: { Location: 'http://169.254.169.254/latest/meta-data/' } }),
      new FakeClock(),
    );
    await enqueueChanges(env, writeKey, [change()]);
    await deliverDue(id);
    expect(received).toHaveLength(1);
    expect(received[0]!.request.redirect).toBe('manual');
    const [attempt] = (await deliveries(id)).deliveries;
    expect(attempt).toMatchObject({ status: 307, outcome: 'failed' });
    expect(attempt!.error).toMatch(/redirects are not followed \(it pointed to 169\.254\.169\.254\)/);
  });

  it('check the address again before each attempt (a name that now resolves to a private address)', async () => {
    const writeKey = await createSite();
    let answer = ['93.184.216.34'];
    useResolver(async () => answer);
    const id = uniqueId('dns');
    expect((await putDestination(id, { url: 'https://hooks.example.com/in', audiences: ['aud-1'] }, `?writeKey=${writeKey}`)).status).toBe(200);
    const received = await script(id, ok, new FakeClock());
    answer = ['10.0.0.7'];
    await enqueueChanges(env, writeKey, [change()]);
    await deliverDue(id);
    expect(received).toHaveLength(0);
    const [attempt] = (await deliveries(id)).deliveries;
    expect(attempt).toMatchObject({
      status: null,
      outcome: 'failed',
      error: 'refused: hooks.example.com resolves to 10.0.0.7 is a private address, not a public one',
    });
  });

  it('count any resolver error as a failed attempt: logged, retried, dead after 24 hours, the next change released', async () => {
    const writeKey = await createSite();
    useResolver(async () => ['93.184.216.34']);
    const id = uniqueId('dns');
    expect((await putDestination(id, { url: 'https://hooks.example.com/in', audiences: ['aud-1'] }, `?writeKey=${writeKey}`)).status).toBe(200);
    const clock = new FakeClock();
    const received = await script(id, ok, clock);
    // Not a ResolverUnavailable: what a DNS-over-HTTPS answer that is not JSON used to throw.
    useResolver(async () => {
      throw new SyntaxError('Unexpected token < in JSON at position 0');
    });
    const entered = change({ profileId: 'p-dns' });
    const exited = change({ profileId: 'p-dns', type: 'audience.exited' });
    await enqueueChanges(env, writeKey, [entered, exited]);

    expect(await deliverDue(id)).toMatchObject({ attempted: 1, failed: 1 });
    const [first] = (await deliveries(id)).deliveries;
    expect(first).toMatchObject({
      type: 'audience.entered',
      attempt: 1,
      status: null,
      outcome: 'failed',
      error: 'refused: could not check where hooks.example.com points (SyntaxError: Unexpected token < in JSON at position 0)',
    });
    expect(first!.nextAttemptAt).not.toBeNull();

    const enteredDead = async () => (await deliveries(id, '?outcome=dead')).deliveries.some((d) => d.type === 'audience.entered');
    for (let i = 0; i < 100 && !(await enteredDead()); i++) {
      clock.advance(4 * 3600_000);
      await deliverDue(id);
    }
    expect(await enteredDead()).toBe(true);
    const log = (await deliveries(id, '?limit=1000')).deliveries;
    expect(log.filter((d) => d.type === 'audience.entered').length).toBeGreaterThan(5);
    expect(log.every((d) => d.error!.includes('SyntaxError'))).toBe(true);
    expect(received).toHaveLength(0);

    // The exit behind it is no longer held up: released when the entry died, it goes once the name resolves again.
    useResolver(async () => ['93.184.216.34']);
    clock.advance(4 * 3600_000);
    expect(await deliverDue(id)).toMatchObject({ attempted: 1, delivered: 1 });
    expect(received.map((r) => JSON.parse(r.body).type)).toEqual(['audience.exited']);
  });

  it('to a slow destination never hold up another destination', async () => {
    const writeKey = await createSite();
    const slow = await createWebhookDestination(writeKey);
    const fast = await createWebhookDestination(writeKey);
    let release!: () => void;
    const hanging = new Promise<Response>((resolve) => (release = () => resolve(ok())));
    await script(slow.id, () => hanging, new FakeClock(), { timeoutMs: 30_000 });
    const fastReceived = await script(fast.id, ok, new FakeClock());
    await enqueueChanges(env, writeKey, [change()]);
    const slowRun = deliverDue(slow.id);
    let slowDone = false;
    void slowRun.then(() => (slowDone = true));
    expect(await deliverDue(fast.id)).toMatchObject({ delivered: 1 });
    expect(fastReceived).toHaveLength(1);
    expect(slowDone).toBe(false);
    release();
    expect(await slowRun).toMatchObject({ delivered: 1 });
  });

  it('never put a secret in the logs', async () => {
    const writeKey = await createSite();
    const lines: string[] = [];
    for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')));
    }
    const { id, secret } = await createWebhookDestination(writeKey);
    const segment = uniqueId('seg');
    await putDestination(
      segment,
      { url: 'http://localhost:9', audiences: ['aud-1'], kind: 'segment', writeKey: 'segment-write-key-secret' },
      `?writeKey=${writeKey}`,
    );
    await script(id, () => Promise.reject(new Error('connection refused')), new FakeClock());
    await script(segment, status(500), new FakeClock());
    await enqueueChanges(env, writeKey, [change()]);
    await deliverDue(id);
    await deliverDue(segment);
    // The real alarm handler, not the tests' stand-in.
    await runInDurableObject(destinationStub(env, id), (outbox: DestinationOutbox) => DestinationOutbox.prototype.alarm.call(outbox));
    const everything = lines.join('\n');
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(secret.slice(6));
    expect(everything).not.toContain('segment-write-key-secret');
    expect(JSON.stringify((await deliveries(id)).deliveries)).not.toContain('whsec_');
  });

  it('include a test delivery on request', async () => {
    const writeKey = await createSite();
    const { id, secret } = await createWebhookDestination(writeKey);
    const received = await script(id, ok, new FakeClock());
    expect(await (await admin(`/v1/admin/destinations/${id}/test`, { method: 'POST' })).json()).toEqual({ ok: true, enqueued: 1 });
    await deliverDue(id);
    expect(new Webhook(secret).verify(received[0]!.body, headersOf(received[0]!.request))).toMatchObject({ type: 'audience.entered', test: true });
  });
});

describe('the producer API', () => {
  it('routes audience changes to the destinations of the site that take the audience, and campaign changes to those named', async () => {
    const writeKey = await createSite();
    const otherSite = await createSite();
    const a = await createWebhookDestination(writeKey, ['vip']);
    const b = await createWebhookDestination(writeKey, ['vip', 'idle']);
    const foreign = await createWebhookDestination(otherSite, ['vip']);
    const got = {
      a: await script(a.id, ok, new FakeClock()),
      b: await script(b.id, ok, new FakeClock()),
      foreign: await script(foreign.id, ok, new FakeClock()),
    };
    const result = await enqueueChanges(env, writeKey, [
      change({ audience: 'vip' }),
      change({ audience: 'idle' }),
      change({ audience: 'nobody-listens' }),
      change({ type: 'campaign.entered', audience: 'idle', campaign: { id: 'spring', offer: { coupon: 'X' } }, destinations: [a.id, foreign.id, 'no-such'] }),
    ]);
    expect(result).toEqual({ enqueued: 4, duplicates: 0, skipped: 2, unrouted: 1 });
    await Promise.all([deliverDue(a.id), deliverDue(b.id), deliverDue(foreign.id)]);
    expect(got.a.map((r) => JSON.parse(r.body).type).sort()).toEqual(['audience.entered', 'campaign.entered']);
    expect(JSON.parse(got.a.find((r) => r.body.includes('campaign.entered'))!.body).data.campaign).toEqual({ id: 'spring', offer: { coupon: 'X' } });
    expect(got.b).toHaveLength(2);
    expect(got.foreign).toHaveLength(0);
  });

  it('refuses an invalid change before enqueuing anything', async () => {
    const writeKey = await createSite();
    const bad = { ...change(), type: 'audience.left' } as never;
    await expect(enqueueChanges(env, writeKey, [change(), bad])).rejects.toThrow(/change 1: type/);
  });
});

describe('erasure', () => {
  it('cancels what is still to be delivered about a person, and the log forgets them', async () => {
    // The receiver echoes the person's email in its error answers, which the log keeps until erasure.
    const writeKey = await createSite();
    const { id } = await createWebhookDestination(writeKey);
    const clock = new FakeClock();
    let up = false;
    const received = await script(
      id,
      async (_call, request) => (up ? ok() : new Response(`echo: ${JSON.parse(await request.text()).data.profile.traits.email}`, { status: 500 })),
      clock,
    );
    await enqueueChanges(env, writeKey, [
      change({ profileId: 'p-erased' }),
      change({ profileId: 'p-erased', type: 'audience.exited' }),
      change({ profileId: 'p-kept' }),
    ]);
    await deliverDue(id);
    expect(await cancelForProfiles(env, writeKey, ['p-erased'])).toEqual({ cancelled: 2 });
    up = true;
    clock.advance(3600_000);
    await deliverDue(id);
    expect(received.slice(2).map((r) => JSON.parse(r.body).data.profile.profileId)).toEqual(['p-kept']);
    const traces = await runInDurableObject(
      destinationStub(env, id),
      (_outbox: DestinationOutbox, state) =>
        state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM attempt_log WHERE profile_id = 'p-erased' OR response LIKE '%erased@%'").one().n +
        state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE profile_id = 'p-erased'").one().n,
    );
    expect(traces).toBe(0);
  });

  it('happens when a person is erased through the admin API', async () => {
    const writeKey = await createSite();
    const { id } = await createWebhookDestination(writeKey);
    await script(id, status(500), new FakeClock());
    await post('/v1/batch', { writeKey, batch: [track({ anonymousId: 'anon-erase-me' })] });
    await drainAll(writeKey);
    const profile = (await (await SELF.fetch(`${BASE}/v1/admin/profiles/anon-erase-me?writeKey=${writeKey}`, { headers: ADMIN })).json()) as {
      profileId: string;
    };
    const entered = change();
    entered.data.profile.profileId = profile.profileId;
    await enqueueChanges(env, writeKey, [entered]);
    const res = await SELF.fetch(`${BASE}/v1/admin/users/anon-erase-me?writeKey=${writeKey}`, { method: 'DELETE', headers: ADMIN });
    expect(await res.json()).toMatchObject({ ok: true, erased: [expect.objectContaining({ deliveriesCancelled: 1 })] });
    expect(await destinationStub(env, id).status()).toMatchObject({ pending: 0, dead: 0 });
  });
});

describe('segment destinations', () => {
  it('deliver the audience as a trait into another Trailmark site', async () => {
    const source = await createSite();
    const target = await createSite();
    const id = uniqueId('seg');
    const res = await putDestination(id, { url: 'http://localhost:8787', audiences: ['idle_carts'], kind: 'segment', writeKey: target }, `?writeKey=${source}`);
    expect(res.status).toBe(200);
    // The collector itself is the receiver: the request goes through its public ingest API.
    await script(
      id,
      (_call, request) => SELF.fetch(request.url.replace('http://localhost:8787', BASE), { method: 'POST', headers: request.headers, body: request.body }),
      new FakeClock(),
    );
    const entered = change({ audience: 'idle_carts', profileId: 'p-seg' });
    const exited = change({ audience: 'idle_carts', profileId: 'p-seg', type: 'audience.exited' });
    await enqueueChanges(env, source, [entered, exited]);
    expect(await deliverDue(id)).toMatchObject({ delivered: 2, failed: 0 });
    await drainAll(target);

    const events = await exportEvents(target);
    expect(events.map((e) => ({ type: e.type, userId: e.userId, anonymousId: e.anonymousId, traits: e.traits }))).toEqual([
      { type: 'identify', userId: 'user-p-seg', anonymousId: 'anon-p-seg', traits: { idle_carts: true } },
      { type: 'identify', userId: 'user-p-seg', anonymousId: 'anon-p-seg', traits: { idle_carts: false } },
    ]);
    expect(events[0]!.context.library).toEqual({ name: 'trailmark-destinations', version: '1.0.0' });
    const profile = await SELF.fetch(`${BASE}/v1/admin/profiles/user-p-seg?writeKey=${target}`, { headers: ADMIN });
    expect(profile.status).toBe(200);
    expect(await profile.json()).toMatchObject({ userId: 'user-p-seg', anonymousIds: ['anon-p-seg'] });
    // A retried call is stored once: the messageId is the webhook-id.
    expect(new Set(events.map((e) => e.messageId)).size).toBe(2);
  });
});

describe('the demo receiver (DEV_MODE)', () => {
  it('verifies what arrives, fails on request to show retries, and lists it', async () => {
    const writeKey = await createSite();
    const id = uniqueId('demo');
    await putDestination(id, { url: `http://localhost:8787/dev/webhooks/in/${id}?fail=2`, audiences: ['aud-1'] }, `?writeKey=${writeKey}`);
    const clock = new FakeClock();
    await script(
      id,
      (_call, request) => SELF.fetch(request.url.replace('http://localhost:8787', BASE), { method: 'POST', headers: request.headers, body: request.body }),
      clock,
    );
    await enqueueChanges(env, writeKey, [change()]);
    for (let i = 0; i < 3; i++) {
      await deliverDue(id);
      clock.advance(10_000);
    }
    const outcomes = (await deliveries(id)).deliveries.map((d) => [d.status, d.outcome]).reverse();
    expect(outcomes).toEqual([
      [503, 'failed'],
      [503, 'failed'],
      [200, 'delivered'],
    ]);
    const { receipts } = (await (await SELF.fetch(`${BASE}/dev/webhooks.json`)).json()) as {
      receipts: { destinationId: string; verified: boolean; status: number; arrival: number }[];
    };
    const mine = receipts.filter((r) => r.destinationId === id).reverse();
    expect(mine.map((r) => [r.verified, r.status, r.arrival])).toEqual([
      [true, 503, 1],
      [true, 503, 2],
      [true, 200, 3],
    ]);
    const page = await (await SELF.fetch(`${BASE}/dev/webhooks`)).text();
    expect(page).toContain(id);
    expect(page).toContain('signature verified');

    const forged = await SELF.fetch(`${BASE}/dev/webhooks/in/${id}`, {
      method: 'POST',
      headers: { 'webhook-id': 'msg_forged', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,AAAA' },
      body: '{}',
    });
    expect(forged.status).toBe(401);

    // Filters keep one destination's deliveries, or one type, in view on a busy receiver.
    const filtered = (await (await SELF.fetch(`${BASE}/dev/webhooks.json?destination=${id}&type=audience.entered`)).json()) as {
      receipts: { destinationId: string; type: string }[];
    };
    expect(filtered.receipts.length).toBe(3);
    expect(filtered.receipts.every((r) => r.destinationId === id && r.type === 'audience.entered')).toBe(true);
    expect(((await (await SELF.fetch(`${BASE}/dev/webhooks.json?destination=${id}&type=audience.exited`)).json()) as { receipts: unknown[] }).receipts).toEqual(
      [],
    );
    expect(await (await SELF.fetch(`${BASE}/dev/webhooks?destination=${id}`)).text()).toContain('show all');
    const bad = await SELF.fetch(`${BASE}/dev/webhooks.json?destination=${encodeURIComponent('../x')}`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain('destination id');
  });
});
