/** Worker entry: the HTTP app and the Durable Object classes. */
import { createApp, normalizeBasePath } from './app';

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
} satisfies ExportedHandler<Env>;
