/**
 * Helpers for the destination tests: the admin calls, a scripted receiver
 * put in place of the network, and a clock the tests move by hand.
 */
import { SELF, env, runInDurableObject } from 'cloudflare:test';
import type { DestinationChange } from '@trailmark/schema';
import type { DestinationOutbox, RunSummary } from '../../src/destinations/destination-outbox';
import { destinationStub } from '../../src/destinations/destination-directory';
import { ADMIN, BASE, uniqueId } from './collector';

export async function putDestination(id: string, body: unknown, query = ''): Promise<Response> {
  return SELF.fetch(`${BASE}/v1/admin/destinations/${id}${query}`, {
    method: 'PUT',
    headers: { ...ADMIN, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export async function admin(path: string, init: RequestInit = {}): Promise<Response> {
  return SELF.fetch(`${BASE}${path}`, { ...init, headers: { ...ADMIN, 'content-type': 'application/json', ...(init.headers as Record<string, string>) } });
}

/** A webhook destination on a fresh site: its id, site and signing secret. */
export async function createWebhookDestination(writeKey: string, audiences: string[] = ['aud-1'], url = 'http://localhost:9/hook') {
  const id = uniqueId('dest');
  const res = await putDestination(id, { url, audiences }, `?writeKey=${writeKey}`);
  if (res.status !== 200) throw new Error(`PUT destination: ${res.status} ${await res.text()}`);
  const { secret } = (await res.json()) as { secret: string };
  return { id, secret };
}

export interface Received {
  request: Request;
  body: string;
  at: number;
}

/** Answers for the scripted receiver: a status (and headers), a Response, or a promise that never settles (a hang). */
export type Script = (call: number, request: Request) => Response | Promise<Response>;

export class FakeClock {
  constructor(public now = Date.now()) {}
  advance(ms: number): void {
    this.now += ms;
  }
}

/** Puts a scripted receiver and a hand-moved clock in place of the network and time in a destination's object. */
export async function script(id: string, answer: Script, clock: FakeClock, options: { timeoutMs?: number; random?: () => number; alarms?: boolean } = {}) {
  const received: Received[] = [];
  await runInDurableObject(destinationStub(env, id), (outbox: DestinationOutbox) => {
    // The test moves the clock and runs deliveries itself; a real alarm firing in between would race it.
    if (!options.alarms) outbox.alarm = async () => {};
    outbox.clock = () => clock.now;
    outbox.random = options.random ?? (() => 1);
    if (options.timeoutMs) outbox.attemptTimeoutMs = options.timeoutMs;
    outbox.transport = async (request) => {
      const body = await request.clone().text();
      received.push({ request, body, at: clock.now });
      return answer(received.length, request);
    };
  });
  return received;
}

/** Runs the deliveries that are due at the clock's time, as the alarm would. */
export async function deliverDue(id: string): Promise<RunSummary> {
  return runInDurableObject(destinationStub(env, id), (outbox: DestinationOutbox) => outbox.deliverDue());
}

export function change(
  fields: {
    key?: string;
    type?: DestinationChange['type'];
    profileId?: string;
    audience?: string;
    destinations?: string[];
    campaign?: Record<string, unknown>;
  } = {},
): DestinationChange {
  const profileId = fields.profileId ?? uniqueId('prof');
  return {
    key: fields.key ?? uniqueId('change'),
    type: fields.type ?? 'audience.entered',
    timestamp: new Date().toISOString(),
    ...(fields.destinations ? { destinations: fields.destinations } : {}),
    data: {
      audience: { id: fields.audience ?? 'aud-1', name: 'Audience one' },
      profile: {
        profileId,
        userId: `user-${profileId}`,
        anonymousIds: [`anon-${profileId}`],
        traits: { email: `${profileId}@example.com` },
        region: { country: 'DE', region: 'BE' },
        lifecycle: 'active',
      },
      ...(fields.campaign ? { campaign: fields.campaign as { id: string } } : {}),
    },
  };
}

export async function deliveries(id: string, query = ''): Promise<{ deliveries: Record<string, any>[]; nextCursor: string | null }> {
  const res = await admin(`/v1/admin/destinations/${id}/deliveries${query}`);
  if (res.status !== 200) throw new Error(`deliveries: ${res.status} ${await res.text()}`);
  return res.json();
}
