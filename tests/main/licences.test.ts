/** The About screen's licence list matches what package.json ships and what each package declares. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LICENCES } from '../../src/shared/licences'

const root = join(import.meta.dirname, '../..')
const readJson = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>

describe('About screen licences', () => {
  it('names every runtime dependency with the licence its package declares', () => {
    const dependencies = Object.keys(readJson(join(root, 'package.json')).dependencies as Record<string, string>)
    const listed = new Map(LICENCES.map((entry) => [entry.name, entry.licence]))
    for (const name of dependencies) {
      expect(listed.get(name), name).toBe(readJson(join(root, 'node_modules', name, 'package.json')).license)
    }
    // The two frameworks the window itself is made of.
    expect(listed.get('Electron')).toBe(readJson(join(root, 'node_modules', 'electron', 'package.json')).license)
    expect(listed.get('Svelte')).toBe(readJson(join(root, 'node_modules', 'svelte', 'package.json')).license)
    expect(LICENCES).toHaveLength(dependencies.length + 2)
  })
})
