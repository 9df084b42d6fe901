import { readFileSync } from 'node:fs';
import { openSqlJs } from '../lib/sqljs-sql';
import { SHOP_SCHEMA, ShopModel } from '../../collector/src/shop/shop-model';
const train = readFileSync('/work/shared/data/diginetica/train_sessions.txt', 'utf8').trim().split('\n').slice(0, 8000).map((l) => l.trim().split(/\s+/));
const { sql, transaction } = await openSqlJs();
sql.exec(SHOP_SCHEMA);
const model = new ShopModel(sql);
const base = Date.UTC(2026, 0, 1);
const t0 = Date.now(); let n = 0;
train.forEach((session, s) => {
  const items = session.map((pid, i) => ({ message: { type: 'track', event: 'Product Viewed', messageId: `t${s}-${i}`, anonymousId: `s${s}`, timestamp: new Date(base + s * 60_000 + i * 1000).toISOString(), receivedAt: '', properties: { product_id: pid }, context: { geo: {}, device: { type: 'desktop' }, bot: false } } as any, idHashes: [] }));
  n += items.length;
  transaction(() => model.ingest(items));
});
console.log(n, 'events', Date.now() - t0, 'ms', ((Date.now() - t0) / n * 1000).toFixed(0), 'µs/event');
