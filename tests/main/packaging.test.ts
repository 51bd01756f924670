/**
 * The packaging config as electron-builder itself reads and validates it:
 * a misspelt fuse would otherwise be ignored or fail only at packaging time.
 */
import { resolve } from 'node:path'
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js'
import { DebugLogger } from 'builder-util'
import { describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../..')

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
