/**
 * What audiences add to a drain, offline on sql.js: the profile host's own
 * code (ShopModel applying a batch, then AudienceHost.afterApply in the same
 * transaction, then its alarm's hand-off) over the ingest bench's shoppers
 * (bench/lib/messages.ts: a new shopper per 20-message request), with no
 * audience, the worst-case 50 and a typical mix of 50
 * (bench/ingest-audiences.ts). The three hosts take turns batch after batch,
 * so the ratios come from one run on one machine state, and each batch is
 * timed in CPU time of this process (sql.js runs in it), which other work on
 * a shared machine changes far less than wall-clock time.
 *
 *   npx tsx bench/drain-audiences.ts [--events N] [--batch M]
 */
import type { StoredMessage } from '@trailmark/schema';
import { AUDIENCE_HOST_MIGRATIONS, AUDIENCE_MODULE, AudienceHost } from '../collector/src/audiences/audience-host';
import { identityTablesPeople, profilesTableSource } from '../collector/src/audiences/profile-source';
import { prepareMessage } from '../collector/src/ingest/prepare-message';
import { migrate, migrateModule } from '../collector/src/lib/migrate';
import { openSqlJs } from '../collector/src/lib/sqljs-sql';
import { SHOP_MIGRATIONS, ShopModel } from '../collector/src/shop/shop-model';
import { AUDIENCE_MIXES, type AudienceMix } from './ingest-audiences';
import { benchBatch } from './lib/messages';

const LIFECYCLE = { activeDays: 14, atRiskDays: 30, lapsedDays: 90 };

export interface DrainCost {
  events: number;
  batch: number;
  /** Microseconds per event of the whole drain transaction and the hand-off after it. */
  none: number;
  mixes: { mix: AudienceMix; microsecondsPerEvent: number; ratio: number; memberships: number }[];
}

/** A profile host over sql.js with the mix's audiences (none: null), fed batches as the drain feeds ShopState. */
export async function drainHost(mix: AudienceMix | null) {
  const { sql, transaction } = await openSqlJs();
  transaction(() => {
    migrate(sql, SHOP_MIGRATIONS);
    migrateModule(sql, AUDIENCE_MODULE, AUDIENCE_HOST_MIGRATIONS);
  });
  const model = new ShopModel(sql);
  let clock = Date.now();
  const audiences = new AudienceHost({
    sql,
    transaction,
    profiles: profilesTableSource(sql),
    people: identityTablesPeople(sql),
    lifecycle: async () => LIFECYCLE,
    deliver: async () => undefined,
    subscribed: async () => new Set(),
    clock: () => clock,
  });
  await audiences.refreshSite();
  if (mix)
    audiences.define(
      AUDIENCE_MIXES[mix]().map((a) => ({ id: a.id, name: a.id, definition: a.definition })),
      [],
      clock,
    );
  // Saved before any profile exists: the backfills find nothing, but their steps run (one audience an alarm) before the load.
  for (let due = audiences.due(); due !== undefined && due <= clock; due = audiences.due()) await audiences.run(clock);
  return {
    sql,
    audiences,
    /** One drain batch: applied and evaluated in one transaction, then the alarm's hand-off of the transitions. */
    async drain(messages: StoredMessage[]): Promise<void> {
      clock = Date.now();
      await audiences.refreshSite();
      transaction(() => {
        const applied = model.ingest(messages.map((message) => ({ message, idHashes: [] })));
        audiences.afterApply(
          messages.map((message, i) => ({ message, profileId: applied.profileIds[i] ?? null })),
          applied.merges,
          clock,
          model.profiles.written(),
        );
      });
      if (audiences.due() !== undefined && audiences.due()! <= clock) await audiences.run(clock);
    },
  };
}

/** The bench's requests as the drain receives them: prepared as the ingest route does. */
export function requests(writeKey: string, count: number, offset: number): StoredMessage[][] {
  const now = Date.now();
  const facts = {
    receivedAtMs: now,
    receivedAt: new Date(now).toISOString(),
    geo: { country: 'US', region: 'Texas', city: 'Austin' },
    browserUserAgent: undefined,
    sentAt: undefined,
    context: undefined,
    requireConsent: false,
    writeKey,
    bodyWriteKey: writeKey,
    pathType: undefined,
    requestBytes: 10_000,
  };
  return Array.from({ length: count }, (_, r) => {
    const body = JSON.parse(benchBatch(writeKey, r % 16, (offset + r) * 1000)) as { batch: unknown[] };
    return body.batch.flatMap((raw) => {
      const prepared = prepareMessage(raw, facts);
      return prepared.outcome === 'accepted' ? [prepared.message] : [];
    });
  });
}

export async function drainCost(events = 6000, batch = 200): Promise<DrainCost> {
  const mixes: AudienceMix[] = ['worst', 'typical'];
  const hosts = [await drainHost(null), ...(await Promise.all(mixes.map(drainHost)))];
  const perBatch = batch / 20;
  const elapsed = hosts.map(() => 0);
  // Warm-up (compiled code, prepared statements), not counted.
  for (let b = 0; b < 3; b++) for (const h of hosts) await h.drain(requests('bench', perBatch, 1e6 + b * perBatch).flat());
  for (let b = 0; b * batch < events; b++) {
    const messages = requests('bench', perBatch, b * perBatch).flat();
    // Rotate which goes first.
    for (let k = 0; k < hosts.length; k++) {
      const i = (b + k) % hosts.length;
      const start = process.cpuUsage();
      await hosts[i]!.drain(messages);
      const used = process.cpuUsage(start);
      elapsed[i]! += (used.user + used.system) / 1000;
    }
  }
  const total = Math.ceil(events / batch) * batch;
  const us = (ms: number) => (ms * 1000) / total;
  const count = (i: number) => hosts[i]!.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM audience_members').one().n;
  return {
    events: total,
    batch,
    none: us(elapsed[0]!),
    mixes: mixes.map((mix, m) => ({ mix, microsecondsPerEvent: us(elapsed[m + 1]!), ratio: elapsed[0]! / elapsed[m + 1]!, memberships: count(m + 1) })),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string, fallback: number) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const r = await drainCost(arg('--events', 6000), arg('--batch', 200));
  console.log(`drain of ${r.events} bench events in ${r.batch}-message batches, offline on sql.js (µs per event, whole transaction and hand-off):`);
  console.log(`  no audiences: ${r.none.toFixed(0)} µs`);
  for (const m of r.mixes)
    console.log(`  50 audiences, ${m.mix}: ${m.microsecondsPerEvent.toFixed(0)} µs (throughput ratio ${m.ratio.toFixed(2)}; ${m.memberships} memberships)`);
}
