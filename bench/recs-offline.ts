/**
 * The recommendation answer alone, out of the Worker: ShopModel.recommend —
 * the code ShopState runs for GET /v1/recommendations — over a copy of the
 * ShopState SQLite that `bench/recs-profile.ts` loaded (5,000 products,
 * ~100k simulated events), on sql.js, for the recommendation bench's mix
 * of slots and shoppers. Prints the CPU time and the rows read per answer,
 * by slot: what the ranking and its reads cost without the HTTP and RPC
 * around them (sql.js is SQLite compiled to WebAssembly, slower than the
 * Durable Object's native SQLite; the JavaScript is the same).
 *
 *   npx tsx bench/recs-profile.ts --state-dir DIR     # once, to load the data
 *   npx tsx bench/recs-offline.ts --state-dir DIR [--answers N]
 *
 * Needs the `sqlite3` command to fold the object's write-ahead log into the copy.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO_CATALOG_SEED, generateCatalog } from '../demo-site/simulate/catalog';
import { regionByKey } from '../demo-site/simulate/regions';
import { openSqlJs } from '../collector/src/lib/sqljs-sql';
import { DEFAULT_SETTINGS } from '../collector/src/sites/site';
import { migrate } from '../collector/src/lib/migrate';
import { SHOP_MIGRATIONS, ShopModel, type RecommendInput } from '../collector/src/shop/shop-model';
import type { ShopperTruth } from '../demo-site/simulate/shoppers';
import { option } from './lib/option';
import { SLOT_MIX } from './recommendations';

const stateDir = path.resolve(option('state-dir', '/tmp/trailmark-recs-profile'));
const answers = Number(option('answers', '2000'));
const objects = path.join(stateDir, 'v3', 'do', 'trailmark-ShopState');
const file = existsSync(objects) ? readdirSync(objects).find((f) => /^[0-9a-f]{64}\.sqlite$/.test(f)) : undefined;
if (!file) throw new Error(`no ShopState database under ${objects}: run bench/recs-profile.ts --state-dir ${stateDir} first`);

const copyDir = mkdtempSync(path.join(os.tmpdir(), 'trailmark-recs-offline-'));
const copy = path.join(copyDir, 'shop.sqlite');
copyFileSync(path.join(objects, file), copy);
if (existsSync(path.join(objects, `${file}-wal`))) copyFileSync(path.join(objects, `${file}-wal`), `${copy}-wal`);
execFileSync('sqlite3', [copy, 'PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;']);
const { sql, counters } = await openSqlJs(readFileSync(copy));
rmSync(copyDir, { recursive: true, force: true });

// The object's schema steps, as ShopState takes them when it starts (the state may be older than the code).
migrate(sql, SHOP_MIGRATIONS);
const model = new ShopModel(sql);
const shoppers = JSON.parse(readFileSync(path.join(stateDir, 'shoppers.json'), 'utf8')) as Pick<ShopperTruth, 'anonymousIds' | 'userId' | 'region'>[];
const products = generateCatalog({ size: 5000, seed: DEMO_CATALOG_SEED }).map((p) => p.product_id);

/** The i-th request of the bench's mix (recommendations.ts), as the route hands it to ShopState. */
function input(i: number): RecommendInput {
  const shopper = shoppers[(i * 7919) % shoppers.length]!;
  const slot = SLOT_MIX[i % SLOT_MIX.length]!;
  const geo = regionByKey(shopper.region);
  return {
    writeKey: 'demo-write-key',
    slot,
    anonymousId: shopper.anonymousIds[0]!,
    ...(shopper.userId ? { userId: shopper.userId } : {}),
    userVerified: false,
    ...(slot === 'product' ? { productId: products[(i * 104729) % products.length]! } : {}),
    limit: 8,
    geo: { country: geo.country, region: geo.region },
    holdoutPercent: DEFAULT_SETTINGS.holdoutPercent,
    globalHoldoutPercent: DEFAULT_SETTINGS.globalHoldoutPercent,
    nowMs: Date.now(),
  };
}

// Warm up (the JIT, and whatever the code keeps between requests), then measure.
for (let i = 0; i < 300; i++) model.recommend(input(i));
const bySlot = new Map<string, { cpuMs: number; n: number; rows: number }>();
const started = process.cpuUsage();
for (let i = 300; i < 300 + answers; i++) {
  const req = input(i);
  const rows = counters.rowsRead;
  const cpu = process.cpuUsage();
  model.recommend(req);
  const spent = process.cpuUsage(cpu);
  const slot = bySlot.get(req.slot) ?? { cpuMs: 0, n: 0, rows: 0 };
  slot.cpuMs += (spent.user + spent.system) / 1000;
  slot.n++;
  slot.rows += counters.rowsRead - rows;
  bySlot.set(req.slot, slot);
}
const total = process.cpuUsage(started);
console.log(`${answers} answers: ${((total.user + total.system) / 1000 / answers).toFixed(3)} ms of CPU each`);
for (const [slot, s] of bySlot) console.log(`  ${slot.padEnd(9)} ${(s.cpuMs / s.n).toFixed(3)} ms, ${(s.rows / s.n).toFixed(0)} rows read`);
