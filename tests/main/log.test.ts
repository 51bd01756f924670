/**
 * Main's log file: real files in a temporary folder, written through the
 * same logger the app builds (key vault redaction included).
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createAppServices } from '../../src/main/app-services'
import { createLogger, LOG_DIR, LOG_FILE, logProcessErrors } from '../../src/main/services/log'
import { openLogFile } from '../../src/main/services/log-file'
import { KeyVault } from '../../src/main/services/key-vault'
import { nodePowers, TestCipher } from '../support/node-powers'

const KEY = 'sk-live-a+b/c=0123456789wxyz'

function folder(): string {
  return mkdtempSync(join(tmpdir(), 'skyport-log-'))
}

async function vaultWithKey(dir: string): Promise<KeyVault> {
  const vault = new KeyVault({ cipher: new TestCipher(), filePath: join(dir, 'api-key.bin') })
  await vault.load('https://api.airforce')
  await vault.set(KEY, 'https://api.airforce')
  return vault
}

describe('the log file', () => {
  it('is logs/main.log with timestamped lines, and never holds the key in any form', async () => {
    const dir = folder()
    const vault = await vaultWithKey(dir)
    const logger = createLogger(openLogFile(join(dir, LOG_DIR)), (text) => vault.redact(text))

    logger.info('Started')
    logger.warn(`GET https://api.example/check?key=${encodeURIComponent(KEY)} was slow`)
    logger.error('Request failed:', new Error(`401 for Bearer ${KEY}`, { cause: new Error(`key=${encodeURIComponent(KEY)}`) }))
    logger.error('Odd value:', { headers: { authorization: `Bearer ${KEY}` } })

    const text = readFileSync(join(dir, LOG_DIR, LOG_FILE), 'utf8')
    expect(text).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] \[info\] {2}Started$/m)
    expect(text).toMatch(/\[warn\] {2}GET https:\/\/api\.example\/check\?key=\[redacted\] was slow/)
    expect(text).toMatch(/\[error\] Request failed: Error: 401 for Bearer \[redacted\]\n\s+at /)
    expect(text).toContain('[cause]: Error: key=[redacted]')
    expect(text).toContain("authorization: 'Bearer [redacted]'")
    expect(text).not.toContain(KEY)
    expect(text).not.toContain(encodeURIComponent(KEY))
    expect(text).not.toContain('0123456789')
  })

  it('rotates: past its size limit main.log becomes main.old.log', () => {
    const dir = join(folder(), LOG_DIR)
    const write = openLogFile(dir, { maxBytes: 4096 })
    for (let line = 0; line < 200; line++) write('info', `line ${line} ${'x'.repeat(60)}`)
    const current = readFileSync(join(dir, LOG_FILE), 'utf8')
    const old = readFileSync(join(dir, 'main.old.log'), 'utf8')
    expect(statSync(join(dir, LOG_FILE)).size).toBeLessThanOrEqual(4096 + 200)
    expect(current).toContain('line 199 ')
    expect(old).not.toContain('line 199 ')
    expect(old).toMatch(/line \d+ x/)
  })

  it('is what the services log to, through the key vault', async () => {
    const dir = folder()
    const powers = nodePowers({ userDataDir: dir })
    const services = await createAppServices(powers)
    await services.keyVault.set(KEY, services.settings.get().baseUrl)
    services.logger.error(`Bridge method key.check failed: key ${KEY} rejected`)
    await services.close()
    expect(powers.logged).toEqual(['error Bridge method key.check failed: key [redacted] rejected'])
  })
})

describe('process errors', () => {
  it('uncaught exceptions and unhandled rejections in main are logged', () => {
    const lines: string[] = []
    const stop = logProcessErrors(process, createLogger((level, text) => void lines.push(`${level} ${text}`), (text) => text))
    try {
      process.emit('unhandledRejection', new Error('a promise nobody awaited'), Promise.resolve())
      process.emit('uncaughtException', new Error('a throw in a timer'))
    } finally {
      stop()
    }
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/^error Unhandled promise rejection in main: Error: a promise nobody awaited\n\s+at /)
    expect(lines[1]).toMatch(/^error Uncaught exception in main: Error: a throw in a timer\n\s+at /)
    expect(process.listeners('uncaughtException').some((listener) => listener.name === 'onException')).toBe(false)
  })
})
