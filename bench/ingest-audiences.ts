/**
 * Ingest with 50 audiences defined next to ingest with none, on one server:
 * three sites take turns, round by round (the same load, the same machine
 * state): one with no audience, one with 50 audiences that every bench
 * shopper's events touch (the worst case: each shopper ends up in about 40
 * of them), and one with a typical mix of 50 (the kinds the demo seeds, with
 * varied parameters: a department browsed now, idle carts, due to reorder,
 * sleeping high spenders, a region's shoppers), where a shopper is near a
 * few. Each round is accepted (16 senders, 20-message batches) and then
 * stored, so the figures are events accepted per second and events stored
 * per second (accept and drain: where audiences are evaluated, in the
 * profile transaction).
 *
 * Wall-clock rates on a shared machine move with whatever else runs on it,
 * by more than the difference measured. So each round also reads the CPU
 * time of the workerd process that runs the Worker and every object
 * (bench/lib/workerd-cpu.ts) from the start of the round until everything
 * is stored and the process is idle (alarms included): events over that CPU
 * time is the rate with the thread to itself, and the ratio of those rates
 * is the figure to compare. (Drains run during the acceptance too, so the
 * CPU of the two phases is given, but not compared on its own.)
 */
import type { Condition } from '@trailmark/schema';
import { putSite, waitUntilStored } from '../demo-site/simulate/admin-client';
import { batchRounds, type LoadResult } from './lib/load';
import { busiest, cpuMs, untilIdle, workerdProcesses } from './lib/workerd-cpu';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

export type AudienceMix = 'worst' | 'typical';

/** 50 audiences over the facts the bench events change (bench/lib/messages.ts: categories c0…c11, price 19.99, adds): every shopper is near all of them. */
export function benchAudienceDefinitions(count = 50): { id: string; definition: Condition }[] {
  const kinds: ((i: number) => Condition)[] = [
    (i) => ({ fact: 'viewedCategory', category: `c${i % 12}`, withinMinutes: 30, op: 'gte', value: 1 }),
    (i) => ({ fact: 'interest', category: `c${i % 12}`, op: 'gte', value: 0.5 }),
    (i) => ({ fact: 'cartValue', op: 'gte', value: 20 * (1 + (i % 5)) }),
    (i) => ({ fact: 'cartIdleMinutes', op: 'gte', value: 15 + (i % 4) * 15 }),
    (i) => ({
      all: [
        { fact: 'sessions', op: 'gte', value: 1 + (i % 3) },
        { fact: 'viewedCategory', category: `c${(i + 5) % 12}`, withinMinutes: 60, op: 'gte', value: 2 },
      ],
    }),
  ];
  return Array.from({ length: count }, (_, i) => ({ id: `bench-${i}`, definition: kinds[i % kinds.length]!(i) }));
}

const REGIONS = ['Bavaria', 'Texas', 'California', 'Ile-de-France', 'Catalonia', 'Lombardy', 'Ontario', 'England', 'New South Wales', 'Hesse'];

/**
 * 50 audiences of the kinds the demo seeds (demo-site/seeding/demo-audiences.ts),
 * with varied parameters, as a shop would define them: departments browsed
 * now (24 departments, half of them the bench's c0…c11), idle carts, due to
 * reorder, sleeping high spenders, a region's shoppers. A bench shopper is
 * near a few of them, as a shopper of a real shop is.
 */
export function typicalAudienceDefinitions(count = 50): { id: string; definition: Condition }[] {
  const kinds: ((i: number) => Condition)[] = [
    (i) => ({ fact: 'viewedCategory', category: `c${(i * 7) % 24}`, withinMinutes: [15, 30, 60][i % 3]!, op: 'gte', value: 1 + (i % 2) }),
    (i) =>
      i % 2
        ? { fact: 'cartIdleMinutes', op: 'gte', value: 30 * (1 + (i % 4)) }
        : {
            all: [
              { fact: 'cartIdleMinutes', op: 'gte', value: 60 },
              { fact: 'cartValue', op: 'gte', value: 50 * (1 + (i % 3)) },
            ],
          },
    (i) =>
      i % 2
        ? { fact: 'reorderDueDays', op: 'lte', value: 1 + (i % 7) }
        : {
            all: [
              { fact: 'reorderDueDays', op: 'lte', value: 3 },
              { fact: 'purchased', category: `c${i % 12}`, op: 'gte', value: 2 },
            ],
          },
    (i) => ({
      all: [
        { fact: 'lifecycle', op: 'in', value: i % 2 ? ['at_risk', 'sleeping'] : ['sleeping'] },
        { fact: 'rfm.monetary', op: 'gte', value: 3 + (i % 3) },
      ],
    }),
    (i) => ({ fact: 'region', op: 'eq', value: REGIONS[i % REGIONS.length]! }),
  ];
  return Array.from({ length: count }, (_, i) => ({ id: `typical-${i}`, definition: kinds[i % kinds.length]!(Math.floor(i / kinds.length)) }));
}

export const AUDIENCE_MIXES: Record<AudienceMix, (count?: number) => { id: string; definition: Condition }[]> = {
  worst: benchAudienceDefinitions,
  typical: typicalAudienceDefinitions,
};

