import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import type { Plugin } from 'vite'

const shared = resolve(import.meta.dirname, 'src/shared')

/**
 * KaTeX's stylesheet lists each font as woff2, woff and ttf; Chromium always
 * takes the woff2, but Vite would still copy the other two into the build.
 * Dropping them from the `src:` lists before Vite resolves the URLs ships the
 * woff2 files only.
 */
function woff2FontsOnly(): Plugin {
  return {
    name: 'woff2-fonts-only',
    enforce: 'pre',
    transform(code, id) {
      if (!/[\\/]katex[\\/].*\.css(?:\?|$)/.test(id)) return null
      return { code: code.replace(/,\s*url\([^)]*\.(?:woff|ttf)\)\s*format\("(?:woff|truetype)"\)/g, ''), map: null }
    }
  }
}

export default defineConfig({
  main: {
    resolve: { alias: { '@shared': shared } },
    build: {
      // electron-store is ESM-only; bundling it keeps main free of loader quirks.
      externalizeDeps: { exclude: ['electron-store', 'conf'] },
      rollupOptions: { input: { index: resolve(import.meta.dirname, 'src/main/index.ts') } }
    }
  },
  preload: {
    resolve: { alias: { '@shared': shared } },
    build: {
      // A sandboxed preload can only require 'electron': bundle everything else into it.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(import.meta.dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' }
      }
    }
  },
  renderer: {
    root: resolve(import.meta.dirname, 'src/renderer'),
    resolve: { alias: { '@shared': shared } },
    plugins: [svelte(), woff2FontsOnly()],
    build: {
      // Minified (electron-vite leaves the renderer unminified by default). The
      // minifier never introduces eval, so the CSP's script-src 'self' holds.
      minify: true,
      rollupOptions: {
        input: {
          index: resolve(import.meta.dirname, 'src/renderer/index.html'),
          // The quick-ask window: its own small entry (see src/renderer/src/quick).
          quick: resolve(import.meta.dirname, 'src/renderer/quick.html')
        }
      }
    }
  }
})
