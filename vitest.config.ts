import { realpathSync } from 'node:fs'
import { resolve } from 'node:path'
import { defineConfig } from 'vitest/config'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { svelteTesting } from '@testing-library/svelte/vite'
import { nodeWorkerFromSource } from './tests/support/node-worker-plugin.ts'

const alias = { '@shared': resolve(import.meta.dirname, 'src/shared') }

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias },
        plugins: [nodeWorkerFromSource()],
        test: {
          name: 'main',
          environment: 'node',
          include: ['tests/main/**/*.test.ts', 'tests/fake-api/**/*.test.ts', 'src/main/**/*.test.ts'],
          testTimeout: 15_000
        }
      },
      {
        resolve: { alias },
        plugins: [svelte(), svelteTesting()],
        // A checkout whose node_modules is a link elsewhere (a second git work tree) may serve it too.
        server: { fs: { allow: [import.meta.dirname, realpathSync(resolve(import.meta.dirname, 'node_modules'))] } },
        test: {
          name: 'renderer',
          environment: 'happy-dom',
          include: ['src/renderer/**/*.test.ts']
        }
      },
      {
        resolve: { alias },
        plugins: [nodeWorkerFromSource()],
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/e2e/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false
        }
      }
    ]
  }
})