export interface MixResult {
  mix: AudienceMix;
  with: Summary;
  /** Memberships the mix's site holds at the end. */
  memberships: number;
  /** Wall-clock rates with the mix over those without. */
  acceptedRatio: number;
  storedRatio: number;
  /** Events stored per CPU second of the Worker-and-objects process, with the mix over without: the rates with the thread to itself. */
  storedCpuRatio: number;
}

interface Summary {
  acceptedEventsPerSecond: number;
  storedEventsPerSecond: number;
  /** CPU of the Worker-and-objects process per event accepted, while accepting and from then until stored and idle. */
  acceptCpuMicroseconds: number;
  drainCpuMicroseconds: number;
  p99: number;
  errors: number;
}

interface Round {
  load: LoadResult;
  drainMs: number;
  /** CPU ms of each workerd process at the start, after accepting, after storing. */
  cpu: [number[], number[], number[]];
}

export async function benchIngestWithAudiences(
  server: { url: string; process?: { pid?: number } },
  {
    adminToken,
    audiences = 50,
    mixes = ['worst', 'typical'],
    concurrency = 16,
    roundMs = 4000,
    rounds = 5,
    batchSize = 20,
  }: { adminToken: string; audiences?: number; mixes?: AudienceMix[]; concurrency?: number; roundMs?: number; rounds?: number; batchSize?: number },
) {
  const origin = server.url.replace('localhost', '127.0.0.1');
  const admin = { url: server.url, adminToken };
  const plain = 'bench-no-audiences';
  const siteOf = (mix: AudienceMix) => `bench-${audiences}-${mix}-audiences`;
  const sites = [plain, ...mixes.map(siteOf)];
  for (const writeKey of sites) await putSite({ ...admin, writeKey, allowedOrigins: ['*'] });
  for (const mix of mixes) {
    for (const { id, definition } of AUDIENCE_MIXES[mix](audiences)) {
      const res = await fetch(`${server.url}/v1/admin/audiences/${id}?writeKey=${siteOf(mix)}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: id, definition }),
      });
      if (!res.ok) throw new Error(`PUT audience ${id}: ${res.status} ${await res.text()}`);
    }
  }

  const round = batchRounds({ origin, concurrency, batchSize });
  // Warm-up: every site's object exists and is compiled before anything counts.
  for (const writeKey of sites) await round(writeKey, 1500);
  await waitUntilStored(admin);

  const pids = server.process?.pid ? workerdProcesses(server.process.pid) : [];
  await untilIdle(pids);
  const runs = new Map<string, Round[]>(sites.map((site) => [site, []]));
  for (let r = 0; r < rounds; r++) {
    // Rotate which goes first, so none always follows another's leftovers.
    const order = sites.map((_, i) => sites[(i + r) % sites.length]!);
    for (const writeKey of order) {
      const c0 = cpuMs(pids);
      const load = await round(writeKey, roundMs);
      const c1 = cpuMs(pids);
      const drainMs = await waitUntilStored(admin);
      await untilIdle(pids);
      runs.get(writeKey)!.push({ load, drainMs, cpu: [c0, c1, cpuMs(pids)] });
    }
  }
  const all = [...runs.values()].flat();
  // The process that worked most over every round runs the Worker and the objects (the other is wrangler's proxy).
  const main =
    all.length && pids.length
      ? busiest(
          all.map((x) => x.cpu[0]).reduce((a, c) => a.map((v, i) => v + c[i]!)),
          all.map((x) => x.cpu[2]).reduce((a, c) => a.map((v, i) => v + c[i]!)),
        )
      : -1;
  const summary = (list: Round[]): Summary => {
    const events = list.reduce((s, x) => s + x.load.requests * batchSize, 0);
    const ms = list.reduce((s, x) => s + x.load.seconds * 1000 + x.drainMs, 0);
    const cpu = (from: 0 | 1, to: 1 | 2) => (main < 0 ? NaN : (list.reduce((s, x) => s + x.cpu[to][main]! - x.cpu[from][main]!, 0) * 1000) / events);
    return {
      acceptedEventsPerSecond: median(list.map((x) => x.load.rps)) * batchSize,
      storedEventsPerSecond: events / (ms / 1000),
      acceptCpuMicroseconds: cpu(0, 1),
      drainCpuMicroseconds: cpu(1, 2),
      p99: median(list.map((x) => x.load.p99)),
      errors: list.reduce((s, x) => s + x.load.errors, 0),
    };
  };
  const without = summary(runs.get(plain)!);
  const results: MixResult[] = [];
  for (const mix of mixes) {
    const with50 = summary(runs.get(siteOf(mix))!);
    const listed = await fetch(`${server.url}/v1/admin/audiences?writeKey=${siteOf(mix)}`, { headers: { authorization: `Bearer ${adminToken}` } });
    const members = (await listed.json()) as { audiences: { size: number }[] };
    results.push({
      mix,
      with: with50,
      memberships: members.audiences.reduce((s, a) => s + a.size, 0),
      acceptedRatio: with50.acceptedEventsPerSecond / without.acceptedEventsPerSecond,
      storedRatio: with50.storedEventsPerSecond / without.storedEventsPerSecond,
      storedCpuRatio: (without.acceptCpuMicroseconds + without.drainCpuMicroseconds) / (with50.acceptCpuMicroseconds + with50.drainCpuMicroseconds),
    });
  }
  return { audiences, rounds, without, mixes: results };
}
