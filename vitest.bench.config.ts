/**
 * `npm run bench`: the benchmarks in tests/bench, one file at a time (they
 * measure; running two at once would measure each other). The e2e global
 * setup builds the renderer when it is stale and checks Chromium; the bench
 * one collects the results into test-results/bench/results.json.
 */
import { resolve } from 'node:path'
import { defineConfig } from 'vitest/config'
import { nodeWorkerFromSource } from './tests/support/node-worker-plugin.ts'

export default defineConfig({
  resolve: { alias: { '@shared': resolve(import.meta.dirname, 'src/shared') } },
  plugins: [nodeWorkerFromSource()],
  test: {
    name: 'bench',
    environment: 'node',
    include: ['tests/bench/**/*.bench.test.ts'],
    globalSetup: ['tests/e2e/global-setup.ts', 'tests/bench/global-setup.ts'],
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 300_000,
    hookTimeout: 300_000,
    retry: 0
  }
})
