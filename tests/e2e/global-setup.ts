/**
 * Before the browser tests: make sure Chromium is installed and the app is
 * built and not older than its sources.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { chromiumPath } from './support'

const root = resolve(import.meta.dirname, '../..')

function newestMtime(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs)
  }
  return newest
}

export default function setup(): void {
  if (!existsSync(chromiumPath())) {
    throw new Error(`Chromium was not found at ${chromiumPath()}. Install it (Debian: apt-get install -y chromium) or set CHROMIUM_PATH.`)
  }
  const built = join(root, 'out/renderer/index.html')
  // Main too: the built worker thread is run by the tests (transfer.test.ts).
  const sources = Math.max(newestMtime(join(root, 'src/renderer')), newestMtime(join(root, 'src/shared')), newestMtime(join(root, 'src/main')))
  if (!existsSync(built) || statSync(built).mtimeMs < sources) {
    execFileSync(join(root, 'node_modules/.bin/electron-vite'), ['build'], { cwd: root, stdio: 'inherit' })
  }
}
