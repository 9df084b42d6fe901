import { readFileSync } from 'node:fs';
import { openSqlJs } from '../lib/sqljs-sql';
import { SHOP_SCHEMA, ShopModel } from '../../collector/src/shop/shop-model';
import { rankCandidates } from '../../collector/src/recommend/rank';
import { newProfile } from '../../collector/src/profiles/profile';
import { TUNING } from '../../collector/src/recommend/strategies';

const dir = '/work/shared/data/diginetica';
const read = (f: string) => readFileSync(`${dir}/${f}`, 'utf8').trim().split('\n').map((l) => l.trim().split(/\s+/));
const train = read('train_sessions.txt');
const test = read('test_sessions.txt');
const TRAIN_N = Number(process.env.TRAIN_N ?? train.length);
const PAIRS = Number(process.env.PAIRS ?? 5000);
import { existsSync, writeFileSync } from 'node:fs';
const cacheFile = process.env.CACHE ?? '';
const { sql, transaction, db } = await openSqlJs(cacheFile && existsSync(cacheFile) ? readFileSync(cacheFile) : undefined);
const cached = cacheFile && existsSync(cacheFile);
if (!cached) sql.exec(SHOP_SCHEMA);
const model = new ShopModel(sql);
const base = Date.UTC(2026, 0, 1);
const t0 = Date.now();
const trainSet = train.slice(train.length - TRAIN_N);
if (!cached) trainSet.forEach((session, s) => {
  const items = session.map((pid, i) => ({
    message: { type: 'track', event: 'Product Viewed', messageId: `t${s}-${i}`, anonymousId: `s${s}`, timestamp: new Date(base + s * 60_000 + i * 1000).toISOString(), receivedAt: '', properties: { product_id: pid }, context: { geo: {}, device: { type: 'desktop' }, bot: false } } as any,
    idHashes: [],
  }));
  transaction(() => model.ingest(items));
  if (s % 20000 === 0) console.error('replayed', s, Date.now() - t0, 'ms');
});
console.error('replay done', Date.now() - t0, 'ms');
if (cacheFile && !cached) writeFileSync(cacheFile, db.export());
const pairs: [string[], string][] = [];
for (const session of test) for (let t = 1; t < session.length; t++) pairs.push([session.slice(0, t), session[t]!]);
const step = Math.max(1, Math.floor(pairs.length / PAIRS));
const sample = pairs.filter((_, i) => i % step === 0);
console.error('pairs', pairs.length, 'sample', sample.length);
const src = { aggregates: model.aggregates, repurchaseIntervals: () => new Map() };
function evaluate(slot: 'home' | 'product') {
  let hits = 0, rr = 0;
  for (const [prefix, next] of sample) {
    const p = newProfile('eval', base);
    p.session.views = [...prefix];
    p.session.lastAt = base;
    const ranked = rankCandidates({ slot, variant: 'treatment', limit: 10, productId: slot === 'product' ? prefix[prefix.length - 1] : undefined, nowMs: base + 1e9 }, p, src as any);
    const ids = ranked.items.slice(0, 10).map((i) => i.productId);
    const rank = ids.indexOf(next);
    if (rank >= 0) { hits++; rr += 1 / (rank + 1); }
  }
  return { hr: (hits / sample.length).toFixed(4), mrr: (rr / sample.length).toFixed(4) };
}
const grid = JSON.parse(process.env.GRID ?? '[{}]');
for (const g of grid) {
  Object.assign(TUNING, g);
  const t1 = Date.now();
  console.log(JSON.stringify(g), 'home', JSON.stringify(evaluate('home')), 'product', JSON.stringify(evaluate('product')), Date.now() - t1, 'ms');
}
