import { existsSync } from 'node:fs';
import path from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

const root = path.resolve(import.meta.dirname, '..');

export default defineConfig(async () => {
  // wrangler.toml binds the built tag and pages as the Worker's static assets; without them the
  // pool fails with a bare "assets directory does not exist". `npm test` builds first.
  if (!existsSync(path.join(root, 'dist', 'public'))) {
    throw new Error('The Workers-runtime tests serve the built tag and pages: run `npm run build` once, then run them again.');
  }
  const migrations = await readD1Migrations(path.join(import.meta.dirname, 'migrations'));
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: path.join(root, 'wrangler.toml') },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            DEV_MODE: 'true',
            ADMIN_TOKEN: 'test-admin-token',
            INGEST_SHARDS: '2',
          },
        },
      }),
    ],
    test: {
      name: 'collector',
      include: ['test/**/*.test.ts'],
      setupFiles: ['./test/apply-migrations.ts'],
      // A busy 2-core CI machine runs these next to other suites; real deadlines are asserted inside the tests.
      testTimeout: 30_000,
    },
  };
});
