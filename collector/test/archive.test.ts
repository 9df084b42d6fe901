/** The R2 archive keeps every stored event; the retention sweep empties old events out of D1 without touching the figures. */
import { SELF, env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { sweepExpiredEvents } from '../src/storage/retention';
import { archived } from './support/archive';
import { ADMIN, BASE, createSite, exportEvents, uniqueId } from './support/collector';
import { ordered, sendAndStore, viewed } from './support/shop';

describe('archive and retention', () => {
  it('archives each stored event as gzip NDJSON, partitioned by the hour it arrived', async () => {
    const writeKey = await createSite();
    const shopper = uniqueId('a');
    await sendAndStore(writeKey, [viewed(shopper, 'p1'), viewed(shopper, 'p2'), ordered(shopper, ['p1'])]);
    const objects = await archived(writeKey);
    const hour = new Date().toISOString().slice(0, 13);
    expect(objects.map((o) => o.key)).toEqual([
      expect.stringMatching(new RegExp(`dt=${hour.slice(0, 10)}/hour=${hour.slice(11, 13)}/[0-9a-f]+\\.ndjson\\.gz$`)),
    ]);
    const lines = objects.flatMap((o) => o.lines);
    const stored = await exportEvents(writeKey);
    expect(lines.map((l) => l.messageId).sort()).toEqual(stored.map((e) => e.messageId).sort());
    expect(lines[0]).toMatchObject({ writeKey, profileId: stored[0]!.profileId, context: { geo: expect.any(Object) } });
  });

  it('sweeps events past the retention window out of D1, keeping the statistics and the archive', async () => {
    const writeKey = await createSite();
    const shopper = uniqueId('old');
    await sendAndStore(writeKey, [viewed(shopper, 'p1'), ordered(shopper, ['p1'])], { country: 'DE', region: 'Bavaria' });
    const hour = (ms: number) => new Date(Math.floor(ms / 3600_000) * 3600_000).toISOString();
    const statsUrl = `${BASE}/v1/admin/stats?writeKey=${writeKey}&from=${hour(Date.now() - 3600_000)}&to=${hour(Date.now() + 7200_000)}`;
    const before = (await (await SELF.fetch(statsUrl, { headers: ADMIN })).json()) as Record<string, any>;

    expect(await sweepExpiredEvents(env.DB, writeKey, 90, Date.now() + 30 * 86_400_000)).toBe(0);
    expect(await sweepExpiredEvents(env.DB, writeKey, 90, Date.now() + 91 * 86_400_000)).toBe(2);
    expect(await exportEvents(writeKey)).toEqual([]);
    const after = (await (await SELF.fetch(statsUrl, { headers: ADMIN })).json()) as Record<string, any>;
    expect(after.events).toEqual(before.events);
    expect(after.regions).toEqual(before.regions);
    expect((await archived(writeKey)).flatMap((o) => o.lines)).toHaveLength(2);
  });
});
