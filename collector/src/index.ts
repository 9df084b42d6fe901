/** Worker entry: the HTTP app and the Durable Object classes. */
import { createApp, normalizeBasePath } from './app';
import { sitesReadingRfm } from './audiences/audience-directory';
import { refreshRfm } from './audiences/site-audiences';
import { listSites } from './sites/site-directory';
import { continueArchiveErasures } from './storage/archive-erasure';
import { sweepExpiredEvents } from './storage/retention';

/** Archive objects the hourly trigger walks for pending erasures (listing is cheap; only possible matches are read). */
const ARCHIVE_OBJECTS_PER_TRIGGER = 200_000;

export { AggregateShard } from './aggregates/aggregate-shard';
export { DestinationOutbox } from './destinations/destination-outbox';
export { IdentityDirectory } from './identity/identity-directory';
export { IngestShard } from './storage/ingest-shard';
export { ProfileShard } from './profiles/profile-shard';
export { ShopState } from './shop/shop-state';

let app: ReturnType<typeof createApp> | undefined;
let appBasePath: string | undefined;

export default {
  fetch(request, env, ctx) {
    const basePath = normalizeBasePath(env.BASE_PATH);
    if (!app || basePath !== appBasePath) {
      app = createApp(basePath);
      appBasePath = basePath;
    }
    return app.fetch(request, env, ctx);
  },

  /**
   * Cron trigger: erasures go on through the R2 archive where their request
   * left off; the RFM boundaries of sites whose audiences read them are
   * refreshed (a few hundred rows per profile host; customers are evaluated
   * again only where a boundary moved); and events past the retention window
   * leave D1 (the R2 archive keeps them).
   */
  async scheduled(_controller, env) {
    for (const { writeKey, erasureId, result } of await continueArchiveErasures(env, { maxObjects: ARCHIVE_OBJECTS_PER_TRIGGER })) {
      console.log(
        `erasure ${erasureId} (${writeKey}): ${result.eventsRemoved} archived events removed${result.done ? ', done' : ', continuing at the next trigger'}`,
      );
    }
    for (const writeKey of await sitesReadingRfm(env)) {
      const { changed, queued } = await refreshRfm(env, writeKey);
      if (changed) console.log(`audiences: new RFM boundaries for ${writeKey}; ${queued} customers to evaluate again`);
    }
    const days = Number(env.EVENT_RETENTION_DAYS);
    if (!(days > 0)) return;
    for (const site of await listSites(env)) {
      const removed = await sweepExpiredEvents(env.DB, site.writeKey, days);
      if (removed > 0) console.log(`retention: ${removed} events older than ${days} days left D1 for ${site.writeKey}`);
    }
  },
} satisfies ExportedHandler<Env>;
