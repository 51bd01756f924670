/**
 * `import start from './x?nodeWorker'` under vitest. In the app,
 * electron-vite bundles the worker into its own file; here the worker runs
 * the TypeScript source directly (Node strips the types), with
 * ts-worker-hooks.ts resolving the sources' extension-less imports. Same
 * code, same thread boundary, no build step.
 */
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Plugin } from 'vite'

const SUFFIX = '?nodeWorker'
const PREFIX = '\0node-worker:'
const hooks = pathToFileURL(resolve(import.meta.dirname, 'ts-worker-hooks.ts')).href

export function nodeWorkerFromSource(): Plugin {
  return {
    name: 'skyport:node-worker-from-source',
    enforce: 'pre',
    async resolveId(id, importer) {
      if (!id.endsWith(SUFFIX)) return null
      const target = await this.resolve(id.slice(0, -SUFFIX.length), importer, { skipSelf: true })
      return target ? PREFIX + target.id : null
    },
    load(id) {
      if (!id.startsWith(PREFIX)) return null
      const entry = pathToFileURL(id.slice(PREFIX.length)).href
      return [
        "import { Worker } from 'node:worker_threads'",
        'export default function (options = {}) {',
        `  return new Worker(new URL(${JSON.stringify(entry)}), { ...options, execArgv: [...(options.execArgv ?? []), '--import', ${JSON.stringify(hooks)}] })`,
        '}'
      ].join('\n')
    }
  }
}
