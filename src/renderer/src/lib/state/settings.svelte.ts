/**
 * Settings and API key state for the whole window. One instance lives in
 * `App.svelte` and is handed to the views; tests build their own.
 */
import type {
  ConnectionTest,
  KeyCheck,
  KeyStatus,
  Settings,
  SettingsPatch,
  SettingsState,
  Theme
} from '@shared/contract'
import type { AppError, BridgeErrorData } from '@shared/errors'
import { getApi } from '../bridge'
import { asAppError, invalid } from '../errors'
import { applyTheme } from '../theme'
import { hostOf } from '../url'

/** The result of an action the person started: a value or an error. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: AppError }

/**
 * What the last real exchange with the server showed, for the status pill.
 * `unknown`: a key is set but nothing has been asked since it or the server changed.
 */
export type ConnectionHealth = 'unknown' | 'connected' | 'key_refused' | 'unreachable' | 'no_key'

/** The health an answer (null: it succeeded) shows; null when the error says nothing about the connection. */
export function healthOf(error: Pick<BridgeErrorData, 'code'> | null): ConnectionHealth | null {
  if (error === null) return 'connected'
  switch (error.code) {
    case 'unauthorized':
    case 'forbidden':
    case 'payment_required':
      return 'key_refused'
    case 'no_key':
      return 'no_key'
    case 'network':
    case 'timeout':
    case 'unavailable':
      return 'unreachable'
    case 'rate_limited':
    case 'not_found':
    case 'too_large':
    case 'server_error':
    case 'stream_error':
    case 'bad_response':
    case 'response_too_large':
      // The server answered, with the key: a refused parameter or a rate limit is no connection problem.
      return 'connected'
    default:
      return null
  }
}

export interface SettingsStoreOptions {
  /** Called with the theme whenever settings arrive; defaults to `applyTheme`. */
  applyTheme?: (theme: Theme) => void
}

export class SettingsStore {
  /** What main last told us; null until the first `load()` succeeds. */
  state = $state.raw<SettingsState | null>(null)
  loading = $state(false)
  /** Why `load()` failed. */
  error = $state.raw<AppError | null>(null)

  /** The last `/check` answer (or error), cleared when the key changes. */
  keyCheck = $state.raw<Outcome<KeyCheck> | null>(null)
  /** The last connection test (or error), cleared when the key changes. */
  connection = $state.raw<Outcome<ConnectionTest> | null>(null)
  /** Why saving or removing the key failed. */
  keyError = $state.raw<AppError | null>(null)

  savingKey = $state(false)
  checkingKey = $state(false)
  testingConnection = $state(false)
  /** Number of `update()` calls in flight. */
  pendingUpdates = $state(0)

  /** The notice text the person dismissed (main keeps sending it until restart). */
  dismissedNotice = $state<string | null>(null)
  /** The last result seen for the current server and key (see `health`). */
  lastResult = $state<ConnectionHealth>('unknown')
  /** Set when another screen asks the connection settings to open with the key field ready. */
  keyRequested = $state(false)

  readonly settings: Settings | null = $derived(this.state?.settings ?? null)
  readonly key: KeyStatus | null = $derived(this.state?.key ?? null)
  readonly host: string = $derived(hostOf(this.state?.settings.baseUrl))
  readonly notice: string | null = $derived(
    this.state?.notice && this.state.notice !== this.dismissedNotice ? this.state.notice : null
  )
  readonly saving: boolean = $derived(this.pendingUpdates > 0)
  /** What the status pill says: no key wins, then the last real result. */
  readonly health: ConnectionHealth = $derived(this.state && !this.state.key.set ? 'no_key' : this.lastResult)

  #applyTheme: (theme: Theme) => void
  #unsubscribe: (() => void) | null = null

  constructor(options: SettingsStoreOptions = {}) {
    this.#applyTheme = options.applyTheme ?? applyTheme
  }

