/**
 * The open-source libraries the app ships (package.json `dependencies`) and
 * their licences, for the About screen. A test compares this list with
 * package.json and each package's own licence field, so it cannot drift.
 */
export interface LicenceEntry {
  name: string
  licence: string
}

export const LICENCES: readonly LicenceEntry[] = [
  { name: 'conf', licence: 'MIT' },
  { name: 'dompurify', licence: '(MPL-2.0 OR Apache-2.0)' },
  { name: 'electron-log', licence: 'MIT' },
  { name: 'electron-store', licence: 'MIT' },
  { name: 'electron-updater', licence: 'MIT' },
  { name: 'eventsource-parser', licence: 'MIT' },
  { name: 'highlight.js', licence: 'BSD-3-Clause' },
  { name: 'katex', licence: 'MIT' },
  { name: 'marked', licence: 'MIT' },
  { name: 'mpg123-decoder', licence: 'MIT' },
  { name: 'music-metadata', licence: 'MIT' },
  { name: 'node-id3', licence: 'MIT' },
  { name: 'sharp', licence: 'Apache-2.0' },
  { name: 'undici', licence: 'MIT' },
  { name: 'valibot', licence: 'MIT' },
  { name: 'virtua', licence: 'MIT' },
  { name: 'Electron', licence: 'MIT' },
  { name: 'Svelte', licence: 'MIT' }
]
