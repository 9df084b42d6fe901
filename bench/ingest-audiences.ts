/**
 * Ingest with 50 audiences defined next to ingest with none, on one server:
 * two sites take turns, round by round (the same load, the same machine
 * state), one with no audience, the other with 50 that the bench shoppers'
 * events touch (category views, carts, interest, sessions, time windows).
 * Each round is accepted (16 senders, 20-message batches) and then stored,
 * so the figures are events accepted per second and events stored per
 * second (accept and drain: where audiences are evaluated, in the profile
 * transaction).
 */
import type { Condition } from '@trailmark/schema';
import { putSite, waitUntilStored } from '../demo-site/simulate/admin-client';
import { batchRounds, type LoadResult } from './lib/load';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

/** 50 audiences over the facts the bench events change (bench/lib/messages.ts: categories c0…c11, price 19.99, adds). */
export function benchAudienceDefinitions(count = 50): { id: string; definition: Condition }[] {
  const kinds: ((i: number) => Condition)[] = [
    (i) => ({ fact: 'viewedCategory', category: `c${i % 12}`, withinMinutes: 30, op: 'gte', value: 1 }),
    (i) => ({ fact: 'interest', category: `c${i % 12}`, op: 'gte', value: 0.5 }),
    (i) => ({ fact: 'cartValue', op: 'gte', value: 20 * (1 + (i % 5)) }),
    (i) => ({ fact: 'cartIdleMinutes', op: 'gte', value: 15 + (i % 4) * 15 }),
    (i) => ({ all: [{ fact: 'sessions', op: 'gte', value: 1 + (i % 3) }, { fact: 'viewedCategory', category: `c${(i + 5) % 12}`, withinMinutes: 60, op: 'gte', value: 2 }] }),
  ];
  return Array.from({ length: count }, (_, i) => ({ id: `bench-${i}`, definition: kinds[i % kinds.length]!(i) }));
}

export async function benchIngestWithAudiences(
  server: { url: string },
  { adminToken, audiences = 50, concurrency = 16, roundMs = 4000, rounds = 3, batchSize = 20 }: { adminToken: string; audiences?: number; concurrency?: number; roundMs?: number; rounds?: number; batchSize?: number },
) {
  const origin = server.url.replace('localhost', '127.0.0.1');
  const admin = { url: server.url, adminToken };
  const plain = 'bench-no-audiences';
  const withAudiences = 'bench-50-audiences';
  for (const writeKey of [plain, withAudiences]) await putSite({ ...admin, writeKey, allowedOrigins: ['*'] });
  for (const { id, definition } of benchAudienceDefinitions(audiences)) {
    const res = await fetch(`${server.url}/v1/admin/audiences/${id}?writeKey=${withAudiences}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: id, definition }),
    });
    if (!res.ok) throw new Error(`PUT audience ${id}: ${res.status} ${await res.text()}`);
  }

  const round = batchRounds({ origin, concurrency, batchSize });
  // Warm-up: both sites' objects exist and are compiled before anything counts.
  for (const writeKey of [plain, withAudiences]) await round(writeKey, 1500);
  await waitUntilStored(admin);

  const runs = new Map<string, { load: LoadResult; drainMs: number }[]>([
    [plain, []],
    [withAudiences, []],
  ]);
  for (let r = 0; r < rounds; r++) {
    // Alternate which goes first, so neither always follows the other's leftovers.
    for (const writeKey of r % 2 === 0 ? [plain, withAudiences] : [withAudiences, plain]) {
      const load = await round(writeKey, roundMs);
      const drainMs = await waitUntilStored(admin);
      runs.get(writeKey)!.push({ load, drainMs });
    }
  }
  const summary = (list: { load: LoadResult; drainMs: number }[]) => {
    const events = list.reduce((s, x) => s + x.load.requests * batchSize, 0);
    const ms = list.reduce((s, x) => s + x.load.seconds * 1000 + x.drainMs, 0);
    return {
      acceptedEventsPerSecond: median(list.map((x) => x.load.rps)) * batchSize,
      storedEventsPerSecond: events / (ms / 1000),
      p99: median(list.map((x) => x.load.p99)),
      errors: list.reduce((s, x) => s + x.load.errors, 0),
    };
  };
  const without = summary(runs.get(plain)!);
  const with50 = summary(runs.get(withAudiences)!);
  const listed = await fetch(`${server.url}/v1/admin/audiences?writeKey=${withAudiences}`, { headers: { authorization: `Bearer ${adminToken}` } });
  const members = (await listed.json()) as { audiences: { size: number }[] };
  return {
    audiences,
    rounds,
    without,
    with: with50,
    memberships: members.audiences.reduce((s, a) => s + a.size, 0),
    acceptedRatio: with50.acceptedEventsPerSecond / without.acceptedEventsPerSecond,
    storedRatio: with50.storedEventsPerSecond / without.storedEventsPerSecond,
  };
}
