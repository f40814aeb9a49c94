import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Tests import workspace packages from their sources, so `vitest` needs no build first;
// tests that spawn the `vigie` CLI use the build (`npm test` builds before running).
const alias = {
  '@vigie/common': here('services/common/src/index.ts'),
  '@vigie/bus': here('services/bus/src/index.ts'),
  '@vigie/storage': here('services/storage/src/index.ts'),
  '@vigie/detect': here('services/detect/src/index.ts'),
  '@vigie/demo': here('services/demo/src/index.ts'),
  '@vigie/processor': here('services/processor/src/index.ts'),
  '@vigie/collector': here('services/collector/src/index.ts'),
  '@vigie/cli': here('services/cli/src/main.ts'),
  '@vigie/testkit': here('services/testkit/src/index.ts'),
  '@vigie/api': here('services/api/src/index.ts'),
  '@vigie/alerter': here('services/alerter/src/index.ts'),
  '@vigie/embedded': here('services/embedded/src/index.ts'),
};

export default defineConfig({
  resolve: { alias },
  test: {
    reporters: ['default', here('services/testkit/src/summary-reporter.ts')],
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['services/*/test/**/*.test.ts', 'deploy/test/**/*.test.ts', 'ui/test/**/*.test.ts'],
          exclude: [
            'services/*/test/**/*.it.test.ts',
            'deploy/test/**/*.it.test.ts',
            'ui/test/**/*.it.test.ts',
          ],
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: [
            'services/*/test/**/*.it.test.ts',
            'deploy/test/**/*.it.test.ts',
            'ui/test/**/*.it.test.ts',
          ],
          globalSetup: [here('services/testkit/src/global-setup.ts')],
          // One file at a time: some tests stop Elasticsearch, and 2 cores gain nothing from more.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
