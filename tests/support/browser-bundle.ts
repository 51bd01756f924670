/**
 * Bundles one browser entry file with Vite's build() API, in memory, and
 * returns the script. Used for the pieces tests inject into Chromium (the
 * browser bridge, the markdown harness, benchmark pages).
 */
import { build } from 'vite'

const bundles = new Map<string, Promise<string>>()

export function bundleForBrowser(entry: string, options: { minify?: boolean } = {}): Promise<string> {
  const key = `${entry}\0${options.minify === true}`
  let bundle = bundles.get(key)
  if (!bundle) {
    bundle = build({
      configFile: false,
      logLevel: 'silent',
      define: { 'process.env.NODE_ENV': JSON.stringify('production') },
      build: {
        write: false,
        minify: options.minify ?? false,
        target: 'es2023',
        lib: { entry, formats: ['es'], fileName: 'bundle' },
        // One script: the markdown renderer's on-demand chunks (KaTeX, languages) go inside it.
        rollupOptions: { output: { codeSplitting: false } }
      }
    }).then((result) => {
      for (const output of Array.isArray(result) ? result : [result]) {
        if (!('output' in output)) continue
        const chunk = output.output.find((item) => item.type === 'chunk')
        if (chunk && chunk.type === 'chunk') return chunk.code
      }
      throw new Error(`${entry} did not build.`)
    })
    bundles.set(key, bundle)
  }
  return bundle
}
