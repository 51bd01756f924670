/**
 * Settings: read, validate, merge and persist the person's preferences.
 *
 * The file itself is handled by electron-store in the app and by conf (the
 * library electron-store is built on) elsewhere; both are given to this
 * service through `openStore`, so it never imports Electron. A file that
 * cannot be read or fails the schema is moved aside (never deleted) and the
 * defaults are used, with a notice for the person instead of a crash.
 */
import { existsSync, renameSync } from 'node:fs'
import type { Settings, SettingsPatch } from '../../shared/contract'
import { AppError } from '../../shared/errors'
import { defaultSettings } from './settings-schema'

/** The part of conf / electron-store this service uses. */
export interface SettingsFile {
  store: Settings
  readonly path: string
}

/** A time for a file name, e.g. 2025-01-31T09-05-00-000Z (no colons: Windows forbids them). */
export function fileStamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, '-')
}

export interface SettingsServiceOptions {
  /** Opens (and validates) the settings file; throws when it is unreadable. */
  openStore: () => SettingsFile
  /** Where the file lives, so an unreadable one can be moved aside. */
  filePath: string
  now?: () => Date
}

type Listener = (settings: Settings) => void

export class SettingsService {
  #file: SettingsFile
  /** conf re-reads the file on every access; keep a copy instead. */
  #current: Settings
  #notice: string | null = null
  #listeners = new Set<Listener>()

  constructor(options: SettingsServiceOptions) {
    try {
      this.#file = options.openStore()
      // Reading validates the whole file against the schema.
      this.#current = withDefaults(this.#file.store)
    } catch (error) {
      const reason = describeUnreadable(error)
      const backup = options.filePath.replace(/\.json$/, '') + `.unreadable-${fileStamp(options.now?.() ?? new Date())}.json`
      if (existsSync(options.filePath)) renameSync(options.filePath, backup)
      this.#file = options.openStore()
      this.#current = withDefaults(this.#file.store)
      this.#notice = `Your settings could not be read: ${reason}. The defaults are in use; the old file was kept as ${backup}.`
    }
  }

  get(): Settings {
    return structuredClone(this.#current)
  }

  /** A message for the person about the settings file, if any. */
  get notice(): string | null {
    return this.#notice
  }


  /** Merges a partial update, validates it, and writes it. Invalid input changes nothing. */
  update(patch: SettingsPatch): Settings {
    const current = this.get()
    const next: Settings = {
      baseUrl: patch.baseUrl ?? current.baseUrl,
      timeouts: { ...current.timeouts, ...patch.timeouts },
      proxy: { ...current.proxy, ...patch.proxy },
      theme: patch.theme ?? current.theme,
      defaultModels: { ...current.defaultModels, ...patch.defaultModels },
      quickAskShortcut: patch.quickAskShortcut ?? current.quickAskShortcut,
      chat: { ...current.chat, ...patch.chat },
      jobs: { ...current.jobs, ...patch.jobs },
      sound: { ...current.sound, ...patch.sound },
      appearance: { ...current.appearance, ...patch.appearance },
      spellcheck: { ...current.spellcheck, ...patch.spellcheck },
      updates: { ...current.updates, ...patch.updates },
      desktop: { ...current.desktop, ...patch.desktop }
    }
    next.baseUrl = normaliseBaseUrl(next.baseUrl)
    validate(next)
    try {
      this.#file.store = next
      this.#current = next
    } catch (error) {
      // The schema is the last word; its message names the field.
      throw new AppError('invalid_argument', error instanceof Error ? error.message : String(error))
    }
    this.#emit()
    return this.get()
  }

  reset(): Settings {
    this.#file.store = structuredClone(defaultSettings)
    this.#current = structuredClone(defaultSettings)
    this.#emit()
    return this.get()
  }

  onChange(listener: Listener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  #emit(): void {
    const settings = this.get()
    for (const listener of this.#listeners) listener(settings)
  }
}

/**
 * conf fills missing top-level keys from the defaults, but not missing keys
 * inside a group: a file written before a group's key existed gets them here.
 */
function withDefaults(stored: Settings): Settings {
  return { ...stored, desktop: { ...defaultSettings.desktop, ...stored.desktop } }
}

/** conf's errors name the file's full path; say what is wrong with it instead. */
function describeUnreadable(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  if (/not valid JSON/i.test(message) || (error instanceof Error && error.name === 'SyntaxError')) return 'the file is not valid JSON'
  const violation = /schema violation:\s*(.*)/i.exec(message)
  if (violation) return `a value is not allowed (${violation[1]})`
  return message
}

function normaliseBaseUrl(raw: string): string {
  return raw.trim().replace(/\/+$/, '')
}

/**
 * Checks that need more than the bridge schema (field types and ranges are
 * checked there, and again by the file's JSON schema): real URLs, and a proxy
 * URL only when the proxy mode needs one.
 */
function validate(settings: Settings): void {
  const url = parseHttpUrl(settings.baseUrl)
  if (!url) throw new AppError('invalid_argument', `Base URL must be an http:// or https:// address, got "${settings.baseUrl}".`)
  if (settings.proxy.mode === 'url' && !parseHttpUrl(settings.proxy.url)) {
    throw new AppError('invalid_argument', 'Proxy URL must be an http:// or https:// address, e.g. http://127.0.0.1:8080.')
  }
}

function parseHttpUrl(value: string): URL | null {
  try {
    const url = new URL(value)
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null
  } catch {
    return null
  }
}
