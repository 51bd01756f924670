/**
 * The packaging config as electron-builder itself reads and validates it:
 * a misspelt fuse would otherwise be ignored or fail only at packaging time.
 */
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js'
import { DebugLogger } from 'builder-util'
import { describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const resources = join(root, 'resources')

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG')
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) }
}

/** Each image of an .ico: the size its entry names and the PNG's own. */
function icoImages(bytes: Buffer): Array<{ entry: number; png: number }> {
  expect(bytes.readUInt16LE(2)).toBe(1)
  return Array.from({ length: bytes.readUInt16LE(4) }, (_, index) => {
    const entry = 6 + index * 16
    const size = bytes.readUInt32LE(entry + 8)
    const offset = bytes.readUInt32LE(entry + 12)
    return { entry: bytes.readUInt8(entry) || 256, png: pngSize(bytes.subarray(offset, offset + size)).width }
  })
}

/** Each image of an .icns by its type, with the PNG's width. */
function icnsImages(bytes: Buffer): Record<string, number> {
  expect(bytes.subarray(0, 4).toString('ascii')).toBe('icns')
  expect(bytes.readUInt32BE(4)).toBe(bytes.length)
  const images: Record<string, number> = {}
  for (let offset = 8; offset < bytes.length; offset += bytes.readUInt32BE(offset + 4)) {
    images[bytes.subarray(offset, offset + 4).toString('ascii')] = pngSize(bytes.subarray(offset + 8, offset + bytes.readUInt32BE(offset + 4))).width
  }
  return images
}

type Target = { target: string; arch?: string[] } | string
const targets = (list: unknown): Array<{ target: string; arch: string[] }> =>
  ([] as Target[]).concat(list as Target[]).map((item) => (typeof item === 'string' ? { target: item, arch: [] } : { target: item.target, arch: item.arch ?? [] }))

describe('electron-builder config', () => {
  it('is valid and flips every fuse that lets code run outside the packaged app', async () => {
    const config = await getConfig(root, null, null)
    await validateConfiguration(config, new DebugLogger(false))
    const fuses = config.electronFuses
    expect(fuses?.runAsNode).toBe(false)
    expect(fuses?.enableNodeOptionsEnvironmentVariable).toBe(false)
    expect(fuses?.enableNodeCliInspectArguments).toBe(false)
    expect(fuses?.enableEmbeddedAsarIntegrityValidation).toBe(true)
    expect(fuses?.onlyLoadAppFromAsar).toBe(true)
    expect(fuses?.enableCookieEncryption).toBe(true)
    expect(fuses?.grantFileProtocolExtraPrivileges).toBe(false)
    // onlyLoadAppFromAsar needs the app packed into an asar archive.
    expect(config.asar).not.toBe(false)
  })

  it('registers the skyport: link scheme in the installers, for skyport://ask?q=', async () => {
    const config = await getConfig(root, null, null)
    await validateConfiguration(config, new DebugLogger(false))
    const protocols = [config.protocols ?? []].flat()
    expect(protocols.flatMap((protocol) => protocol.schemes)).toEqual(['skyport'])
  })
})

