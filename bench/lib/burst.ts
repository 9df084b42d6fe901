/**
 * The run the CPU tools share (cpu-per-event.ts, ingest-profile.ts,
 * drain-perf.ts): a warm-up of 1.5 s of 20-message requests from 16 senders,
 * stored; then a burst of `seconds` (the burst rule holds the drain back, so
 * the backlog is drained afterwards, alone) and its drain, with the
 * `workerd` processes' CPU read before the burst, after it, and once
 * everything is stored. Hooks run around the two phases (profilers).
 */
import type { ChildProcess } from 'node:child_process';
import { waitUntilStored } from '../../demo-site/simulate/admin-client';
import { batchRounds } from './load';
import { busiest, cpuMs, workerdProcesses } from './workerd-cpu';

export const BURST_BATCH_SIZE = 20;

export interface BurstRun {
  /** The workerd processes, and the one running the Worker and the objects. */
  pids: number[];
  main: number;
  /** CPU ms of each process before the burst, after it, and once its backlog was stored. */
  c0: number[];
  c1: number[];
  c2: number[];
  events: number;
  seconds: number;
  drainMs: number;
}

export async function burstThenDrain(
  server: { url: string; process: ChildProcess },
  {
    adminToken,
    seconds,
    beforeBurst,
    beforeDrain,
    afterDrain,
  }: {
    adminToken: string;
    seconds: number;
    beforeBurst?: () => Promise<void>;
    beforeDrain?: (main: number) => Promise<void>;
    afterDrain?: () => Promise<void>;
  },
): Promise<BurstRun> {
  const batches = batchRounds({ origin: server.url.replace('localhost', '127.0.0.1'), concurrency: 16, batchSize: BURST_BATCH_SIZE });
  const load = (durationMs: number) => batches('demo-write-key', durationMs);
  await load(1500);
  await waitUntilStored({ url: server.url, adminToken });
  const pids = workerdProcesses(server.process.pid!);
  await beforeBurst?.();
  const c0 = cpuMs(pids);
  const burst = await load(seconds * 1000);
  const c1 = cpuMs(pids);
  const main = pids[busiest(c0, c1)]!;
  await beforeDrain?.(main);
  const drainMs = await waitUntilStored({ url: server.url, adminToken, intervalMs: 100 });
  const c2 = cpuMs(pids);
  await afterDrain?.();
  return { pids, main, c0, c1, c2, events: burst.requests * BURST_BATCH_SIZE, seconds: burst.seconds, drainMs };
}
