/**
 * Ingest throughput: events/s through POST /v1/batch (20 messages a batch,
 * 16 concurrent senders) next to GET /healthz on the same local server. The
 * ratio is the figure; absolute numbers depend on the machine. Rounds
 * alternate, and /healthz is measured only once the previous round's backlog
 * is stored, so the baseline is never slowed by our own background work.
 */
import { waitUntilStored } from '../demo-site/simulate/admin-client';
import { batchRounds, runLoad, type LoadResult } from './lib/load';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

export async function benchIngest(
  server: { url: string },
  {
    adminToken,
    concurrency = 16,
    roundMs = 4000,
    rounds = 3,
    batchSize = 20,
    writeKey = 'demo-write-key',
  }: { adminToken: string; concurrency?: number; roundMs?: number; rounds?: number; batchSize?: number; writeKey?: string },
) {
  const origin = server.url.replace('localhost', '127.0.0.1');
  const batches = batchRounds({ origin, concurrency, batchSize });
  const ingestRound = (durationMs: number) => batches(writeKey, durationMs);
  await runLoad({ origin, concurrency, durationMs: 1500, request: () => ({ path: '/healthz' }) });
  await ingestRound(1500);
  await waitUntilStored({ url: server.url, adminToken });

  const health: LoadResult[] = [];
  const ingest: LoadResult[] = [];
  let events = 0;
  let drainMs = 0;
  for (let round = 0; round < rounds; round++) {
    health.push(await runLoad({ origin, concurrency, durationMs: roundMs, request: () => ({ path: '/healthz' }) }));
    const result = await ingestRound(roundMs);
    ingest.push(result);
    events += result.requests * batchSize;
    drainMs += await waitUntilStored({ url: server.url, adminToken });
  }
  const pick = (runs: LoadResult[], key: 'rps' | 'p50' | 'p99') => median(runs.map((r) => r[key]));
  const ingestRps = pick(ingest, 'rps');
  const healthRps = pick(health, 'rps');
  const acceptMs = ingest.reduce((sum, r) => sum + r.seconds * 1000, 0);
  return {
    concurrency,
    batchSize,
    rounds,
    healthz: { rps: healthRps, p50: pick(health, 'p50'), p99: pick(health, 'p99'), errors: health.reduce((s, r) => s + r.errors, 0) },
    ingest: {
      rps: ingestRps,
      eventsPerSecond: ingestRps * batchSize,
      p50: pick(ingest, 'p50'),
      p99: pick(ingest, 'p99'),
      errors: ingest.reduce((s, r) => s + r.errors, 0),
      statuses: ingest.map((r) => r.statuses),
    },
    ratio: ingestRps / healthRps,
    /** Accepted events over the time to accept and then fully store them: what storage sustains. */
    storedEventsPerSecond: events / ((acceptMs + drainMs) / 1000),
    backlogDrainSeconds: drainMs / 1000 / rounds,
  };
}
