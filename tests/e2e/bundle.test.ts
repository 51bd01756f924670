/**
 * The built renderer stays small to start: what index.html makes Chromium
 * load before the app can run (the entry script and its modulepreloads) is
 * under 200 KB gzipped and minified; KaTeX, highlight.js's languages and the
 * screens other than the chat are chunks loaded on demand; only woff2 fonts
 * ship (Chromium never asks for the .woff/.ttf fallbacks); and nothing in the
 * scripts needs `eval` (the CSP allows script-src 'self' only).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readBuiltRenderer, rendererOutDir } from '../support/built-renderer'

const INITIAL_JS_GZIP_LIMIT = 200 * 1024

describe('the built renderer', () => {
  const built = readBuiltRenderer()
  const initial = built.initialScripts.map((script) => readFileSync(join(rendererOutDir, script.path), 'utf8')).join('\n')

  it('starts with less than 200 KB of gzipped JavaScript, minified', () => {
    expect(built.initialScripts.length, 'index.html names its entry script').toBeGreaterThan(0)
    expect(built.initialJsGzipBytes, `initial scripts: ${built.initialScripts.map((s) => `${s.path} ${s.gzipBytes} B gz`).join(', ')}`).toBeLessThan(
      INITIAL_JS_GZIP_LIMIT
    )
    // Minified: long lines (unminified output averages about 30 characters a line).
    expect(initial.length / initial.split('\n').length, 'characters per line').toBeGreaterThan(300)
  })

  it('leaves KaTeX, highlight.js languages and the other screens out of the initial scripts', () => {
    // KaTeX's parser error class name, a highlight.js language's name, and the other screens' test ids.
    expect(initial.includes('KaTeX parse error'), 'KaTeX in the initial scripts').toBe(false)
    expect(initial).not.toMatch(/name:\s*["'`](?:Python|Rust|Kotlin)["'`]/)
    const all = built.scripts.map((script) => readFileSync(join(rendererOutDir, script.path), 'utf8'))
    for (const id of ['view-studio', 'view-library', 'view-models', 'view-settings']) {
      expect(all.some((code) => code.includes(id)), `${id} is built`).toBe(true)
      expect(initial.includes(id), `${id} is in the initial scripts`).toBe(false)
    }
    expect(all.some((code) => code.includes('KaTeX parse error')), 'KaTeX is still shipped').toBe(true)
    expect(all.filter((code) => /name:\s*["'`](?:Python|Rust|Kotlin)["'`]/.test(code)).length, 'languages in chunks of their own').toBeGreaterThanOrEqual(3)
  })

  it('ships only woff2 fonts', () => {
    expect(built.fonts.length).toBeGreaterThan(0)
    expect(built.fonts.filter((font) => !font.path.endsWith('.woff2')).map((font) => font.path)).toEqual([])
    const css = built.initialStyles.map((style) => readFileSync(join(rendererOutDir, style.path), 'utf8')).join('\n')
    const lazyCss = readFileSync(join(rendererOutDir, 'index.html'), 'utf8') + css
    expect(lazyCss).not.toMatch(/\.(?:ttf|woff)\b(?!2)/)
  })

  it('needs no eval under the strict CSP', () => {
    expect(built.html).toMatch(/script-src 'self';/)
    for (const script of built.scripts) {
      const code = readFileSync(join(rendererOutDir, script.path), 'utf8')
      expect(code, script.path).not.toMatch(/\beval\(|new Function\(/)
    }
  })
})
