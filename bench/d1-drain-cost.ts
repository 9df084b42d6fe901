/**
 * D1's share of a drain, alone: the event log's inserts with every
 * statistics trigger, as the drain sends them (storeBatch), into a copy of a
 * real D1 file under Miniflare's workerd (the SQLite `wrangler dev` runs),
 * timed by the workerd process's CPU. Keep a bench's state to have a file:
 * `KEEP_STATE=1 npx tsx bench/ingest-profile.ts` prints where it is.
 *
 *   npx tsx bench/d1-drain-cost.ts --db <state>/v3/d1/miniflare-D1DatabaseObject/<id>.sqlite
 *       [--sql extra.sql] [--batches 10] [--first-time]
 *
 * `--sql`: statements applied to the copy first (sqlite3 CLI), e.g. a
 * migration being weighed. `--first-time`: every event from a shopper not
 * seen before (the replay's kind), instead of the ingest bench's 20-event
 * visits. The first batch warms up and is not counted.
 */
import { execSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getPlatformProxy } from 'wrangler';
import type { StoredMessage } from '@trailmark/schema';
import { storeBatch, type EventRow } from '../collector/src/storage/event-log';
import { option } from './lib/option';
import { cpuMs, workerdProcesses } from './lib/workerd-cpu';

const dbFile = option('db', '');
const extraSql = option('sql', '');
const batches = Number(option('batches', '10'));
const firstTime = process.argv.includes('--first-time');
if (!dbFile) throw new Error('--db <a D1 .sqlite file> is required (see the header)');

const EVENTS = ['Product Viewed', 'Product List Viewed', 'Products Searched', 'Product Added'];
const run = `${process.pid}`;

/** 1,000 stored events shaped like the ingest bench's (bench/lib/messages.ts), enriched as the drain stores them. */
function batch(b: number): EventRow[] {
  return Array.from({ length: 1000 }, (_, k) => {
    const seq = b * 1000 + k;
    const visit = Math.floor(seq / 20);
    const anonymousId = firstTime ? `d1-${run}-${seq}` : `d1-${run}-${visit}`;
    const at = new Date(Date.now() + seq * 5).toISOString();
    const i = seq % 20;
    const message = {
      type: i === 0 ? 'page' : 'track',
      ...(i === 0 ? { name: 'Product' } : { event: EVENTS[i % EVENTS.length] }),
      messageId: `d1-${run}-${seq}`,
      anonymousId,
      timestamp: at,
      receivedAt: at,
      sentAt: at,
      properties: { product_id: `p${(visit * 7 + i) % 500}`, category: `c${i % 12}`, price: 19.99, currency: 'USD' },
      context: {
        page: { url: 'https://shop.example/p/1', path: '/p/1', title: 'Product', referrer: '' },
        userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
        locale: 'en-US',
        library: { name: 'trailmark', version: '0.1.0' },
        geo: { country: 'DE', region: 'BE' },
        bot: false,
      },
    } as unknown as StoredMessage;
    return { message, profileId: `profile-${anonymousId}`, idHashes: [{ kind: 'anonymous', hash: `hash-${anonymousId}` }] };
  });
}

const persist = mkdtempSync(path.join(os.tmpdir(), 'trailmark-d1-cost-'));
try {
  // The copy goes where `wrangler dev` keeps this database: under its own file name, which names the binding's database.
  const dir = path.join(persist, 'd1', 'miniflare-D1DatabaseObject');
  mkdirSync(dir, { recursive: true });
  const copy = path.join(dir, path.basename(dbFile));
  copyFileSync(dbFile, copy);
  if (existsSync(`${dbFile}-wal`)) copyFileSync(`${dbFile}-wal`, `${copy}-wal`);
  if (extraSql) execSync(`sqlite3 ${JSON.stringify(copy)}`, { input: readFileSync(extraSql) });
  const proxy = await getPlatformProxy<{ DB: D1Database }>({ persist: { path: persist } });
  const db = proxy.env.DB;
  const pids = workerdProcesses(process.pid);
  await storeBatch(db, 'demo-write-key', { events: batch(0), rejected: [], merges: [] });
  const before = cpuMs(pids).reduce((a, b) => a + b, 0);
  for (let b = 1; b <= batches; b++) await storeBatch(db, 'demo-write-key', { events: batch(b), rejected: [], merges: [] });
  const used = cpuMs(pids).reduce((a, b) => a + b, 0) - before;
  const stored = await db.prepare('SELECT COUNT(*) AS n FROM events WHERE message_id LIKE ?').bind(`d1-${run}-%`).first<{ n: number }>();
  if (stored?.n !== (batches + 1) * 1000)
    throw new Error(`expected ${(batches + 1) * 1000} events stored, found ${stored?.n}: is --db the file of this wrangler.toml's database?`);
  console.log(
    `${extraSql ? path.basename(extraSql) : 'as is'}: ${((used * 1000) / (batches * 1000)).toFixed(0)} µs of workerd CPU per event stored in D1 (${batches} batches of 1,000${firstTime ? ', first-time shoppers' : ''})`,
  );
  await proxy.dispose();
} finally {
  rmSync(persist, { recursive: true, force: true });
}
