import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Synthesizing the stack bundles every function with esbuild: give those tests room.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
