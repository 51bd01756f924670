/**
 * Form helpers for fields that save on change: a draft that keeps what the
 * person typed until the saved value itself changes, and a short "Saved"
 * confirmation for the last field saved.
 */
import type { AppError } from '@shared/errors'

export class Draft<T> {
  /** Why the last save of this field failed (server refusal or local validation). */
  error = $state.raw<AppError | null>(null)

  #source: () => T
  #scope: () => unknown
  #edit = $state.raw<{ value: T; basis: T; scope: unknown } | null>(null)

  /**
   * `source` reads the saved value; it is re-read reactively. `scope` names
   * what the value belongs to (e.g. the open conversation): an edit made for
   * one scope is never shown, or saved, for another, even when both hold the
   * same saved value.
   */
  constructor(source: () => T, scope: () => unknown = () => null) {
    this.#source = source
    this.#scope = scope
  }

  /** The person's edit while the saved value and the scope are unchanged, else the saved value. */
  get value(): T {
    const saved = this.#source()
    const edit = this.#edit
    return edit !== null && Object.is(edit.basis, saved) && Object.is(edit.scope, this.#scope()) ? edit.value : saved
  }

  set value(next: T) {
    this.#edit = { value: next, basis: this.#source(), scope: this.#scope() }
  }

  get saved(): T {
    return this.#source()
  }

  get dirty(): boolean {
    return !Object.is(this.value, this.#source())
  }

  /** Drops the edit and the error. */
  reset(): void {
    this.#edit = null
    this.error = null
  }
}

export class SaveFeedback {
  /** The field that was saved last, while its confirmation shows. */
  field = $state<string | null>(null)

  #timer: ReturnType<typeof setTimeout> | undefined
  #durationMs: number

  constructor(durationMs = 3000) {
    this.#durationMs = durationMs
  }

  flash(field: string): void {
    clearTimeout(this.#timer)
    this.field = field
    this.#timer = setTimeout(() => {
      this.field = null
    }, this.#durationMs)
  }

  clear(): void {
    clearTimeout(this.#timer)
    this.field = null
  }
}
