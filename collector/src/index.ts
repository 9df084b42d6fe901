/** Worker entry: the HTTP app and the Durable Object classes. */
import { createApp, normalizeBasePath } from './app';
import { listSites } from './sites/site-directory';
import { sweepExpiredEvents } from './storage/retention';

export { DestinationOutbox } from './destinations/destination-outbox';
export { IngestShard } from './storage/ingest-shard';
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

  /** Cron trigger: events past the retention window leave D1 (the R2 archive keeps them). */
  async scheduled(_controller, env) {
    const days = Number(env.EVENT_RETENTION_DAYS);
    if (!(days > 0)) return;
    for (const site of await listSites(env)) {
      const removed = await sweepExpiredEvents(env.DB, site.writeKey, days);
      if (removed > 0) console.log(`retention: ${removed} events older than ${days} days left D1 for ${site.writeKey}`);
    }
  },
} satisfies ExportedHandler<Env>;
