/** The committed tray icons are what each OS needs (scripts/make-tray-icons.ts draws them). */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { trayIconFile } from '../../../src/main/services/desktop/environment'

const resources = join(import.meta.dirname, '..', '..', '..', 'resources')

describe('tray icons', () => {
  it('exist for every OS and panel the shell picks from', () => {
    for (const platform of ['darwin', 'win32', 'linux'] as const) {
      for (const dark of [true, false]) expect(existsSync(join(resources, trayIconFile(platform, dark))), `${platform} ${dark}`).toBe(true)
    }
  })

  it('on macOS are template images at 1x and 2x: black and alpha only', async () => {
    for (const [file, size] of [['trayTemplate.png', 16], ['trayTemplate@2x.png', 32]] as const) {
      const { data, info } = await sharp(join(resources, file)).ensureAlpha().raw().toBuffer({ resolveWithObject: true })
      expect([info.width, info.height]).toEqual([size, size])
      let opaque = 0
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3]! === 0) continue
        opaque++
        expect([data[i], data[i + 1], data[i + 2]]).toEqual([0, 0, 0])
      }
      // A glyph, not an empty or filled square.
      expect(opaque / (size * size)).toBeGreaterThan(0.15)
      expect(opaque / (size * size)).toBeLessThan(0.8)
    }
  })

  it('on Linux come light and dark, for dark and light panels', async () => {
    const mean = async (file: string): Promise<number> => {
      const { data } = await sharp(join(resources, file)).ensureAlpha().raw().toBuffer({ resolveWithObject: true })
      let sum = 0
      let count = 0
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3]! <= 128) continue
        sum += data[i]!
        count++
      }
      return sum / count
    }
    expect(await mean('tray-light.png')).toBeGreaterThan(200)
    expect(await mean('tray-dark.png')).toBeLessThan(60)
  })

  it('on Windows are one .ico with PNG entries from 16 to 64 px', () => {
    const ico = readFileSync(join(resources, 'tray.ico'))
    expect(ico.readUInt16LE(2)).toBe(1)
    const count = ico.readUInt16LE(4)
    const sizes: number[] = []
    for (let index = 0; index < count; index++) {
      const entry = 6 + index * 16
      const size = ico.readUInt8(entry)
      const offset = ico.readUInt32LE(entry + 12)
      expect(ico.subarray(offset, offset + 8).toString('latin1')).toBe('\x89PNG\r\n\x1a\n')
      expect(ico.readUInt32BE(offset + 16)).toBe(size)
      sizes.push(size)
    }
    expect(sizes).toEqual([16, 20, 24, 32, 40, 48, 64])
  })
})