describe('installers', () => {
  it('builds AppImage and deb with desktop categories, dmg for both Mac chips hardened, and a per-user NSIS installer', async () => {
    const config = await getConfig(root, null, null)
    expect(targets(config.linux?.target).map((item) => item.target)).toEqual(['AppImage', 'deb'])
    const entry = (config.linux?.desktop as { entry?: Record<string, string> } | undefined)?.entry
    expect(entry?.['Categories']).toBe('Network;Chat;Utility;')
    expect(entry?.['StartupWMClass']).toBe('Skyport')

    const dmg = targets(config.mac?.target).find((item) => item.target === 'dmg')
    expect(dmg?.arch.sort()).toEqual(['arm64', 'x64'])
    expect(config.mac?.hardenedRuntime).toBe(true)
    const entitlements = readFileSync(join(root, config.mac?.entitlements as string), 'utf8')
    expect(entitlements).toContain('com.apple.security.cs.allow-jit')
    expect(config.mac?.entitlementsInherit).toBe(config.mac?.entitlements)
    expect(config.afterSign).toBe('scripts/notarize.mjs')

    expect(targets(config.win?.target).map((item) => item.target)).toEqual(['nsis'])
    expect(config.nsis?.perMachine).toBe(false)
    expect(config.nsis?.allowElevation).toBe(false)
  })

  it('packs the app into asar with sharp unpacked, and publishes to GitHub releases for the updater', async () => {
    const config = await getConfig(root, null, null)
    expect(config.asar).toBe(true)
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['node_modules/sharp/**', 'node_modules/@img/**']))
    expect(config.publish).toMatchObject({ provider: 'github', owner: expect.any(String), repo: 'skyport' })
  })

  it('has the icons of every size and OS, each really the size it says', async () => {
    const config = await getConfig(root, null, null)
    expect(config.linux?.icon).toBe('resources/icons')
    for (const size of [16, 24, 32, 48, 64, 128, 256, 512, 1024]) {
      expect(pngSize(readFileSync(join(resources, 'icons', `${size}x${size}.png`)))).toEqual({ width: size, height: size })
    }
    expect(pngSize(readFileSync(join(resources, 'icon.png')))).toEqual({ width: 512, height: 512 })

    expect(config.win?.icon).toBe('resources/icon.ico')
    const ico = icoImages(readFileSync(join(root, config.win?.icon as string)))
    expect(ico.map((image) => image.entry)).toEqual([16, 24, 32, 48, 64, 128, 256])
    for (const image of ico) expect(image.png).toBe(image.entry)

    expect(config.mac?.icon).toBe('resources/icon.icns')
    expect(icnsImages(readFileSync(join(root, config.mac?.icon as string)))).toEqual({
      icp4: 16,
      icp5: 32,
      ic11: 32,
      icp6: 64,
      ic12: 64,
      ic07: 128,
      ic08: 256,
      ic13: 256,
      ic09: 512,
      ic14: 512,
      ic10: 1024
    })
    // One source for all of them.
    expect(existsSync(join(resources, 'icon.svg'))).toBe(true)
  })
})

describe('notarize hook', () => {
  type AfterSign = (
    context: unknown,
    options: { env: Record<string, string>; notarize: (options: Record<string, string>) => Promise<void>; log: (line: string) => void }
  ) => Promise<string>
  const load = async (): Promise<AfterSign> => ((await import(join(root, 'scripts/notarize.mjs'))) as { default: AfterSign }).default
  const mac = { electronPlatformName: 'darwin', appOutDir: '/build/mac-arm64', packager: { appInfo: { productFilename: 'Skyport' } } }

  it('does nothing without credentials, and says so', async () => {
    const afterSign = await load()
    const calls: unknown[] = []
    const lines: string[] = []
    const result = await afterSign(mac, { env: { APPLE_ID: 'me@example.com' }, notarize: async (options) => void calls.push(options), log: (line) => void lines.push(line) })
    expect(result).toBe('skipped: no credentials')
    expect(calls).toEqual([])
    expect(lines.join()).toContain('no Apple credentials')
    expect(await afterSign({ ...mac, electronPlatformName: 'linux' }, { env: {}, notarize: async () => {}, log: () => {} })).toBe('skipped: not macOS')
  })

  it('notarizes the signed app with an Apple ID or an API key', async () => {
    const afterSign = await load()
    const calls: Array<Record<string, string>> = []
    const notarize = async (options: Record<string, string>): Promise<void> => void calls.push(options)
    await afterSign(mac, { env: { APPLE_ID: 'me@example.com', APPLE_APP_SPECIFIC_PASSWORD: 'abcd-efgh', APPLE_TEAM_ID: 'TEAM123' }, notarize, log: () => {} })
    await afterSign(mac, { env: { APPLE_API_KEY: '/keys/AuthKey.p8', APPLE_API_KEY_ID: 'KEY1', APPLE_API_ISSUER: 'issuer' }, notarize, log: () => {} })
    expect(calls).toEqual([
      { appPath: '/build/mac-arm64/Skyport.app', appleId: 'me@example.com', appleIdPassword: 'abcd-efgh', teamId: 'TEAM123' },
      { appPath: '/build/mac-arm64/Skyport.app', appleApiKey: '/keys/AuthKey.p8', appleApiKeyId: 'KEY1', appleApiIssuer: 'issuer' }
    ])
    // The real one is there to be loaded.
    expect(() => createRequire(join(root, 'scripts/notarize.mjs')).resolve('@electron/notarize')).not.toThrow()
  })
})
