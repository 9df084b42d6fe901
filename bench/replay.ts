/**
 * Replay catch-up: the first 142,825 product views of the Diginetica training
 * sessions (real shoppers' sessions, in their order), sent as fast as the
 * collector acknowledges them (16 senders, 20-message batches, one browser per
 * session), then the time from the last acknowledgement until every accepted
 * event is stored (profiles, aggregates, D1, R2). What matters is the
 * catch-up: storage that keeps up has little left to do when acceptance ends.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { waitUntilStored } from '../demo-site/simulate/admin-client';
import { DIGINETICA_DIR } from './recs-quality/diginetica';
import { Pool } from 'undici';

export const REPLAY_EVENTS = 142_825;
const UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

export interface ReplayResult {
  events: number;
  acceptSeconds: number;
  acceptedPerSecond: number;
  /** From the last acknowledgement to nothing pending. */
  catchUpSeconds: number;
  storedPerSecond: number;
  /** Requests not acknowledged at first (sent again). */
  errors: number;
}

/** The views as tag-shaped batches: each batch holds consecutive views, so a browser's views stay together and in order. */
export async function replayBatches(writeKey: string, events = REPLAY_EVENTS, batchSize = 20, dir = DIGINETICA_DIR): Promise<string[]> {
  const text = await readFile(path.join(dir, 'train_sessions.txt'), 'utf8');
  const views: { session: number; item: string }[] = [];
  const lines = text.split('\n');
  for (let s = 0; s < lines.length && views.length < events; s++) {
    for (const item of lines[s]!.trim().split(/\s+/)) {
      if (!item) continue;
      views.push({ session: s, item });
      if (views.length === events) break;
    }
  }
  const now = new Date().toISOString();
  const run = `${process.pid}-${Date.now()}`;
  const batches: string[] = [];
  for (let i = 0; i < views.length; i += batchSize) {
    const batch = views.slice(i, i + batchSize).map((view, j) => ({
      type: 'track',
      event: 'Product Viewed',
      messageId: `replay-${run}-${i + j}`,
      anonymousId: `dgn-${view.session}`,
      timestamp: now,
      properties: { product_id: view.item, name: `Item ${view.item}`, price: 10, currency: 'USD' },
      context: {
        page: { url: `https://shop.example/p/${view.item}`, path: `/p/${view.item}` },
        userAgent: UA,
        locale: 'en-US',
        library: { name: 'trailmark', version: '0.1.0' },
      },
    }));
    batches.push(JSON.stringify({ writeKey, sentAt: now, batch }));
  }
  return batches;
}

/**
 * Sends every batch with `concurrency` senders, each its next batch as soon
 * as the last is acknowledged. A batch the collector did not acknowledge (a
 * 503 while busy, a dropped connection) is sent again, as the tag would.
 */
export async function sendBatches(
  origin: string,
  batches: readonly string[],
  concurrency: number,
  onAcknowledged: () => void = () => {},
): Promise<{ errors: number }> {
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1 });
  let next = 0;
  let errors = 0;
  async function sender() {
    for (let i = next++; i < batches.length; i = next++) {
      for (let attempt = 0; ; attempt++) {
        try {
          const res = await pool.request({ method: 'POST', path: '/v1/batch', headers: { 'content-type': 'text/plain;charset=UTF-8' }, body: batches[i] });
          await res.body.text();
          if (res.statusCode === 200) break;
        } catch {}
        errors++;
        if (attempt > 20) throw new Error(`batch ${i} was not acknowledged after ${attempt} attempts`);
        await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
      }
      onAcknowledged();
    }
  }
  try {
    await Promise.all(Array.from({ length: concurrency }, () => sender()));
  } finally {
    await pool.close();
  }
  return { errors };
}

export async function benchReplay(
  server: { url: string },
  {
    adminToken,
    writeKey = 'demo-write-key',
    concurrency = 16,
    events = REPLAY_EVENTS,
  }: { adminToken: string; writeKey?: string; concurrency?: number; events?: number },
): Promise<ReplayResult> {
  const origin = server.url.replace('localhost', '127.0.0.1');
  const batches = await replayBatches(writeKey, events);
  const started = performance.now();
  const { errors } = await sendBatches(origin, batches, concurrency);
  const acceptSeconds = (performance.now() - started) / 1000;
  const catchUpMs = await waitUntilStored({ url: server.url, adminToken, timeoutMs: 600_000, intervalMs: 100 });
  const total = Math.min(events, batches.length * 20);
  return {
    events: total,
    acceptSeconds,
    acceptedPerSecond: total / acceptSeconds,
    catchUpSeconds: catchUpMs / 1000,
    storedPerSecond: total / (acceptSeconds + catchUpMs / 1000),
    errors,
  };
}
