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
 *   npx tsx bench/recs-offline.ts --state-dir DIR [--answers N] [--warm N] [--baseline TREE]
 *
 * `--baseline TREE` (another checkout of this repository, e.g. a git
 * worktree of an older commit) runs that version's ShopModel next to this
 * one's, answer by answer in turn in the same process (so the rest of the
 * machine weighs on both alike), prints both, and checks that they give the
 * same answers (the recId aside).
 *
 * Needs the `sqlite3` command to fold the object's write-ahead log into the copy.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_CATALOG_SEED, generateCatalog } from '../demo-site/simulate/catalog';
import { regionByKey } from '../demo-site/simulate/regions';
import { DEFAULT_SETTINGS } from '../collector/src/sites/site';
import type { RecommendInput, ShopModel } from '../collector/src/shop/shop-model';
import type { SqlCounters } from '../collector/src/lib/sqljs-sql';
import type { ShopperTruth } from '../demo-site/simulate/shoppers';
import { option } from './lib/option';
import { SLOT_MIX } from './recommendations';

const stateDir = path.resolve(option('state-dir', '/tmp/trailmark-recs-profile'));
const answers = Number(option('answers', '2000'));
const warm = Number(option('warm', '300'));
const baseline = option('baseline', '');
const objects = path.join(stateDir, 'v3', 'do', 'trailmark-ShopState');
const file = existsSync(objects) ? readdirSync(objects).find((f) => /^[0-9a-f]{64}\.sqlite$/.test(f)) : undefined;
if (!file) throw new Error(`no ShopState database under ${objects}: run bench/recs-profile.ts --state-dir ${stateDir} first`);

const copyDir = mkdtempSync(path.join(os.tmpdir(), 'trailmark-recs-offline-'));
const copy = path.join(copyDir, 'shop.sqlite');
copyFileSync(path.join(objects, file), copy);
if (existsSync(path.join(objects, `${file}-wal`))) copyFileSync(path.join(objects, `${file}-wal`), `${copy}-wal`);
execFileSync('sqlite3', [copy, 'PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;']);
const bytes = readFileSync(copy);
rmSync(copyDir, { recursive: true, force: true });

/** A version's ShopModel over its own copy of the state, with the object's schema steps as ShopState takes them when it starts. */
async function version(root: string): Promise<{ model: ShopModel; counters: SqlCounters }> {
  const { openSqlJs } = (await import(path.join(root, 'collector/src/lib/sqljs-sql.ts'))) as typeof import('../collector/src/lib/sqljs-sql');
  const { migrate } = (await import(path.join(root, 'collector/src/lib/migrate.ts'))) as typeof import('../collector/src/lib/migrate');
  const shop = (await import(path.join(root, 'collector/src/shop/shop-model.ts'))) as typeof import('../collector/src/shop/shop-model');
  const { sql, counters } = await openSqlJs(bytes);
  migrate(sql, shop.SHOP_MIGRATIONS);
  return { model: new shop.ShopModel(sql), counters };
}
const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const versions = [
  { name: 'this tree', ...(await version(here)) },
  ...(baseline ? [{ name: `baseline (${baseline})`, ...(await version(path.resolve(baseline))) }] : []),
];
const shoppers = JSON.parse(readFileSync(path.join(stateDir, 'shoppers.json'), 'utf8')) as Pick<ShopperTruth, 'anonymousIds' | 'userId' | 'region'>[];
const products = generateCatalog({ size: 5000, seed: DEMO_CATALOG_SEED }).map((p) => p.product_id);

/** The i-th request of the bench's mix (recommendations.ts), as the route hands it to ShopState. */
function input(i: number, nowMs: number): RecommendInput {
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
    nowMs,
  };
}

// Warm up (the JIT, and whatever the code keeps between requests), then measure.
for (let i = 0; i < warm; i++) for (const v of versions) v.model.recommend(input(i, Date.now()));
const bySlot = versions.map(() => new Map<string, { cpuMs: number; n: number; rows: number }>());
let differing = 0;
// In blocks of a hundred answers per version, in turn: the two versions' data do not evict each other from the CPU's caches at every answer.
const BLOCK = 100;
for (let from = warm; from < warm + answers; from += BLOCK) {
  const requests = Array.from({ length: Math.min(BLOCK, warm + answers - from) }, (_, k) => input(from + k, Date.now()));
  const given = versions.map(({ model, counters }, v) =>
    requests.map((req) => {
      const rows = counters.rowsRead;
      const cpu = process.cpuUsage();
      const { recId: _, ...answer } = model.recommend(req);
      const spent = process.cpuUsage(cpu);
      const slot = bySlot[v]!.get(req.slot) ?? { cpuMs: 0, n: 0, rows: 0 };
      slot.cpuMs += (spent.user + spent.system) / 1000;
      slot.n++;
      slot.rows += counters.rowsRead - rows;
      bySlot[v]!.set(req.slot, slot);
      return JSON.stringify(answer);
    }),
  );
  requests.forEach((_, k) => {
    if (given.some((answers) => answers[k] !== given[0]![k])) differing++;
  });
}
versions.forEach(({ name }, v) => {
  const slots = [...bySlot[v]!];
  const cpuMs = slots.reduce((sum, [, s]) => sum + s.cpuMs, 0);
  console.log(`${name}: ${answers} answers, ${(cpuMs / answers).toFixed(3)} ms of CPU each`);
  for (const [slot, s] of slots) console.log(`  ${slot.padEnd(9)} ${(s.cpuMs / s.n).toFixed(3)} ms, ${(s.rows / s.n).toFixed(0)} rows read`);
});
if (baseline) console.log(`answers that differ between the two: ${differing} of ${answers}`);
