import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const at = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources of every workspace package, not their dist/.
    alias: {
      '@infra-report/shared': at('./packages/shared/src/index.ts'),
      '@infra-report/collector': at('./services/collector/src/index.ts'),
      '@infra-report/renderer': at('./services/renderer/src/index.ts'),
      '@infra-report/mailer': at('./services/mailer/src/index.ts'),
      '@infra-report/api': at('./services/api/src/index.ts'),
      '@infra-report/testkit': at('./packages/testkit/src/index.ts'),
    },
  },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'services/*/src/**/*.test.ts',
      'apps/*/src/**/*.test.ts',
      // The deployment's own files: alert rules, dashboards, chart, compose.
      'deploy/tests/**/*.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
