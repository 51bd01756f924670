/**
 * Bundles a test's child-process script so plain Node runs it (SIGKILL and
 * user-switch tests need a real second process); packages stay external and
 * load from node_modules, and the app's worker threads run from their sources.
 */
import { join, resolve } from 'node:path'
import { build } from 'vite'
import { nodeWorkerFromSource } from './node-worker-plugin'

const root = resolve(import.meta.dirname, '../..')

/** Returns the path of the bundled script, under test-results/. */
export async function bundleChildScript(entry: string, name: string): Promise<string> {
  const outDir = join(root, 'test-results', `.${name}`)
  await build({
    configFile: false,
    logLevel: 'silent',
    plugins: [nodeWorkerFromSource()],
    build: { ssr: join(root, entry), outDir, emptyOutDir: true, target: 'node22', rollupOptions: { output: { format: 'es', entryFileNames: 'child.mjs' } } }
  })
  return join(outDir, 'child.mjs')
}
