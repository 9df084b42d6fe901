/**
 * The producer API: how the audience and campaign engines hand changes to
 * the destinations. Two calls, both safe to retry:
 *
 *   enqueueChanges(env, writeKey, changes: DestinationChange[]): Promise<EnqueueResult>
 *   cancelForProfiles(env, writeKey, profileIds: string[]): Promise<{ cancelled: number }>
 *
 * and `subscribedAudiences(env, writeKey)`, the audience ids some destination
 * of the site takes, so a producer can skip describing changes nobody takes.
 *
 * A DestinationChange (schema/src/destinations.ts) is
 *   { key, type, timestamp, destinations?, data: { audience: { id, name }, profile, campaign? } }
 * - `key`: stable for the change, e.g. `aud:${audienceId}:${profileId}:entered:${enteredAtMs}`.
 *   A destination delivers one key once: enqueuing it again (a retried
 *   batch, a replayed event) adds nothing while the key is pending, dead, or
 *   delivered within the last 7 days. Different changes need different keys.
 * - `type`: "audience.entered" | "audience.exited" | "campaign.entered".
 * - `timestamp`: when the change happened (ISO 8601); receivers see it as `timestamp`.
 * - `destinations`: the destination ids to deliver to (a campaign's
 *   `destinations`). Left out, the change goes to every destination of the
 *   site whose `audiences` include `data.audience.id`. Ids of another site or
 *   unknown ids are skipped and counted in `skipped`.
 * - `data.profile`: { profileId, userId, anonymousIds, traits, region, lifecycle }:
 *   exactly what the receiver gets (traits such as email reach destinations
 *   only, never public endpoints).
 *
 * enqueueChanges returns once every change is durable in the outbox of each
 * of its destinations (one Durable Object per destination, a few ms each, in
 * parallel); delivery happens later from those objects' alarms, so a slow
 * receiver never slows the caller. Changes about one person in one audience
 * (or campaign) reach a destination in the order they were enqueued. If it
 * throws (an object unreachable), call it again with the same changes: the
 * keys make that safe. An invalid change is a programming error and throws
 * an InvalidChange before anything is enqueued.
 *
 * cancelForProfiles is erasure: every destination of the site drops what it
 * still has to deliver about those profiles (pending and dead), and its
 * delivery log forgets who its lines were about. Call it with every profile
 * id the erased person had (the admin erase route does).
 */
import * as v from 'valibot';
import { DestinationChangeSchema, type DestinationChange } from '@trailmark/schema';
import { destinationStub, listDestinations, siteDestinations } from './destination-directory';

export type { DestinationChange } from '@trailmark/schema';

export interface EnqueueResult {
  /** Deliveries added (a change to two destinations counts twice). */
  enqueued: number;
  /** Deliveries whose key a destination already had. */
  duplicates: number;
  /** Destinations named by a change that are not the site's. */
  skipped: number;
  /** Changes that no destination takes. */
  unrouted: number;
}

export class InvalidChange extends Error {}

export async function enqueueChanges(env: Env, writeKey: string, changes: DestinationChange[]): Promise<EnqueueResult> {
  changes.forEach((change, index) => {
    const parsed = v.safeParse(DestinationChangeSchema, change);
    if (!parsed.success) {
      const issue = parsed.issues[0];
      throw new InvalidChange(`change ${index}: ${v.getDotPath(issue) ?? ''} ${issue.message}`.trim());
    }
  });
  const destinations = await siteDestinations(env, writeKey);
  const ids = new Set(destinations.map((d) => d.id));
  const byDestination = new Map<string, Omit<DestinationChange, 'destinations'>[]>();
  const result: EnqueueResult = { enqueued: 0, duplicates: 0, skipped: 0, unrouted: 0 };
  for (const { destinations: named, ...change } of changes) {
    const targets = named
      ? named.filter((id) => ids.has(id) || (result.skipped++, false))
      : destinations.filter((d) => d.audiences.includes(change.data.audience.id)).map((d) => d.id);
    if (targets.length === 0) result.unrouted++;
    for (const id of new Set(targets)) {
      const list = byDestination.get(id);
      if (list) list.push(change);
      else byDestination.set(id, [change]);
    }
  }
  const outcomes = await Promise.all([...byDestination].map(([id, list]) => destinationStub(env, id).enqueue(list)));
  for (const outcome of outcomes) {
    result.enqueued += outcome.added;
    result.duplicates += outcome.duplicates;
  }
  return result;
}

/** The audience ids some destination of the site takes (as enqueueChanges routes them: the same cached list). */
export async function subscribedAudiences(env: Env, writeKey: string): Promise<Set<string>> {
  return new Set((await siteDestinations(env, writeKey)).flatMap((d) => d.audiences));
}

export async function cancelForProfiles(env: Env, writeKey: string, profileIds: string[]): Promise<{ cancelled: number }> {
  if (profileIds.length === 0) return { cancelled: 0 };
  // Not the cached list: a destination created a moment ago in another isolate must forget the person too.
  const destinations = await listDestinations(env, writeKey);
  const counts = await Promise.all(destinations.map((d) => destinationStub(env, d.id).cancel(profileIds)));
  if (env.DEV_MODE === 'true') {
    // The demo receiver's record of what arrived holds the same personal data.
    for (let i = 0; i < profileIds.length; i += 50) {
      const chunk = profileIds.slice(i, i + 50);
      await env.DB.prepare(`DELETE FROM dev_webhook_receipts WHERE profile_id IN (${chunk.map(() => '?').join(',')})`)
        .bind(...chunk)
        .run();
    }
  }
  return { cancelled: counts.reduce((a, b) => a + b, 0) };
}
