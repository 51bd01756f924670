import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { KeyVault } from '../../src/main/services/key-vault'
import { TestCipher } from '../support/node-powers'

const KEY = 'sk-live-0123456789abcdefWXYZ'
const HOME = 'https://api.airforce'
const OTHER = 'http://127.0.0.1:11434/v1'

async function makeVault(options: { dir?: string; cipher?: TestCipher; baseUrl?: string } = {}) {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'skyport-key-'))
  const file = join(dir, 'api-key.bin')
  const cipher = options.cipher ?? new TestCipher()
  const vault = new KeyVault({ cipher, filePath: file })
  await vault.load(options.baseUrl ?? HOME)
  return { vault, dir, file, cipher }
}

describe('KeyVault', () => {
  it('stores the key encrypted, shows only its last four characters and reloads it', async () => {
    const { vault, dir, file } = await makeVault()
    await vault.set(`  ${KEY}\n`, HOME)
    const status = vault.status(HOME)
    expect(status).toEqual({ set: true, last4: 'WXYZ', protection: 'os', sessionOnly: false, origin: HOME, appliesToBaseUrl: true })
    expect(JSON.stringify(status)).not.toContain(KEY.slice(0, -4))
    const onDisk = readFileSync(file)
    expect(onDisk.includes(Buffer.from(KEY))).toBe(false)
    expect(onDisk.includes(Buffer.from('0123456789'))).toBe(false)
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600)

    const reopened = (await makeVault({ dir })).vault
    expect(reopened.keyFor(HOME)).toBe(KEY)
    expect(reopened.status(HOME).last4).toBe('WXYZ')
  })

  it('replaces and clears the key', async () => {
    const { vault, file, dir } = await makeVault()
    await vault.set(KEY, HOME)
    await vault.set('second-key-7777', HOME)
    expect((await makeVault({ dir })).vault.keyFor(HOME)).toBe('second-key-7777')
    await vault.clear()
    expect(vault.status(HOME)).toMatchObject({ set: false, last4: null, origin: null, appliesToBaseUrl: false })
    expect(existsSync(file)).toBe(false)
    expect(vault.keyFor(HOME)).toBeNull()
  })

  it('keeps the key for this session only when the OS cannot encrypt', async () => {
    const cipher = new TestCipher({ protection: 'unavailable' })
    const { vault, file, dir } = await makeVault({ cipher })
    await vault.set(KEY, HOME)
    expect(vault.status(HOME)).toMatchObject({ set: true, sessionOnly: true, protection: 'unavailable' })
    expect(existsSync(file)).toBe(false)
    expect(vault.keyFor(HOME)).toBe(KEY)
    expect((await makeVault({ dir, cipher })).vault.keyFor(HOME)).toBeNull()
  })

  it('reports weak Linux protection (basic_text) so the settings screen can warn', async () => {
    const { vault } = await makeVault({ cipher: new TestCipher({ protection: 'basic_text' }) })
    await vault.set(KEY, HOME)
    expect(vault.status(HOME).protection).toBe('basic_text')
  })

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['has space', /spaces/],
    ['line\nbreak', /spaces or control/],
    ['x'.repeat(600), /longer than/],
    [42, /must be text/]
  ])('refuses %j and keeps the saved key', async (input, message) => {
    const { vault, dir } = await makeVault()
    await vault.set(KEY, HOME)
    await expect(vault.set(input, HOME)).rejects.toThrow(message)
    expect(vault.keyFor(HOME)).toBe(KEY)
    expect((await makeVault({ dir })).vault.keyFor(HOME)).toBe(KEY)
  })

  it('leaves an undecryptable key file in place and asks for the key again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skyport-key-'))
    writeFileSync(join(dir, 'api-key.bin'), Buffer.from('garbage from another keychain'))
    const { vault, file } = await makeVault({ dir })
    expect(vault.status(HOME).set).toBe(false)
    expect(vault.loadProblem).toMatch(/could not be decrypted/)
    expect(readFileSync(file, 'utf8')).toBe('garbage from another keychain')
  })

  it('redacts the key from any text', async () => {
    const { vault } = await makeVault()
    await vault.set(KEY, HOME)
    expect(vault.redact(`Invalid key ${KEY} (${KEY})`)).toBe('Invalid key [redacted] ([redacted])')
  })
})

describe('KeyVault: the key belongs to its server', () => {
  it('gives the key out only for base URLs on the origin it was saved for, across restarts', async () => {
    const { vault, dir } = await makeVault()
    await vault.set(KEY, `${HOME}/v1/`)
    expect(vault.keyFor(HOME)).toBe(KEY)
    expect(vault.keyFor('https://API.airforce:443/v1')).toBe(KEY)
    expect(vault.keyFor(OTHER)).toBeNull()
    expect(vault.keyFor('http://api.airforce')).toBeNull()
    expect(vault.keyFor('https://api.airforce.evil.example')).toBeNull()
    expect(vault.status(OTHER)).toMatchObject({ set: true, last4: 'WXYZ', origin: HOME, appliesToBaseUrl: false })

    // Starting with another base URL does not move the key.
    const reopened = (await makeVault({ dir, baseUrl: OTHER })).vault
    expect(reopened.origin).toBe(HOME)
    expect(reopened.keyFor(OTHER)).toBeNull()
  })

  it('binds a key file from before origins to the base URL it was used with, and saves that', async () => {
    const cipher = new TestCipher()
    const dir = mkdtempSync(join(tmpdir(), 'skyport-key-'))
    const file = join(dir, 'api-key.bin')
    writeFileSync(file, await cipher.encrypt(KEY))

    const { vault } = await makeVault({ dir, cipher, baseUrl: OTHER })
    expect(vault.status(OTHER)).toMatchObject({ set: true, origin: 'http://127.0.0.1:11434', appliesToBaseUrl: true })
    expect((await cipher.decrypt(readFileSync(file))).text).toBe(`http://127.0.0.1:11434\n${KEY}`)

    const later = (await makeVault({ dir, cipher, baseUrl: HOME })).vault
    expect(later.keyFor(HOME)).toBeNull()
    expect(later.keyFor(OTHER)).toBe(KEY)
  })

  it('moves to another server only through bindTo, which is saved and announced', async () => {
    const { vault, dir } = await makeVault()
    await vault.set(KEY, HOME)
    let changes = 0
    vault.onChange(() => changes++)
    await vault.bindTo(OTHER)
    expect(changes).toBe(1)
    expect(vault.keyFor(OTHER)).toBe(KEY)
    expect(vault.keyFor(HOME)).toBeNull()
    expect((await makeVault({ dir })).vault.origin).toBe('http://127.0.0.1:11434')
  })
})
