/**
 * Save-on-change plumbing for the settings screen: one draft per field (what
 * the person typed, kept while the saved value is unchanged), and the "Saved"
 * confirmation of the last field saved.
 */
import type { Capability, ProxyMode, Settings, SettingsPatch, Theme, Timeouts } from '@shared/contract'
import { asAppError } from '../../lib/errors'
import { Draft, SaveFeedback } from '../../lib/state/draft.svelte'
import type { SettingsStore } from '../../lib/state/settings.svelte'

/** Milliseconds as the seconds text shown in a field (one decimal at most). */
export function secondsText(ms: number): string {
  return String(Math.round(ms / 100) / 10)
}

export class SettingsForm {
  readonly store: SettingsStore
  readonly feedback = new SaveFeedback()

  readonly baseUrl: Draft<string>
  readonly proxyMode: Draft<ProxyMode>
  readonly proxyUrl: Draft<string>
  readonly timeouts: Record<keyof Timeouts, Draft<string>>
  readonly theme: Draft<Theme>
  readonly defaults: Record<Capability, Draft<string>>
  readonly shortcut: Draft<string>

  constructor(store: SettingsStore) {
    this.store = store
    this.baseUrl = this.draft((s) => s.baseUrl, '')
    this.proxyMode = this.draft<ProxyMode>((s) => s.proxy.mode, 'none')
    this.proxyUrl = this.draft((s) => s.proxy.url, '')
    this.timeouts = {
      connectMs: this.draft((s) => secondsText(s.timeouts.connectMs), ''),
      headersMs: this.draft((s) => secondsText(s.timeouts.headersMs), ''),
      idleMs: this.draft((s) => secondsText(s.timeouts.idleMs), '')
    }
    this.theme = this.draft<Theme>((s) => s.theme, 'system')
    this.defaults = {
      chat: this.draft((s) => s.defaultModels.chat, ''),
      image: this.draft((s) => s.defaultModels.image, ''),
      vision: this.draft((s) => s.defaultModels.vision, ''),
      song: this.draft((s) => s.defaultModels.song, ''),
      speech: this.draft((s) => s.defaultModels.speech, '')
    }
    this.shortcut = this.draft((s) => s.quickAskShortcut, '')
  }

  /** A draft of one saved value; `fallback` is shown before settings load. */
  draft<T>(read: (settings: Settings) => T, fallback: T): Draft<T> {
    return new Draft(() => (this.store.settings ? read(this.store.settings) : fallback))
  }

  /**
   * Saves `patch` for `field`. On success the field shows "Saved"; on failure
   * the draft keeps the person's text and shows the error.
   */
  save(field: string, draft: Draft<unknown> | null, patch: SettingsPatch): Promise<boolean> {
    return this.run(field, draft, () => this.store.update(patch))
  }

  /** Like `save`, for any store call that saves settings (e.g. `setTheme`). */
  async run(field: string, draft: Draft<unknown> | null, action: () => Promise<unknown>): Promise<boolean> {
    if (draft) draft.error = null
    try {
      await action()
      this.feedback.flash(field)
      return true
    } catch (error) {
      if (this.feedback.field === field) this.feedback.clear()
      if (draft) draft.error = asAppError(error)
      return false
    }
  }

  saved(field: string): boolean {
    return this.feedback.field === field
  }
}
