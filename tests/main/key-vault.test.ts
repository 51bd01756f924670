import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { KeyVault } from '../../src/main/services/key-vault'
import { TestCipher } from '../support/node-powers'

const KEY = 'sk-live-0123456789abcdefWXYZ'

async function makeVault(options: { dir?: string; cipher?: TestCipher } = {}) {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'skyport-key-'))
  const file = join(dir, 'api-key.bin')
  const cipher = options.cipher ?? new TestCipher()
  const vault = new KeyVault({ cipher, filePath: file })
  await vault.load()
  return { vault, dir, file, cipher }
}

describe('KeyVault', () => {
  it('stores the key encrypted, shows only its last four characters and reloads it', async () => {
    const { vault, dir, file } = await makeVault()
    const status = await vault.set(`  ${KEY}\n`)
    expect(status).toEqual({ set: true, last4: 'WXYZ', protection: 'os', sessionOnly: false })
    expect(JSON.stringify(status)).not.toContain(KEY.slice(0, -4))
    const onDisk = readFileSync(file)
    expect(onDisk.includes(Buffer.from(KEY))).toBe(false)
    expect(onDisk.includes(Buffer.from('0123456789'))).toBe(false)
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600)

    const reopened = (await makeVault({ dir })).vault
    expect(reopened.current()).toBe(KEY)
    expect(reopened.status().last4).toBe('WXYZ')
  })

  it('replaces and clears the key', async () => {
    const { vault, file, dir } = await makeVault()
    await vault.set(KEY)
    await vault.set('second-key-7777')
    expect((await makeVault({ dir })).vault.current()).toBe('second-key-7777')
    expect(await vault.clear()).toMatchObject({ set: false, last4: null })
    expect(existsSync(file)).toBe(false)
    expect(vault.current()).toBeNull()
  })

  it('keeps the key for this session only when the OS cannot encrypt', async () => {
    const cipher = new TestCipher({ protection: 'unavailable' })
    const { vault, file, dir } = await makeVault({ cipher })
    expect(await vault.set(KEY)).toMatchObject({ set: true, sessionOnly: true, protection: 'unavailable' })
    expect(existsSync(file)).toBe(false)
    expect(vault.current()).toBe(KEY)
    expect((await makeVault({ dir, cipher })).vault.current()).toBeNull()
  })

  it('reports weak Linux protection (basic_text) so the settings screen can warn', async () => {
    const { vault } = await makeVault({ cipher: new TestCipher({ protection: 'basic_text' }) })
    expect((await vault.set(KEY)).protection).toBe('basic_text')
  })

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['has space', /spaces/],
    ['line\nbreak', /spaces or control/],
    ['x'.repeat(600), /longer than/],
    [42, /empty/]
  ])('refuses %j and keeps the saved key', async (input, message) => {
    const { vault, dir } = await makeVault()
    await vault.set(KEY)
    await expect(vault.set(input)).rejects.toThrow(message)
    expect(vault.current()).toBe(KEY)
    expect((await makeVault({ dir })).vault.current()).toBe(KEY)
  })

  it('leaves an undecryptable key file in place and asks for the key again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skyport-key-'))
    writeFileSync(join(dir, 'api-key.bin'), Buffer.from('garbage from another keychain'))
    const { vault, file } = await makeVault({ dir })
    expect(vault.status().set).toBe(false)
    expect(vault.loadProblem).toMatch(/could not be decrypted/)
    expect(readFileSync(file, 'utf8')).toBe('garbage from another keychain')
  })

  it('redacts the key from any text', async () => {
    const { vault } = await makeVault()
    await vault.set(KEY)
    expect(vault.redact(`Invalid key ${KEY} (${KEY})`)).toBe('Invalid key ••••WXYZ (••••WXYZ)')
  })
})
