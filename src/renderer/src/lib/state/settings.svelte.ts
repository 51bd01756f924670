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
import type { AppError } from '@shared/errors'
import { getApi } from '../bridge'
import { asAppError, invalid } from '../errors'
import { applyTheme } from '../theme'
import { hostOf } from '../url'

/** The result of an action the person started: a value or an error. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: AppError }

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

  readonly settings: Settings | null = $derived(this.state?.settings ?? null)
  readonly key: KeyStatus | null = $derived(this.state?.key ?? null)
  readonly host: string = $derived(hostOf(this.state?.settings.baseUrl))
  readonly notice: string | null = $derived(
    this.state?.notice && this.state.notice !== this.dismissedNotice ? this.state.notice : null
  )
  readonly saving: boolean = $derived(this.pendingUpdates > 0)

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
    } catch (error) {
      this.keyCheck = { ok: false, error: asAppError(error) }
    } finally {
      this.checkingKey = false
    }
  }

  /** Lists models from the server; the answer lands in `connection`. */
  async testConnection(): Promise<void> {
    this.testingConnection = true
    try {
      this.connection = { ok: true, value: await getApi().connection.test() }
    } catch (error) {
      this.connection = { ok: false, error: asAppError(error) }
    } finally {
      this.testingConnection = false
    }
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
    if (previous?.settings.baseUrl !== next.settings.baseUrl) this.connection = null
    if (previous?.settings.theme !== next.settings.theme) this.#applyTheme(next.settings.theme)
  }
}