  /** Fetches the settings and starts following `settings.changed`. */
  async load(): Promise<void> {
    this.loading = true
    try {
      const api = getApi()
      this.#unsubscribe ??= api.on('settings.changed', (next) => this.#accept(next))
      this.#accept(await api.settings.get())
      this.error = null
    } catch (error) {
      this.error = asAppError(error)
    } finally {
      this.loading = false
    }
  }

  /** Stops following `settings.changed`. */
  dispose(): void {
    this.#unsubscribe?.()
    this.#unsubscribe = null
  }

  /** Saves a partial change. Throws the AppError when main refuses it. */
  async update(patch: SettingsPatch): Promise<SettingsState> {
    this.pendingUpdates += 1
    try {
      const next = await getApi().settings.update(patch)
      this.#accept(next)
      return next
    } catch (error) {
      throw asAppError(error)
    } finally {
      this.pendingUpdates -= 1
    }
  }

  /** Applies the theme at once, then saves it; reverts the look if saving fails. */
  async setTheme(theme: Theme): Promise<void> {
    this.#applyTheme(theme)
    try {
      await this.update({ theme })
    } catch (error) {
      if (this.state) this.#applyTheme(this.state.settings.theme)
      throw error
    }
  }

  /** Stores a new key. Returns false (and sets `keyError`) when it fails. */
  async setKey(key: string): Promise<boolean> {
    const trimmed = key.trim()
    if (trimmed === '') {
      this.keyError = invalid('Paste an API key first.')
      return false
    }
    return this.#keyAction(() => getApi().key.set({ key: trimmed }))
  }

  /**
   * Asks main to send the saved key to the current server; main shows its own
   * dialog, and the key stays where it was unless the person agrees there.
   */
  async bindKey(): Promise<boolean> {
    return this.#keyAction(() => getApi().key.bind())
  }

  /** Forgets the stored key. Returns false (and sets `keyError`) when it fails. */
  async clearKey(): Promise<boolean> {
    return this.#keyAction(() => getApi().key.clear())
  }

  /** Asks the gateway's `/check` about the stored key; the answer lands in `keyCheck`. */
  async checkKey(): Promise<void> {
    this.checkingKey = true
    try {
      this.keyCheck = { ok: true, value: await getApi().key.check() }
      this.noteResult(null)
    } catch (error) {
      this.keyCheck = { ok: false, error: asAppError(error) }
      this.noteResult(this.keyCheck.error)
    } finally {
      this.checkingKey = false
    }
  }

  /** Lists models from the server; the answer lands in `connection`. */
  async testConnection(): Promise<void> {
    this.testingConnection = true
    try {
      this.connection = { ok: true, value: await getApi().connection.test() }
      this.noteResult(null)
    } catch (error) {
      this.connection = { ok: false, error: asAppError(error) }
      this.noteResult(this.connection.error)
    } finally {
      this.testingConnection = false
    }
  }

  /** Takes the outcome of any request to the server (null: it succeeded) into `health`. */
  noteResult(error: Pick<BridgeErrorData, 'code'> | null): void {
    const health = healthOf(error)
    if (health !== null) this.lastResult = health
  }

  dismissNotice(): void {
    this.dismissedNotice = this.state?.notice ?? null
  }

  async #keyAction(run: () => Promise<KeyStatus>): Promise<boolean> {
    this.savingKey = true
    this.keyError = null
    try {
      const status = await run()
      if (this.state) this.state = { ...this.state, key: status }
      this.keyCheck = null
      this.connection = null
      this.lastResult = 'unknown'
      return true
    } catch (error) {
      this.keyError = asAppError(error)
      return false
    } finally {
      this.savingKey = false
    }
  }

  #accept(next: SettingsState): void {
    const previous = this.state
    this.state = next
    if (previous?.settings.baseUrl !== next.settings.baseUrl) {
      this.connection = null
      // The first load keeps what was seen before it (e.g. a models answer racing it).
      if (previous !== null) this.lastResult = 'unknown'
    }
    if (previous?.settings.theme !== next.settings.theme) this.#applyTheme(next.settings.theme)
  }
}
