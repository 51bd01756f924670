/**
 * What the built renderer (out/renderer) makes Chromium load before the app
 * can start: the entry script of index.html and the chunks it lists as
 * modulepreload, with their sizes raw and gzipped; and every other file of
 * the build (chunks loaded on demand, fonts).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { gzipSync } from 'node:zlib'

export const rendererOutDir = resolve(import.meta.dirname, '../../out/renderer')

export interface BuiltFile {
  /** Relative to out/renderer, e.g. `assets/index-abc.js`. */
  path: string
  bytes: number
  gzipBytes: number
}

export interface BuiltRenderer {
  /** The entry script and its modulepreloads, in the order index.html lists them. */
  initialScripts: BuiltFile[]
  initialStyles: BuiltFile[]
  /** Every .js file of the build. */
  scripts: BuiltFile[]
  /** Font files (any format). */
  fonts: BuiltFile[]
  initialJsBytes: number
  initialJsGzipBytes: number
  html: string
}

function file(dir: string, path: string): BuiltFile {
  const content = readFileSync(join(dir, path))
  return { path, bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length }
}

/** `./assets/x.js` → `assets/x.js` (index.html refers to its files relative to itself). */
function local(reference: string): string {
  return reference.replace(/^\.?\//, '')
}

/** The attribute values of every tag `<name ...>` whose attributes match `filter`. */
function tagAttributes(html: string, name: string): Record<string, string>[] {
  const out: Record<string, string>[] = []
  for (const tag of html.matchAll(new RegExp(`<${name}\\b([^>]*)>`, 'gi'))) {
    const attributes: Record<string, string> = {}
    for (const attribute of (tag[1] ?? '').matchAll(/([\w-]+)(?:\s*=\s*"([^"]*)")?/g)) attributes[(attribute[1] ?? '').toLowerCase()] = attribute[2] ?? ''
    out.push(attributes)
  }
  return out
}

function walk(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix)).flatMap((name) => {
    const path = prefix ? `${prefix}/${name}` : name
    return statSync(join(dir, path)).isDirectory() ? walk(dir, path) : [path]
  })
}

export function readBuiltRenderer(dir = rendererOutDir, page = 'index.html'): BuiltRenderer {
  const html = readFileSync(join(dir, page), 'utf8')
  const entry = tagAttributes(html, 'script').filter((script) => script['type'] === 'module' && script['src'])
  const links = tagAttributes(html, 'link')
  const preloads = links.filter((link) => link['rel'] === 'modulepreload' && link['href'])
  const styles = links.filter((link) => link['rel'] === 'stylesheet' && link['href'])
  const initialScripts = [...entry.map((script) => script['src'] ?? ''), ...preloads.map((link) => link['href'] ?? '')].map((ref) => file(dir, local(ref)))
  const all = walk(dir)
  return {
    initialScripts,
    initialStyles: styles.map((link) => file(dir, local(link['href'] ?? ''))),
    scripts: all.filter((path) => path.endsWith('.js')).map((path) => file(dir, path)),
    fonts: all.filter((path) => /\.(?:woff2?|ttf|otf|eot)$/i.test(path)).map((path) => file(dir, path)),
    initialJsBytes: initialScripts.reduce((sum, script) => sum + script.bytes, 0),
    initialJsGzipBytes: initialScripts.reduce((sum, script) => sum + script.gzipBytes, 0),
    html
  }
}
