import { readdirSync } from 'node:fs'
import { join, relative } from 'node:path'

/** Every file under `dir` (none when it does not exist), relative with forward slashes, sorted. */
export function tree(dir: string): string[] {
  const files: string[] = []
  const walk = (current: string): void => {
    let entries
    try {
      entries = readdirSync(current, { withFileTypes: true })
    } catch {
      return
    }
    for (const entry of entries) {
      const full = join(current, entry.name)
      if (entry.isDirectory()) walk(full)
      else files.push(relative(dir, full).split('\\').join('/'))
    }
  }
  walk(dir)
  return files.sort()
}
