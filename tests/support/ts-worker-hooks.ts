/**
 * Loaded into worker threads that tests start from TypeScript sources
 * (see node-worker-plugin.ts). Node strips the types itself; this only
 * resolves the extension-less relative imports the sources use, as the
 * bundler does in the app.
 */
import { registerHooks } from 'node:module'

registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context)
    } catch (error) {
      const relative = specifier.startsWith('./') || specifier.startsWith('../')
      if (!relative || (error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error
      return nextResolve(`${specifier}.ts`, context)
    }
  }
})
