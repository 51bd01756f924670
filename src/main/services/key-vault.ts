/**
 * The API key: kept in main's memory, written to disk only encrypted.
 *
 * Encryption comes from outside (Electron's safeStorage in the app) through
 * `SecretCipher`, so this service runs in plain Node. Where the OS offers no
 * encryption at all, the key is kept for the session only rather than being
 * written in clear text.
 *
 * A key belongs to the server it was entered for: it is stored with that
 * server's origin and `keyFor` gives it out only while the base URL is on the
 * same origin. Moving the key to another server takes `bindTo`, which main
 * calls only after the person agreed in a dialog.
 */
import { mkdir, readFile, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { KeyProtection, KeyStatus } from '../../shared/contract'
import { AppError } from '../../shared/errors'
import { apiKey, parseOrThrow } from '../../shared/schemas'
import { redact } from './http/errors'
import { apiRoot } from './http/url'
import { writeFileAtomic } from './files/atomic-write'

export interface SecretCipher {
  protection(): Promise<KeyProtection>
  encrypt(plain: string): Promise<Buffer>
  /** `shouldReEncrypt`: the OS rotated its key; write the secret again. */
  decrypt(data: Buffer): Promise<{ text: string; shouldReEncrypt: boolean }>
}


/** The origin (scheme, host, port) of the server a base URL points at. */
export function serverOrigin(baseUrl: string): string {
  return apiRoot(baseUrl).origin
}

interface StoredKey {
  key: string
  origin: string
}

/**
 * The encrypted text is `<origin>\n<key>`. Files written before keys had an
 * origin hold the bare key; a key never contains a line break (`set` has
 * always refused whitespace), so the two cannot be confused.
 */
function parseStored(text: string): StoredKey | { key: string; origin: null } {
  const newline = text.indexOf('\n')
  if (newline === -1) return { key: text, origin: null }
  const origin = text.slice(0, newline)
  if (serverOrigin(origin) !== origin) throw new Error('The stored origin is not an origin.')
  return { key: text.slice(newline + 1), origin }
}

export class KeyVault {
  #stored: StoredKey | null = null
  #protection: KeyProtection = 'unavailable'
  #sessionOnly = false
  #loadProblem: string | null = null
  readonly #listeners = new Set<() => void>()
  readonly #cipher: SecretCipher
  readonly #filePath: string

  constructor(options: { cipher: SecretCipher; filePath: string }) {
    this.#cipher = options.cipher
    this.#filePath = options.filePath
  }

  /**
   * Reads and decrypts the stored key, if any. A file that will not decrypt is
   * left in place. A key saved before keys had an origin is bound to
   * `baseUrl`'s server, the one it has been sent to so far, and saved again
   * with it so that a later change of base URL cannot move it.
   */
  async load(baseUrl: string): Promise<void> {
    this.#protection = await this.#cipher.protection()
    let data: Buffer
    try {
      data = await readFile(this.#filePath)
    } catch {
      return // no key saved yet
    }
    let stored: StoredKey
    let rewrite: boolean
    try {
      const { text, shouldReEncrypt } = await this.#cipher.decrypt(data)
      const parsed = parseStored(text)
      stored = { key: parsed.key, origin: parsed.origin ?? serverOrigin(baseUrl) }
      rewrite = shouldReEncrypt || parsed.origin === null
    } catch {
      this.#loadProblem = 'The saved API key could not be decrypted (the system keychain may have changed). Enter it again.'
      return
    }
    this.#stored = stored
    if (rewrite) {
      try {
        await this.#write(stored)
      } catch {
        // The key still works, bound in memory; the next start tries again.
      }
    }
  }

  /** Set once at start when the saved key could not be read. */
  get loadProblem(): string | null {
    return this.#loadProblem
  }

  /** The origin the key is bound to; null without a key. */
  get origin(): string | null {
    return this.#stored?.origin ?? null
  }

  /** What the renderer may know, for the server `baseUrl` points at. */
  status(baseUrl: string): KeyStatus {
    const stored = this.#stored
    return {
      set: stored !== null,
      last4: stored === null ? null : stored.key.slice(-4),
      protection: this.#protection,
      sessionOnly: stored !== null && this.#sessionOnly,
      origin: stored?.origin ?? null,
      appliesToBaseUrl: this.keyFor(baseUrl) !== null
    }
  }

  /**
   * The key, when `baseUrl` is on the origin it is bound to; null otherwise.
   * For main's HTTP client only, never for the renderer.
   */
  keyFor(baseUrl: string): string | null {
    const stored = this.#stored
    if (stored === null) return null
    let origin: string
    try {
      origin = serverOrigin(baseUrl)
    } catch {
      return null
    }
    return origin === stored.origin ? stored.key : null
  }

  /** Stores a new key, bound to the server `baseUrl` points at. */
  async set(raw: unknown, baseUrl: string): Promise<void> {
    // The bridge schema's rule, kept here too because the file format relies on it (no line breaks).
    const key = parseOrThrow(apiKey, raw, 'key')
    await this.#save({ key, origin: serverOrigin(baseUrl) })
    this.#loadProblem = null
    this.#changed()
  }

  /** Binds the key to the server `baseUrl` points at. Call only once the person agreed. */
  async bindTo(baseUrl: string): Promise<void> {
    const stored = this.#stored
    if (stored === null) throw new AppError('no_key', 'No API key is set. Add one in Settings.')
    const origin = serverOrigin(baseUrl)
    if (origin === stored.origin) return
    await this.#save({ key: stored.key, origin })
    this.#changed()
  }

  async clear(): Promise<void> {
    await rm(this.#filePath, { force: true })
    this.#stored = null
    this.#sessionOnly = false
    this.#loadProblem = null
    this.#changed()
  }

  /** Called after the key is set, moved or cleared. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Scrubs the key (in every form the app writes it) from text that may leave main. */
  redact(text: string): string {
    return redact(text, [this.#stored?.key])
  }

  /** On disk when the OS can encrypt, else in memory for this session. */
  async #save(stored: StoredKey): Promise<void> {
    this.#protection = await this.#cipher.protection()
    if (this.#protection === 'unavailable') {
      await rm(this.#filePath, { force: true })
      this.#sessionOnly = true
    } else {
      await this.#write(stored)
      this.#sessionOnly = false
    }
    this.#stored = stored
  }

  #changed(): void {
    for (const listener of this.#listeners) listener()
  }

  /** Write to a temporary file and rename, so a crash never leaves half a key. */
  async #write(stored: StoredKey): Promise<void> {
    const encrypted = await this.#cipher.encrypt(`${stored.origin}\n${stored.key}`)
    await mkdir(dirname(this.#filePath), { recursive: true })
    await writeFileAtomic(this.#filePath, encrypted, { mode: 0o600 })
  }
}
