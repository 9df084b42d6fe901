/**
 * Every Vitest suite: the collector inside the Workers runtime
 * (collector/vitest.config.mts) and plain-Node unit tests of the pure logic.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      'collector/vitest.config.mts',
      {
        test: {
          name: 'unit',
          environment: 'node',
          include: [
            'schema/test/**/*.test.ts',
            // Pure collector modules keep their fast tests beside them (profile.test.ts next to profile.ts).
            'collector/src/**/*.test.ts',
            'sdk/test/unit/**/*.test.ts',
            'demo-site/test/unit/**/*.test.ts',
            'bench/test/**/*.test.ts',
            // How the browser tests find Chromium on a fresh machine and in CI.
            'scripts/**/*.test.ts',
          ],
          passWithNoTests: true,
        },
      },
    ],
  },
});
