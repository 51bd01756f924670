/**
 * The API key: kept in main's memory, written to disk only encrypted.
 *
 * Encryption comes from outside (Electron's safeStorage in the app) through
 * `SecretCipher`, so this service runs in plain Node. Where the OS offers no
 * encryption at all, the key is kept for the session only rather than being
 * written in clear text.
 */
import { mkdir, readFile, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { KeyProtection, KeyStatus } from '../../shared/contract'
import { AppError } from '../../shared/errors'
import { writeFileAtomic } from './files/atomic-write'

export interface SecretCipher {
  protection(): Promise<KeyProtection>
  encrypt(plain: string): Promise<Buffer>
  /** `shouldReEncrypt`: the OS rotated its key; write the secret again. */
  decrypt(data: Buffer): Promise<{ text: string; shouldReEncrypt: boolean }>
}

const MAX_KEY_LENGTH = 512

export class KeyVault {
  #key: string | null = null
  #protection: KeyProtection = 'unavailable'
  #sessionOnly = false
  #loadProblem: string | null = null
  readonly #cipher: SecretCipher
  readonly #filePath: string

  constructor(options: { cipher: SecretCipher; filePath: string }) {
    this.#cipher = options.cipher
    this.#filePath = options.filePath
  }

  /** Reads and decrypts the stored key, if any. A file that will not decrypt is left in place. */
  async load(): Promise<void> {
    this.#protection = await this.#cipher.protection()
    let data: Buffer
    try {
      data = await readFile(this.#filePath)
    } catch {
      return // no key saved yet
    }
    try {
      const { text, shouldReEncrypt } = await this.#cipher.decrypt(data)
      this.#key = text
      if (shouldReEncrypt) await this.#write(text)
    } catch {
      this.#loadProblem = 'The saved API key could not be decrypted (the system keychain may have changed). Enter it again.'
    }
  }

  /** Set once at start when the saved key could not be read. */
  get loadProblem(): string | null {
    return this.#loadProblem
  }

  status(): KeyStatus {
    return {
      set: this.#key !== null,
      last4: this.#key === null ? null : this.#key.slice(-4),
      protection: this.#protection,
      sessionOnly: this.#key !== null && this.#sessionOnly
    }
  }

  /** The key itself: for main's HTTP client only, never for the renderer. */
  current(): string | null {
    return this.#key
  }

  async set(raw: unknown): Promise<KeyStatus> {
    const key = typeof raw === 'string' ? raw.trim() : ''
    if (key === '') throw new AppError('invalid_argument', 'The API key is empty.')
    if (key.length > MAX_KEY_LENGTH) throw new AppError('invalid_argument', `The API key is longer than ${MAX_KEY_LENGTH} characters.`)
    // Control characters or spaces would corrupt the Authorization header.
    if (/[\s\x00-\x1f\x7f]/.test(key)) throw new AppError('invalid_argument', 'The API key contains spaces or control characters.')

    this.#protection = await this.#cipher.protection()
    if (this.#protection === 'unavailable') {
      await rm(this.#filePath, { force: true })
      this.#sessionOnly = true
    } else {
      await this.#write(key)
      this.#sessionOnly = false
    }
    this.#key = key
    this.#loadProblem = null
    return this.status()
  }

  async clear(): Promise<KeyStatus> {
    await rm(this.#filePath, { force: true })
    this.#key = null
    this.#sessionOnly = false
    this.#loadProblem = null
    return this.status()
  }

  /** Replaces the key wherever it appears in text that may leave main. */
  redact(text: string): string {
    const key = this.#key
    if (!key || key.length < 4) return text
    return text.split(key).join(`••••${key.slice(-4)}`)
  }

  /** Write to a temporary file and rename, so a crash never leaves half a key. */
  async #write(key: string): Promise<void> {
    const encrypted = await this.#cipher.encrypt(key)
    await mkdir(dirname(this.#filePath), { recursive: true })
    await writeFileAtomic(this.#filePath, encrypted, { mode: 0o600 })
  }
}
