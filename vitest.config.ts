import { defineConfig } from 'vitest/config';
import LongestFirstSequencer from './test/support/longest-first-sequencer';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Synthesizing the stack bundles every function with esbuild: give those tests room.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Four test files at a time, also on a 2-core machine (vitest's default there is one): the end-to-end files
    // spend most of their time waiting on Odoo, retry delays, saga waits and polling, and the real-Odoo suites (a real
    // server each) would otherwise put the CI run past 20 minutes. The longest files start first (the sequencer says
    // why), so that none of them runs alone at the end.
    maxWorkers: 4,
    sequence: { sequencer: LongestFirstSequencer },
    // The stack runs on Lambda's nodejs22.x; on this repo's Node 20 floor the AWS SDK warns once per process (every
    // test file and local function worker) that its 2027 releases need Node 22 — noise that buries real failures.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
