import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two workers on the 2-core CI machine: much of the suite waits on I/O and sharp's own threads.
    maxWorkers: 2,
    globalSetup: ['test/support/global-setup.ts'],
  },
});
