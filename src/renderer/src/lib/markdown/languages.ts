/**
 * highlight.js with a curated set of languages (the core build plus the ones
 * models write most). Each language is a chunk of its own, loaded the first
 * time a code block asks for it, so the start-up bundle carries the core only.
 *
 * A language module registers its own aliases (js, ts, py, sh, html, yml, ...)
 * only once it is loaded; `LANGUAGES` repeats them, plus a few common names
 * no module has, so a block's label finds its loader before that (a test
 * checks the table against the modules).
 */
import hljs from 'highlight.js/lib/core'
import type { LanguageFn } from 'highlight.js'

type Loader = () => Promise<{ default: LanguageFn }>

/** Each language: its loader and the names a code fence may use for it. */
export const LANGUAGES: Record<string, { load: Loader; aliases: readonly string[] }> = {
  bash: { load: () => import('highlight.js/lib/languages/bash'), aliases: ['sh', 'zsh'] },
  c: { load: () => import('highlight.js/lib/languages/c'), aliases: ['h'] },
  cpp: { load: () => import('highlight.js/lib/languages/cpp'), aliases: ['cc', 'c++', 'h++', 'hpp', 'hh', 'hxx', 'cxx'] },
  csharp: { load: () => import('highlight.js/lib/languages/csharp'), aliases: ['cs', 'c#'] },
  css: { load: () => import('highlight.js/lib/languages/css'), aliases: [] },
  diff: { load: () => import('highlight.js/lib/languages/diff'), aliases: ['patch'] },
  dockerfile: { load: () => import('highlight.js/lib/languages/dockerfile'), aliases: ['docker'] },
  go: { load: () => import('highlight.js/lib/languages/go'), aliases: ['golang'] },
  ini: { load: () => import('highlight.js/lib/languages/ini'), aliases: ['toml'] },
  java: { load: () => import('highlight.js/lib/languages/java'), aliases: ['jsp'] },
  javascript: { load: () => import('highlight.js/lib/languages/javascript'), aliases: ['js', 'jsx', 'mjs', 'cjs'] },
  json: { load: () => import('highlight.js/lib/languages/json'), aliases: ['jsonc', 'json5'] },
  kotlin: { load: () => import('highlight.js/lib/languages/kotlin'), aliases: ['kt', 'kts', 'ktm', 'ktx'] },
  markdown: { load: () => import('highlight.js/lib/languages/markdown'), aliases: ['md', 'mkdown', 'mkd'] },
  php: { load: () => import('highlight.js/lib/languages/php'), aliases: [] },
  plaintext: { load: () => import('highlight.js/lib/languages/plaintext'), aliases: ['text', 'txt', 'plain'] },
  powershell: { load: () => import('highlight.js/lib/languages/powershell'), aliases: ['pwsh', 'ps', 'ps1'] },
  python: { load: () => import('highlight.js/lib/languages/python'), aliases: ['py', 'gyp', 'ipython'] },
  ruby: { load: () => import('highlight.js/lib/languages/ruby'), aliases: ['rb', 'gemspec', 'podspec', 'thor', 'irb'] },
  rust: { load: () => import('highlight.js/lib/languages/rust'), aliases: ['rs'] },
  shell: { load: () => import('highlight.js/lib/languages/shell'), aliases: ['console', 'shellsession'] },
  sql: { load: () => import('highlight.js/lib/languages/sql'), aliases: [] },
  swift: { load: () => import('highlight.js/lib/languages/swift'), aliases: [] },
  typescript: { load: () => import('highlight.js/lib/languages/typescript'), aliases: ['ts', 'tsx', 'mts', 'cts'] },
  xml: {
    load: () => import('highlight.js/lib/languages/xml'),
    aliases: ['html', 'xhtml', 'rss', 'atom', 'xjb', 'xsd', 'xsl', 'plist', 'wsf', 'svg', 'vue', 'svelte']
  },
  yaml: { load: () => import('highlight.js/lib/languages/yaml'), aliases: ['yml'] }
}

const byName = new Map<string, string>()
for (const [name, { aliases }] of Object.entries(LANGUAGES)) {
  byName.set(name, name)
  for (const alias of aliases) byName.set(alias, name)
}

/** Languages tried when a block has no language (short blocks only). */
export const AUTO_DETECT_SUBSET = [
  'bash',
  'c',
  'cpp',
  'csharp',
  'css',
  'go',
  'java',
  'javascript',
  'json',
  'python',
  'rust',
  'sql',
  'typescript',
  'xml',
  'yaml'
]

const loading = new Map<string, Promise<void>>()
/** Languages whose chunk could not be loaded: their blocks stay plain (no retry loop of renders). */
const failed = new Set<string>()

/** The curated language a fence label names (by name or alias, any case), or null. */
export function languageFor(label: string): string | null {
  return byName.get(label.toLowerCase()) ?? null
}

/** Loads a curated language (by its name) and registers it; resolves at once when it is there. */
export function loadLanguage(name: string): Promise<void> {
  const language = LANGUAGES[name]
  if (!language || hljs.getLanguage(name)) return Promise.resolve()
  let promise = loading.get(name)
  if (!promise) {
    promise = language.load().then(
      (module) => {
        hljs.registerLanguage(name, module.default)
        // The table also has common names the module does not alias itself (vue, svelte, plain).
        hljs.registerAliases([...language.aliases], { languageName: name })
      },
      (error: unknown) => {
        failed.add(name)
        throw error
      }
    )
    loading.set(name, promise)
  }
  return promise
}

export function languageLoaded(name: string): boolean {
  return hljs.getLanguage(name) !== undefined
}

/** Loaded, or on its way: not a chunk that failed to load. */
export function languageAvailable(name: string): boolean {
  return !failed.has(name)
}

export function loadLanguages(names: Iterable<string>): Promise<void> {
  return Promise.all(Array.from(names, loadLanguage)).then(() => undefined)
}

export { hljs }
