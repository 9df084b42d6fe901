/**
 * A closed-loop load generator: `concurrency` senders, each sending its next
 * request as soon as the last one is answered, for a fixed time. Uses one
 * keep-alive connection per sender (undici Pool), like a real client fleet.
 */
import { Pool } from 'undici';
import { benchBatch } from './messages';

export interface LoadRequest {
  method?: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadResult {
  requests: number;
  errors: number;
  statuses: Record<number, number>;
  seconds: number;
  rps: number;
  /** Latency percentiles, milliseconds. */
  p50: number;
  p99: number;
}

export async function runLoad({
  origin,
  concurrency,
  durationMs,
  request,
}: {
  origin: string;
  concurrency: number;
  durationMs: number;
  request: (sender: number, n: number) => LoadRequest;
}): Promise<LoadResult> {
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1 });
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let errors = 0;
  const started = performance.now();
  const stopAt = started + durationMs;
  async function sender(id: number) {
    for (let n = 0; performance.now() < stopAt; n++) {
      const req = request(id, n);
      const t0 = performance.now();
      try {
        const res = await pool.request({ method: req.method ?? 'GET', path: req.path, headers: req.headers, body: req.body });
        await res.body.text();
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode >= 400) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, (_, i) => sender(i)));
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  return {
    requests: latencies.length,
    errors,
    statuses: Object.fromEntries(statuses),
    seconds: elapsed,
    rps: latencies.length / elapsed,
    p50: pct(50),
    p99: pct(99),
  };
}

/**
 * Rounds of POST /v1/batch for one site at a time: `concurrency` senders,
 * `batchSize` tag-shaped messages a request, message ids unique across
 * every round made by the same function.
 */
export function batchRounds({ origin, concurrency, batchSize }: { origin: string; concurrency: number; batchSize: number }) {
  let sequence = 0;
  return (writeKey: string, durationMs: number): Promise<LoadResult> =>
    runLoad({
      origin,
      concurrency,
      durationMs,
      request: (sender, n) => ({
        method: 'POST',
        path: '/v1/batch',
        headers: { 'content-type': 'text/plain;charset=UTF-8' },
        body: benchBatch(writeKey, sender, sequence++ * 1000 + n, batchSize),
      }),
    });
}
