/**
 * Helpers for the audience tests: the admin calls, events in through the
 * public API, the profile host's clock moved by hand and its alarm run on
 * demand (runDurableObjectAlarm), as time would.
 */
import { SELF, env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import type { AudienceHost } from '../../src/audiences/audience-host';
import type { ShopState } from '../../src/shop/shop-state';
import { ADMIN, BASE, drainAll, post, uniqueId } from './collector';

export const MIN = 60_000;
export const DAY = 24 * 60 * MIN;

export async function putAudience(writeKey: string, id: string, definition: unknown, name = id): Promise<Response> {
  return SELF.fetch(`${BASE}/v1/admin/audiences/${id}?writeKey=${writeKey}`, {
    method: 'PUT',
    headers: { ...ADMIN, 'content-type': 'application/json' },
    body: JSON.stringify({ name, definition }),
  });
}

export async function adminGet(path: string): Promise<Response> {
  return SELF.fetch(`${BASE}${path}`, { headers: ADMIN });
}

export async function audience(writeKey: string, id: string): Promise<Record<string, any>> {
  const res = await adminGet(`/v1/admin/audiences/${id}?writeKey=${writeKey}`);
  if (res.status !== 200) throw new Error(`GET audience: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { audience: Record<string, any> }).audience;
}

/** Defines an audience and runs the host's alarm until every existing profile has been evaluated. */
export async function defineAudience(writeKey: string, id: string, definition: unknown): Promise<Record<string, any>> {
  const res = await putAudience(writeKey, id, definition);
  if (res.status !== 200) throw new Error(`PUT audience: ${res.status} ${await res.text()}`);
  for (let i = 0; i < 200; i++) {
    const view = await audience(writeKey, id);
    if (view.status === 'ready') return view;
    await runAlarm(writeKey);
  }
  throw new Error(`audience ${id} never became ready`);
}

/** Every member of an audience, through the paged API (NDJSON). */
export async function members(writeKey: string, id: string, limit = 1000): Promise<Record<string, any>[]> {
  const out: Record<string, any>[] = [];
  let cursor: string | null = null;
  do {
    const res = await adminGet(`/v1/admin/audiences/${id}/members?writeKey=${writeKey}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    if (res.status !== 200) throw new Error(`members: ${res.status} ${await res.text()}`);
    for (const line of (await res.text()).split('\n')) if (line) out.push(JSON.parse(line));
    cursor = res.headers.get('next-cursor');
  } while (cursor);
  return out;
}

export async function memberIds(writeKey: string, id: string): Promise<string[]> {
  return (await members(writeKey, id)).map((m) => m.profileId as string).sort();
}

/** Sends messages through POST /v1/batch and drains them into the profiles, as the shard's alarm would. */
export async function send(
  writeKey: string,
  batch: Record<string, unknown>[],
  cf: Record<string, unknown> = { country: 'DE', region: 'Bavaria', city: 'Munich' },
): Promise<void> {
  const res = await post('/v1/batch', { writeKey, batch }, { cf });
  if (res.status !== 200) throw new Error(`batch: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { rejected: unknown[] };
  if (body.rejected.length) throw new Error(`rejected: ${JSON.stringify(body.rejected)}`);
  await drainAll(writeKey);
}

export function event(
  anonymousId: string,
  event: string,
  properties: Record<string, unknown> = {},
  fields: Record<string, unknown> = {},
): Record<string, unknown> {
  return { type: 'track', event, messageId: uniqueId('msg'), anonymousId, timestamp: new Date().toISOString(), properties, ...fields };
}

/** The person's profile through the admin API (with their audiences and facts). */
export async function profileOf(writeKey: string, id: string): Promise<Record<string, any>> {
  const res = await adminGet(`/v1/admin/profiles/${encodeURIComponent(id)}?writeKey=${writeKey}`);
  if (res.status !== 200) throw new Error(`profile: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Moves the profile host's clock (ShopState.clock) to `at`. */
export async function setClock(writeKey: string, at: number): Promise<void> {
  await runInDurableObject(env.SHOP_STATE.getByName(writeKey), (instance: ShopState) => {
    instance.clock = () => at;
  });
}

/** Runs the profile host's alarm now, if one is set (as if its time had come). */
export async function runAlarm(writeKey: string): Promise<boolean> {
  return runDurableObjectAlarm(env.SHOP_STATE.getByName(writeKey));
}

/**
 * Runs the host's alarm until nothing is due at its clock (bounded). The
 * runtime fires alarms on its own too: when work is due but no alarm is set,
 * the runtime's is on its way, so this waits for it.
 */
export async function settle(writeKey: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const state = await runInDurableObject(env.SHOP_STATE.getByName(writeKey), async (instance: ShopState, storage) => {
      const host = (instance as unknown as { audiences: AudienceHost }).audiences;
      await host.idle();
      const due = host.due();
      return { due: due !== undefined && due <= instance.clock(), alarmSet: (await storage.storage.getAlarm()) !== null };
    });
    if (!state.due) return;
    if (!state.alarmSet || !(await runAlarm(writeKey))) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the audience host never settled');
}
